package dev.vsched.agent;

import dev.vsched.probers.Durations;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agent's configuration: a Java properties file ({@code key = value}, {@code #} comments). Every key
 * is known here with its default; an unknown key (a typo) or a bad value is rejected with a message that
 * names the key, the value and what was expected, so a broken file never half-applies.
 *
 * @param probePeriodNs          continuous vCAP/vACT round period
 * @param probeWindowNs          timeline window per vCPU and round
 * @param calibrationWindowNs    the longer window the gap threshold comes from
 * @param calibrateEvery         a calibration round every this many rounds
 * @param probeSteadyPeriodNs    round period once no vCPU has changed for a while (probePeriodNs: never)
 * @param vtopRevalidateNs       vTOP re-validation period (0: probe topology once at start)
 * @param vtopPairWindowNs       ping-pong time per pair
 * @param rwcEnabled             relaxed work conservation: hide stragglers and stacked duplicates
 * @param stragglerFraction      hide a vCPU whose smoothed capacity is below this share of the best
 * @param hideStacked            hide all but one vCPU of each stacked group
 * @param hysteresisRounds       rounds a vCPU must stay a straggler (or recovered) before it flips
 * @param minUsable              never leave fewer usable vCPUs than this
 * @param cpusetSlices           cgroups whose cpusets carry RWC when sched_ext is absent
 * @param policies               scheduler policies to enable (bvs, ivh, rwc)
 * @param bpfObject              the sched_ext scheduler object
 * @param mode                   auto, sched_ext or cpuset
 * @param runDir                 where the status socket and the state file live
 */
