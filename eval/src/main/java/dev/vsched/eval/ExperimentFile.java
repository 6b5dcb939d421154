package dev.vsched.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layouts and experiments compare runs, read from a file a user edits without Java
 * ({@code eval/experiments.conf}; its header documents the format). INI-like: {@code [layout NAME]} and
 * {@code [experiment NAME]} sections of {@code key = value} lines, {@code #} comments. Every error names
 * the file, the line, the key and the value.
 *
 * <p>Several files read in turn add up: a later file may use the layouts of an earlier one, and may not
 * redeclare a name.
 */
public final class ExperimentFile {

    private static final Pattern SECTION = Pattern.compile("\\[\\s*(layout|experiment)\\s+([A-Za-z0-9_-]+)\\s*]");
    private static final Pattern PARAM_KEY = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    /** What a kernel command line value may hold (VmSpec's rule, checked here to name the line). */
    private static final Pattern PARAM_VALUE = Pattern.compile("[A-Za-z0-9_.,:/=+@% -]*");

    private final Map<String, Experiment.Layout> layouts = new LinkedHashMap<>();
    private final Map<String, String> layoutWhere = new LinkedHashMap<>();
    private final Map<String, Experiment> experiments = new LinkedHashMap<>();
    private final Map<String, String> experimentWhere = new LinkedHashMap<>();

    public Map<String, Experiment.Layout> layouts() {
        return java.util.Collections.unmodifiableMap(layouts);
    }

    public List<Experiment> experiments() {
        return List.copyOf(experiments.values());
    }

    public Experiment experiment(String name) {
        Experiment e = experiments.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown experiment '" + name + "' (known: " + experiments.keySet() + ")");
        }
        return e;
    }

    /** Reads {@code file} and adds its layouts and experiments. */
    public ExperimentFile read(Path file) throws IOException {
        return read(file.toString(), Files.readString(file));
    }

    /** @param source what errors call the text (its path) */
    public ExperimentFile read(String source, String text) {
        List<Section> sections = new ArrayList<>();
        Section cur = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + ":" + lineNo;
            if (line.startsWith("[")) {
                Matcher m = SECTION.matcher(line);
                if (!m.matches()) {
                    throw new IllegalArgumentException(where + ": section '" + line
                            + "' is not [layout NAME] or [experiment NAME] (NAME: letters, digits, - and _)");
                }
                cur = new Section(m.group(1), m.group(2), where, new LinkedHashMap<>());
                sections.add(cur);
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(where + ": '" + line + "' is not KEY = VALUE");
            }
            if (cur == null) {
                throw new IllegalArgumentException(where + ": '" + line + "' comes before any [layout ...] or"
                        + " [experiment ...] section");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (cur.entries.put(key, new Entry(value, where)) != null) {
                throw new IllegalArgumentException(where + ": " + cur.kind + " '" + cur.name + "': key '" + key
                        + "' given twice");
            }
        }
        // layouts first, so an experiment may name a layout declared below it
        for (Section s : sections) {
            if (s.kind.equals("layout")) {
                addLayout(s);
            }
        }
        for (Section s : sections) {
            if (s.kind.equals("experiment")) {
                addExperiment(s);
            }
        }
        return this;
    }

    private record Entry(String value, String where) {
    }

    private record Section(String kind, String name, String where, Map<String, Entry> entries) {
        Entry required(String key) {
            Entry e = entries.get(key);
            if (e == null || e.value.isEmpty()) {
                throw new IllegalArgumentException(where + ": " + kind + " '" + name + "' has no '" + key + "'");
            }
            return e;
        }

        IllegalArgumentException bad(Entry e, String key, String why) {
            return new IllegalArgumentException(e.where + ": " + kind + " '" + name + "': " + key + " = '" + e.value
                    + "': " + why);
        }

        int number(String key, int min, int max) {
            Entry e = required(key);
            try {
                int n = Integer.parseInt(e.value);
                if (n < min || n > max) {
                    throw bad(e, key, "outside " + min + ".." + max);
                }
                return n;
            } catch (NumberFormatException ex) {
                throw bad(e, key, "not a whole number");
            }
        }

        void onlyKeys(List<String> known, String prefix) {
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                if (!known.contains(e.getKey()) && (prefix == null || !e.getKey().startsWith(prefix))) {
                    throw new IllegalArgumentException(e.getValue().where + ": " + kind + " '" + name + "': unknown key '"
                            + e.getKey() + "' (known: " + String.join(", ", known) + (prefix == null ? "" : ", "
                            + prefix + "KEY") + ")");
                }
            }
        }
    }

    private void addLayout(Section s) {
        s.onlyKeys(List.of("vcpus", "host"), null);
        if (layouts.containsKey(s.name)) {
            throw new IllegalArgumentException(s.where + ": layout '" + s.name + "' is already declared at "
                    + layoutWhere.get(s.name));
        }
        int vcpus = s.number("vcpus", 1, 64);
        Entry host = s.required("host");
        String text = host.value.equals("floating") ? null : host.value;
        Experiment.Layout l;
        try {
            l = new Experiment.Layout(s.name, vcpus, text);
        } catch (IllegalArgumentException e) {
            throw s.bad(host, "host", e.getMessage());
        }
        if (text != null) {
            int highest = l.hostLayout().vcpus().isEmpty() ? -1 : l.hostLayout().vcpus().lastKey();
            if (highest >= vcpus) {
                throw s.bad(host, "host", "places vCPU " + highest + " but the layout declares vcpus = " + vcpus
                        + " (vCPUs 0-" + (vcpus - 1) + ")");
            }
        }
        layouts.put(s.name, l);
        layoutWhere.put(s.name, s.where);
    }

    private void addExperiment(Section s) {
        s.onlyKeys(List.of("what", "layout", "workload", "threads", "timeout", "quick"), "param.");
        if (experiments.containsKey(s.name)) {
            throw new IllegalArgumentException(s.where + ": experiment '" + s.name + "' is already declared at "
                    + experimentWhere.get(s.name));
        }
        String what = s.required("what").value;
        Entry le = s.required("layout");
        Experiment.Layout layout = layouts.get(le.value);
        if (layout == null) {
            throw s.bad(le, "layout", "no such layout (declared: " + String.join(", ", layouts.keySet()) + ")");
        }
        Entry we = s.required("workload");
        List<String> workloads = new ArrayList<>();
        for (String w : we.value.split(",")) {
            String name = w.strip();
            if (!Experiment.WORKLOADS.contains(name)) {
                throw s.bad(we, "workload", "unknown workload '" + name + "' (known: "
                        + String.join(", ", Experiment.WORKLOADS.stream().sorted().toList()) + ")");
            }
            workloads.add(name);
        }
        int threads = s.entries.containsKey("threads") ? s.number("threads", 1, 256) : layout.vcpus();
        OptionalLong timeout = OptionalLong.empty();
        Entry te = s.entries.get("timeout");
        if (te != null && !te.value.equals("auto")) {
            try {
                long t = Long.parseLong(te.value);
                if (t < 60 || t > 86_400) {
                    throw s.bad(te, "timeout", "outside 60..86400 seconds");
                }
                timeout = OptionalLong.of(t);
            } catch (NumberFormatException ex) {
                throw s.bad(te, "timeout", "neither auto nor a number of seconds");
            }
        }
        boolean quick = false;
        Entry qe = s.entries.get("quick");
        if (qe != null) {
            quick = switch (qe.value) {
                case "yes", "true" -> true;
                case "no", "false" -> false;
                default -> throw s.bad(qe, "quick", "neither yes nor no");
            };
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> e : s.entries.entrySet()) {
            if (!e.getKey().startsWith("param.")) {
                continue;
            }
            String k = e.getKey().substring("param.".length());
            if (!PARAM_KEY.matcher(k).matches() || Experiment.RESERVED_PARAMS.contains(k)) {
                throw s.bad(e.getValue(), e.getKey(), "a guest parameter key must match " + PARAM_KEY
                        + " and not be one compare sets itself " + Experiment.RESERVED_PARAMS.stream().sorted().toList());
            }
            if (!PARAM_VALUE.matcher(e.getValue().value).matches()) {
                throw s.bad(e.getValue(), e.getKey(), "cannot go on a kernel command line: only letters, digits,"
                        + " spaces and _.,:/=+@%- are allowed");
            }
            params.put(k, e.getValue().value);
        }
        experiments.put(s.name, new Experiment(s.name, what, layout, workloads, threads, params, timeout, quick));
        experimentWhere.put(s.name, s.where);
    }
}
