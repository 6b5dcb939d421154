package dev.vsched.agent.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares {@link VschedIntf} with a copy of vsched_intf.h: parses the header text for its defines, structs
 * (field names in order) and enum, has gcc print what the compiler makes of each (offsetof, sizeof, element
 * type, constant values, and each entry of the VSCHED_STATS counter list), and lists every disagreement with
 * the Java mirror.
 */
final class IntfMirrorCheck {
    /**
     * Parsed from the header text; {@code enumerators} are those written out in enum vsched_stat (the
     * counters themselves come from the VSCHED_STATS list, which only the compiler expands).
     */
    record Header(Set<String> defines, Map<String, List<String>> structs, Set<String> arrays,
            List<String> enumerators) {
    }

    /** One VSCHED_STATS entry as the compiler expanded it. */
    record CStat(String cName, long value, String key, String description) {
    }

    record CField(long offset, long size, String elemType, long count) {
    }

    /** What gcc reported; {@code stats} is empty when the header has no VSCHED_STATS list. */
    record Compiled(Map<String, Long> structSizes, Map<String, CField> fields, Map<String, String> constKinds,
            Map<String, String> constValues, List<CStat> stats) {
    }

    private static final Pattern DEFINE = Pattern.compile("(?m)^\\s*#\\s*define\\s+(VSCHED_\\w+)(\\()?");
    private static final Pattern STRUCT = Pattern.compile("struct\\s+(vsched_\\w+)\\s*\\{(.*?)\\}\\s*;", Pattern.DOTALL);
    private static final Pattern FIELD = Pattern.compile("^\\s*([\\w ]+?)\\s+(\\w+)\\s*(\\[[^\\]]+\\])?\\s*$");
    private static final Pattern ENUM = Pattern.compile("enum\\s+vsched_stat\\s*\\{(.*?)\\}\\s*;", Pattern.DOTALL);
    /** The X-macro's expansion inside the enum, and preprocessor lines, are no enumerators of their own. */
    private static final Pattern NOT_ENUMERATOR = Pattern.compile("(?m)VSCHED_STATS\\s*\\(\\s*\\w+\\s*\\)|^\\s*#.*$");

    static String stripComments(String c) {
        return c.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
    }

    static Header parse(String text) {
        String code = stripComments(text);
        Set<String> defines = new TreeSet<>();
        Matcher m = DEFINE.matcher(code);
        while (m.find()) {
            if (m.group(2) == null) {  // function-like macros (VSCHED_STATIC_ASSERT) are no constants
                defines.add(m.group(1));
            }
        }
        Map<String, List<String>> structs = new LinkedHashMap<>();
        Set<String> arrays = new TreeSet<>();
        m = STRUCT.matcher(code);
        while (m.find()) {
            List<String> fields = new ArrayList<>();
            for (String decl : m.group(2).split(";")) {
                if (decl.isBlank()) {
                    continue;
                }
                Matcher f = FIELD.matcher(decl.replace('\n', ' '));
                if (!f.matches()) {
                    throw new AssertionError("cannot parse field declaration '" + decl.strip() + "' in struct "
                            + m.group(1) + " (the header rules allow only plain fixed-width fields and arrays)");
                }
                fields.add(f.group(2));
                if (f.group(3) != null) {
                    arrays.add(m.group(1) + "." + f.group(2));
                }
            }
            structs.put(m.group(1), fields);
        }
        List<String> enumerators = new ArrayList<>();
        m = ENUM.matcher(code);
        if (m.find()) {
            for (String e : NOT_ENUMERATOR.matcher(m.group(1)).replaceAll(" ").split(",")) {
                if (!e.isBlank()) {
                    enumerators.add(e.strip().split("\\s*=")[0].strip());
                }
            }
        }
        return new Header(defines, structs, arrays, enumerators);
    }

