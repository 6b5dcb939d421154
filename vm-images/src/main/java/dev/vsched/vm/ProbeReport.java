package dev.vsched.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Read-only view of a {@code vsched probe --json} report (schema {@value #SCHEMA}), with the
 * accessors the VM tests and the ground-truth table need. Missing members read as empty, not zero.
 */
public record ProbeReport(JsonNode root) {

    /** The probers' schema tag: the one the CLI writes. */
    public static final String SCHEMA = dev.vsched.probers.report.ProbeReport.SCHEMA;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The signal, pc and problematic frame of a HotSpot fatal-error report ("# A fatal error has been
     * detected by the Java Runtime Environment"), or null if {@code out} is not one.
     */
    static String jvmCrash(String out) {
        if (!out.contains("# A fatal error has been detected by the Java Runtime Environment")) {
            return null;
        }
        Matcher sig = Pattern.compile("#\\s+(SIG[A-Z]+ \\(0x[0-9a-f]+\\) at pc=0x[0-9a-f]+)")
                .matcher(out);
        Matcher frame = Pattern.compile("# Problematic frame:\\s*\\n#\\s*(.+)")
                .matcher(out);
        return (sig.find() ? sig.group(1) : "fatal error") + (frame.find() ? ", frame " + frame.group(1).strip() : "");
    }

    /** Parses and checks the schema tag; errors quote the start of what was received. */
    public static ProbeReport parse(String json) {
        String crash = jvmCrash(json);
        if (crash != null) {
            // HotSpot writes its fatal-error header to stdout, where the report would have been
            throw new IllegalArgumentException("guest JVM crashed (" + crash + ") instead of printing the report");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("probe output is not JSON (" + e.getOriginalMessage() + "): "
                    + abbreviate(json), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("probe output is not a JSON object: " + abbreviate(json));
        }
        String schema = root.path("schema").asText("");
        if (!schema.equals(SCHEMA)) {
            throw new IllegalArgumentException("probe output has schema '" + schema + "', expected '" + SCHEMA + "': "
                    + abbreviate(json));
        }
        return new ProbeReport(root);
    }

    public boolean schedExt() {
        return root.path("host").path("sched_ext").asBoolean(false);
    }

    public String kernel() {
        return root.path("host").path("kernel").asText("");
    }

    public List<Integer> onlineCpus() {
        List<Integer> out = new ArrayList<>();
        root.path("host").path("online_cpus").forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** The vcpus[] entry for guest CPU {@code cpu}. */
    public Optional<JsonNode> vcpu(int cpu) {
        for (JsonNode v : root.path("vcpus")) {
            if (v.path("cpu").asInt(-1) == cpu) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    public List<Integer> probedCpus() {
        List<Integer> out = new ArrayList<>();
        root.path("vcpus").forEach(v -> out.add(v.path("cpu").asInt(-1)));
        return out;
    }

    public boolean available(int cpu) {
        return vcpu(cpu).map(v -> v.path("available").asBoolean(false)).orElse(false);
    }

    public OptionalDouble timeshare(int cpu) {
        return vcap(cpu, "timeshare");
    }

    public OptionalDouble speed(int cpu) {
        return vcap(cpu, "speed");
    }

    public OptionalDouble capacity(int cpu) {
        return vcap(cpu, "capacity");
    }

    private OptionalDouble vcap(int cpu, String field) {
        return vcpu(cpu).map(v -> v.path("vcap").path(field))
                .filter(JsonNode::isNumber)
                .map(n -> OptionalDouble.of(n.asDouble()))
                .orElse(OptionalDouble.empty());
    }

    /** vTOP's relation for the pair (either order), or empty if the pair was not reported. */
    public Optional<String> relation(int a, int b) {
        for (JsonNode p : root.path("vtop").path("pairs")) {
            int x = p.path("a").asInt(-1);
            int y = p.path("b").asInt(-1);
            if ((x == a && y == b) || (x == b && y == a)) {
                return Optional.of(p.path("relation").asText(""));
            }
        }
        return Optional.empty();
    }

    /** The pair's one-way latency in ns, if measured. */
    public OptionalDouble oneWayNs(int a, int b) {
        for (JsonNode p : root.path("vtop").path("pairs")) {
            int x = p.path("a").asInt(-1);
            int y = p.path("b").asInt(-1);
            if (((x == a && y == b) || (x == b && y == a)) && p.path("one_way_ns").isNumber()) {
                return OptionalDouble.of(p.path("one_way_ns").asDouble());
            }
        }
        return OptionalDouble.empty();
    }

    public List<String> verdict() {
        List<String> out = new ArrayList<>();
        root.path("verdict").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The whole report, pretty-printed, for failure messages. */
    public String pretty() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            return root.toString();
        }
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 200 ? "'" + t + "'" : "'" + t.substring(0, 197) + "...'";
    }
}