public record AgentConfig(long probePeriodNs, long probeWindowNs, long calibrationWindowNs, int calibrateEvery,
                          long probeSteadyPeriodNs, long vtopRevalidateNs, long vtopPairWindowNs, boolean rwcEnabled,
                          double stragglerFraction, boolean hideStacked, int hysteresisRounds, int minUsable,
                          List<String> cpusetSlices, Set<String> policies, Path bpfObject, String mode, Path runDir) {

    /** Every key with its default, in the order the documentation lists them. */
    public static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("probe.period", "1s");
        d.put("probe.window", "3ms");
        d.put("probe.calibration_window", "50ms");
        d.put("probe.calibrate_every", "60");
        d.put("probe.steady_period", "4s");
        d.put("vtop.revalidate", "60s");
        d.put("vtop.pair_window", "20ms");
        d.put("rwc.enabled", "true");
        d.put("rwc.straggler_fraction", "0.20");
        d.put("rwc.hide_stacked", "true");
        d.put("rwc.hysteresis_rounds", "3");
        d.put("rwc.min_usable", "1");
        d.put("rwc.cpuset_slices", "");
        d.put("sched.policies", "bvs,ivh,rwc");
        d.put("sched.bpf_object", "/opt/vsched/bpf/vsched_sched.bpf.o");
        d.put("agent.mode", "auto");
        d.put("agent.run_dir", "/run/vsched");
        return Map.copyOf(d);
    }

    private static final List<String> ORDER = List.of("probe.period", "probe.window", "probe.calibration_window",
            "probe.calibrate_every", "probe.steady_period", "vtop.revalidate", "vtop.pair_window", "rwc.enabled",
            "rwc.straggler_fraction", "rwc.hide_stacked", "rwc.hysteresis_rounds", "rwc.min_usable",
            "rwc.cpuset_slices", "sched.policies", "sched.bpf_object", "agent.mode", "agent.run_dir");

    public static List<String> keys() {
        return ORDER;
    }

    public static AgentConfig defaultConfig() {
        return fromMap(Map.of(), "defaults");
    }

    public static AgentConfig load(Path file) throws IOException {
        return fromMap(readValues(file), file.toString());
    }

    /** The raw key/value pairs of a config file, unvalidated; errors name the file. */
    public static Map<String, String> readValues(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": no such config file");
        }
        try (Reader r = Files.newBufferedReader(file)) {
            return values(r, file.toString());
        }
    }

    public static AgentConfig parse(String text, String source) {
        try {
            return fromMap(values(new StringReader(text), source), source);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> values(Reader r, String source) throws IOException {
        Properties p = new Properties();
        try {
            p.load(r);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": malformed (" + e.getMessage() + ")");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            values.put(k, p.getProperty(k));
        }
        return values;
    }

    /** Validates {@code given} (missing keys take their defaults); {@code source} names it in errors. */
    public static AgentConfig fromMap(Map<String, String> given, String source) {
        for (String k : new TreeSet<>(given.keySet())) {
            if (!DEFAULTS.containsKey(k)) {
                throw new ConfigException(source + ": unknown key '" + k + "' (known keys: "
                        + String.join(", ", ORDER) + ")");
            }
        }
        Values v = new Values(given, source);
        long period = v.duration("probe.period", 10_000_000L, 3_600_000_000_000L);
        long window = v.duration("probe.window", 100_000L, 1_000_000_000L);
        long calWindow = v.duration("probe.calibration_window", 1_000_000L, 10_000_000_000L);
        if (period < 2 * calWindow || calWindow < window) {
            throw new ConfigException(source + ": probe.period (" + v.raw("probe.period") + ") must be at least "
                    + "twice probe.calibration_window (" + v.raw("probe.calibration_window") + "), which must be at "
                    + "least probe.window (" + v.raw("probe.window") + ")");
        }
        int calEvery = v.integer("probe.calibrate_every", 1, 1_000_000);
        long steady = v.duration("probe.steady_period", 10_000_000L, 3_600_000_000_000L);
        if (steady < period) {
            throw new ConfigException(source + ": probe.steady_period (" + v.raw("probe.steady_period")
                    + ") must be at least probe.period (" + v.raw("probe.period") + ")");
        }
        long revalidate = v.duration("vtop.revalidate", 0, 86_400_000_000_000L);
        long pairWindow = v.duration("vtop.pair_window", 1_000_000L, 10_000_000_000L);
        boolean rwc = v.bool("rwc.enabled");
        double straggler = v.fraction("rwc.straggler_fraction");
        boolean hideStacked = v.bool("rwc.hide_stacked");
        int hysteresis = v.integer("rwc.hysteresis_rounds", 1, 10_000);
        int minUsable = v.integer("rwc.min_usable", 1, 1 << 16);
        List<String> slices = v.list("rwc.cpuset_slices");
        for (String s : slices) {
            if (s.contains("..") || s.startsWith("/") || !s.matches("[A-Za-z0-9_.@:/-]+")) {
                throw new ConfigException(source + ": rwc.cpuset_slices: '" + s + "' is not a cgroup path relative"
                        + " to the cgroup root (e.g. system.slice or user.slice/app)");
            }
        }
        Set<String> policies = new TreeSet<>();
        v.list("sched.policies").forEach(x -> policies.add(x.toLowerCase(Locale.ROOT)));
        for (String pol : policies) {
            if (!Set.of("bvs", "ivh", "rwc").contains(pol)) {
                throw new ConfigException(source + ": sched.policies: unknown policy '" + pol
                        + "' (choose from bvs, ivh, rwc)");
            }
        }
        String mode = v.raw("agent.mode").strip().toLowerCase(Locale.ROOT);
        if (!Set.of("auto", "sched_ext", "cpuset").contains(mode)) {
            throw new ConfigException(source + ": agent.mode: '" + v.raw("agent.mode")
                    + "' is not one of auto, sched_ext, cpuset");
        }
        Path bpf = v.path("sched.bpf_object");
        Path run = v.path("agent.run_dir");
        return new AgentConfig(period, window, calWindow, calEvery, steady, revalidate, pairWindow, rwc,
                straggler, hideStacked, hysteresis, minUsable, List.copyOf(slices), Set.copyOf(policies), bpf, mode,
                run);
    }

    /** A config problem; its message names the file and the key. */
    public static final class ConfigException extends IllegalArgumentException {
        public ConfigException(String message) {
            super(message);
        }
    }

    private record Values(Map<String, String> given, String source) {
        String raw(String key) {
            return given.getOrDefault(key, DEFAULTS.get(key));
        }

        ConfigException bad(String key, String expected) {
            return new ConfigException(source + ": " + key + " = '" + raw(key) + "': " + expected);
        }

        long duration(String key, long min, long max) {
            long ns;
            try {
                ns = Durations.parseNs(raw(key));
            } catch (IllegalArgumentException e) {
                throw bad(key, "expected a duration such as 500ms, 2s, 1m");
            }
            if (ns < min || ns > max) {
                throw bad(key, "out of range [" + min / 1e6 + " ms, " + max / 1e9 + " s]");
            }
            return ns;
        }

        int integer(String key, int min, int max) {
            try {
                int n = Integer.parseInt(raw(key).strip());
                if (n < min || n > max) {
                    throw bad(key, "out of range [" + min + ", " + max + "]");
                }
                return n;
            } catch (NumberFormatException e) {
                throw bad(key, "expected a whole number");
            }
        }

        double fraction(String key) {
            try {
                double d = Double.parseDouble(raw(key).strip());
                if (!(d >= 0 && d <= 1)) {
                    throw bad(key, "expected a fraction between 0 and 1");
                }
                return d;
            } catch (NumberFormatException e) {
                throw bad(key, "expected a fraction between 0 and 1");
            }
        }

        boolean bool(String key) {
            return switch (raw(key).strip().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw bad(key, "expected true or false");
            };
        }

        List<String> list(String key) {
            List<String> out = new ArrayList<>();
            for (String s : raw(key).split(",")) {
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
            return out;
        }

        Path path(String key) {
            String s = raw(key).strip();
            if (s.isEmpty() || !s.startsWith("/")) {
                throw bad(key, "expected an absolute path");
            }
            return Path.of(s);
        }
    }
}