    static String program(Header h) {
        StringBuilder c = new StringBuilder();
        c.append("""
                #include <stdio.h>
                #include <stddef.h>
                #include "vsched_intf.h"
                #define TYPE_OF(x) _Generic((x), char: "char", signed char: "schar", unsigned char: "uchar", \\
                    short: "short", unsigned short: "ushort", int: "int", unsigned int: "uint", \\
                    long: "long", unsigned long: "ulong", long long: "llong", unsigned long long: "ullong", \\
                    char *: "str", const char *: "str", default: "other")
                static void p_str(const char *n, const char *v, const char *k) { printf("define %s %s %s\\n", n, k, v); }
                static void p_num(const char *n, long long v, const char *k) { printf("define %s %s %lld\\n", n, k, v); }
                #define DEF(N) _Generic((N), char *: p_str, const char *: p_str, default: p_num)(#N, N, TYPE_OF(N))
                #ifdef VSCHED_STATS
                #define STAT(N, n, d) printf("stat VSCHED_STAT_%s %lld %s %s\\n", #N, (long long)VSCHED_STAT_##N, #n, d);
                #endif
                int main(void)
                {
                #ifdef VSCHED_STATS
                \tVSCHED_STATS(STAT)
                #endif
                """);
        for (Map.Entry<String, List<String>> s : h.structs().entrySet()) {
            String st = s.getKey();
            c.append("\tprintf(\"sizeof ").append(st).append(" %zu\\n\", sizeof(struct ").append(st).append("));\n");
            for (String f : s.getValue()) {
                String e = "((struct " + st + " *)0)->" + f;
                // the element: the field itself, or [0] of an array (all unevaluated)
                String elem = h.arrays().contains(st + "." + f) ? e + "[0]" : e;
                c.append("\tprintf(\"field ").append(st).append(' ').append(f)
                        .append(" %zu %zu %s %zu\\n\", offsetof(struct ").append(st).append(", ").append(f)
                        .append("), sizeof(").append(e).append("), TYPE_OF(").append(elem).append("), sizeof(")
                        .append(e).append(") / sizeof(").append(elem).append("));\n");
            }
        }
        for (String d : h.defines()) {
            c.append("\tDEF(").append(d).append(");\n");
        }
        for (String e : h.enumerators()) {
            c.append("\tprintf(\"enum ").append(e).append(" %lld\\n\", (long long)").append(e).append(");\n");
        }
        c.append("\treturn 0;\n}\n");
        return c.toString();
    }

    static Compiled compile(Path header, String name) throws IOException, InterruptedException {
        Header h = parse(Files.readString(header));
        List<String> out = CProgram.compileAndRun(name, program(h), List.of(header.getParent()));
        Map<String, Long> sizes = new LinkedHashMap<>();
        Map<String, CField> fields = new LinkedHashMap<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        Map<String, String> values = new LinkedHashMap<>();
        List<CStat> stats = new ArrayList<>();
        for (String line : out) {
            String[] w = line.split(" ", 4);
            switch (w[0]) {
                case "stat" -> {
                    String[] r = line.split(" ", 5);
                    stats.add(new CStat(r[1], Long.parseLong(r[2]), r[3], r[4]));
                    kinds.put(r[1], "enum");
                    values.put(r[1], r[2]);
                }
                case "sizeof" -> sizes.put(w[1], Long.parseLong(w[2]));
                case "field" -> {
                    String[] r = w[3].split(" ");
                    fields.put(w[1] + "." + w[2], new CField(Long.parseLong(r[0]), Long.parseLong(r[1]), r[2],
                            Long.parseLong(r[3])));
                }
                case "define" -> {
                    kinds.put(w[1], w[2]);
                    values.put(w[1], w.length > 3 ? w[3] : "");
                }
                case "enum" -> {
                    kinds.put(w[1], "enum");
                    values.put(w[1], w[2]);
                }
                default -> throw new AssertionError("unexpected output line '" + line + "'");
            }
        }
        return new Compiled(sizes, fields, kinds, values, stats);
    }

    /** Every disagreement between the Java mirror and the header at {@code header}; empty when they agree. */
    static List<String> problems(Path header, String name) throws IOException, InterruptedException {
        List<String> bad = new ArrayList<>();
        Header h = parse(Files.readString(header));
        Compiled c = compile(header, name);

        // structs: same set, same fields in the same order, same offsets, sizes, element types
        if (!h.structs().keySet().equals(VschedIntf.STRUCTS.keySet())) {
            bad.add("structs: header has " + new TreeSet<>(h.structs().keySet()) + ", Java has "
                    + new TreeSet<>(VschedIntf.STRUCTS.keySet()));
        }
        for (Map.Entry<String, List<String>> s : h.structs().entrySet()) {
            StructLayout j = VschedIntf.STRUCTS.get(s.getKey());
            if (j == null) {
                continue;
            }
            List<String> jNames = new ArrayList<>();
            for (MemoryLayout m : j.memberLayouts()) {
                jNames.add(m.name().orElse("<unnamed " + m + ">"));
            }
            if (!jNames.equals(s.getValue())) {
                bad.add(s.getKey() + ": header fields " + s.getValue() + ", Java fields " + jNames);
            }
            long cSize = c.structSizes().get(s.getKey());
            if (cSize != j.byteSize()) {
                bad.add(s.getKey() + ": sizeof " + cSize + " in C, " + j.byteSize() + " in Java");
            }
            for (String f : s.getValue()) {
                CField cf = c.fields().get(s.getKey() + "." + f);
                if (!jNames.contains(f)) {
                    continue;
                }
                MemoryLayout jm = j.select(groupElement(f));
                long jOff = j.byteOffset(groupElement(f));
                String where = s.getKey() + "." + f;
                if (cf.offset() != jOff) {
                    bad.add(where + ": offset " + cf.offset() + " in C, " + jOff + " in Java");
                }
                if (cf.size() != jm.byteSize()) {
                    bad.add(where + ": size " + cf.size() + " in C, " + jm.byteSize() + " in Java");
                }
                long jCount = jm instanceof SequenceLayout sq ? sq.elementCount() : 1;
                MemoryLayout jElem = jm instanceof SequenceLayout sq ? sq.elementLayout() : jm;
                boolean cArray = cf.count() != 1 || jm instanceof SequenceLayout;
                if (cArray && cf.count() != jCount) {
                    bad.add(where + ": " + cf.count() + " elements in C, " + jCount + " in Java");
                }
                long cElemSize = cf.size() / Math.max(1, cf.count());
                if (cElemSize != jElem.byteSize()) {
                    bad.add(where + ": element of " + cElemSize + " bytes in C, " + jElem.byteSize() + " in Java");
                }
                boolean cSigned = switch (cf.elemType()) {
                    case "schar", "short", "int", "long", "llong" -> true;
                    default -> false;
                };
                if (!cf.elemType().equals("char") && cSigned != VschedIntf.SIGNED_FIELDS.contains(where)) {
                    bad.add(where + ": C type " + cf.elemType() + " is " + (cSigned ? "signed" : "unsigned")
                            + " but VschedIntf.SIGNED_FIELDS says otherwise");
                }
            }
        }

        // constants: every object-like #define VSCHED_* and every enumerator has a Java twin of equal value
        Map<String, Object> java = javaConstants();
        List<String> cEnum = new ArrayList<>();  // enum vsched_stat in C order: the list's entries, then the rest
        c.stats().forEach(st -> cEnum.add(st.cName()));
        cEnum.addAll(h.enumerators());
        Set<String> cNames = new LinkedHashSet<>(h.defines());
        cNames.addAll(cEnum);
        Map<String, Integer> statValues = new LinkedHashMap<>();
        for (VschedIntf.Stat st : VschedIntf.Stat.values()) {
            statValues.put(st.cName(), st.ordinal());
        }
        for (String n : cNames) {
            String kind = c.constKinds().get(n);
            String val = c.constValues().get(n);
            Object jv = java.containsKey(n) ? java.get(n) : statValues.get(n);
            if (jv == null) {
                bad.add(n + ": #define/enumerator in the header has no Java counterpart");
                continue;
            }
            String jText = switch (kind) {
                case "str" -> jv instanceof String s ? s : "<" + jv.getClass().getSimpleName() + ">";
                case "uint" -> jv instanceof Integer i ? Long.toString(Integer.toUnsignedLong(i)) : "<not int>";
                case "int", "enum" -> jv instanceof Integer i ? Integer.toString(i) : "<not int>";
                default -> jv instanceof Number num ? Long.toString(num.longValue()) : "<not a number>";
            };
            if (!jText.equals(val)) {
                bad.add(n + ": " + kind + " " + val + " in C, " + jText + " in Java");
            }
        }
        for (String n : java.keySet()) {
            if (!cNames.contains(n)) {
                bad.add(n + ": Java constant has no #define/enumerator in the header");
            }
        }
        List<String> enumJava = new ArrayList<>(statValues.keySet());
        enumJava.add("VSCHED_STAT_NR");
        enumJava.add("VSCHED_STAT_MAX");
        if (!enumJava.equals(cEnum)) {
            bad.add("enum vsched_stat: header " + cEnum + ", Java " + enumJava);
        }

        // the counter list: each entry's loader name and description, as the Java twin has them
        if (c.stats().isEmpty()) {
            bad.add("VSCHED_STATS: the header has no counter list (Java has " + VschedIntf.Stat.values().length + ")");
        }
        for (CStat cs : c.stats()) {
            VschedIntf.Stat js = null;
            for (VschedIntf.Stat st : VschedIntf.Stat.values()) {
                if (st.cName().equals(cs.cName())) {
                    js = st;
                }
            }
            if (js == null) {
                continue;  // reported above as an enumerator without a Java counterpart
            }
            if (!js.key().equals(cs.key())) {
                bad.add(cs.cName() + ": name " + cs.key() + " in VSCHED_STATS, " + js.key() + " in Java");
            }
            if (!js.description().equals(cs.description())) {
                bad.add(cs.cName() + ": description '" + cs.description() + "' in VSCHED_STATS, '"
                        + js.description() + "' in Java");
            }
        }
        return bad;
    }

    private static final Pattern COUNTER_ROW = Pattern.compile("^\\|\\s*`(\\w+)`\\s*\\|\\s*(.*?)\\s*\\|\\s*$");

    /**
     * Every disagreement between the "## Counters" table of a README (rows {@code | `name` | description |})
     * and the header's VSCHED_STATS list: the same counters, in the same order, with the same words.
     */
    static List<String> readmeCounterProblems(String readme, List<CStat> stats) {
        List<String> bad = new ArrayList<>();
        int start = readme.indexOf("\n## Counters\n");
        if (start < 0) {
            bad.add("README has no '## Counters' section");
            return bad;
        }
        int end = readme.indexOf("\n## ", start + 1);
        List<String> rows = new ArrayList<>();
        for (String line : readme.substring(start, end < 0 ? readme.length() : end).split("\n")) {
            Matcher m = COUNTER_ROW.matcher(line);
            if (m.matches()) {
                rows.add(m.group(1) + ": " + m.group(2));
            }
        }
        List<String> header = new ArrayList<>();
        for (CStat st : stats) {
            header.add(st.key() + ": " + st.description());
        }
        if (!rows.equals(header)) {
            bad.add("README counter table " + rows + " differs from VSCHED_STATS " + header);
        }
        return bad;
    }

    /** VschedIntf's public static final VSCHED_* int/long/String fields by name. */
    static Map<String, Object> javaConstants() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Field f : VschedIntf.class.getFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getName().startsWith("VSCHED_")
                    && (f.getType() == int.class || f.getType() == long.class || f.getType() == String.class)) {
                try {
                    m.put(f.getName(), f.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return m;
    }
}
