package dev.vsched.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vsched.vm.GuestResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One workload run inside the comparison boot, read from what sched-compare.sh wrote:
 * {@code runs.txt} ("NN ARM rc=N", one line per run in order) and {@code runs/NN-ARM/}.
 *
 * <p>An arm is a scheduler the guest ran the workload under: {@code default} (the kernel's own, the
 * baseline every ratio is to), {@code vsched} (agent or loader, as the run's parameters say), and
 * whatever else the guest lists (peer sched_ext schedulers such as {@code scx_simple}).
 *
 * @param sysbench null for a workload that is not sysbench-based (its run.txt names it)
 * @param cyclictest null for the cpu workload
 * @param armCpu the arm's own CPU time over the run as a fraction of one vCPU (its scheduler's process:
 *               vsched agent or loader, a peer's user-space part); empty for default runs
 * @param counters the scheduler's counters at the end of a vsched run (agent status or loader stats
 *                 line; they count from the scheduler's attach just before the run); empty otherwise
 * @param countersProblem why a vsched run has no counters although it wrote a status, else null. Under
 *                 multi-threaded TCG the guest JVM of {@code vsched status} has been seen to die of SIGSEGV in
 *                 freshly compiled code, leaving its crash report in place of the status: the run's
 *                 workload numbers still stand, so the report keeps the run and says why counters are missing.
 * @param workload what the run ran, from its run.txt; null when the guest wrote none (one workload per boot)
 */
public record GuestRun(int index, String arm, int rc, SysbenchOutput sysbench, CyclictestHistogram cyclictest,
        OptionalDouble armCpu, Map<String, Long> counters, String countersProblem, String workload) {

    public GuestRun {
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    /** A run of a guest that named no workload per run (one workload per boot, sysbench-based). */
    public GuestRun(int index, String arm, int rc, SysbenchOutput sysbench, CyclictestHistogram cyclictest,
            OptionalDouble armCpu, Map<String, Long> counters, String countersProblem) {
        this(index, arm, rc, sysbench, cyclictest, armCpu, counters, countersProblem, null);
    }

    /** Workloads whose runs print sysbench's output (the others have their own parsers, or none yet). */
    static final java.util.Set<String> SYSBENCH_WORKLOADS = java.util.Set.of("cpu", "mixed");
    private static final Pattern RUN_WORKLOAD = Pattern.compile("\\bworkload=([A-Za-z0-9_-]+)");

    /** The baseline arm: the kernel's own scheduler. */
    public static final String DEFAULT = "default";

    /**
     * The runs the guest listed and, when it stopped because an arm's scheduler did not attach
     * ({@code rc=start-failed}), why: the runs before it stand.
     */
    public record Runs(List<GuestRun> runs, Optional<String> startFailure) {
        public Runs {
            runs = List.copyOf(runs);
        }
    }

    private static final Pattern LINE = Pattern.compile("(\\d+) ([a-z][a-z0-9_-]*) rc=(\\S+)");
    private static final Pattern TICKS = Pattern.compile("(?:vsched_)?cpu_ticks=(\\d+) clk_tck=(\\d+)");
    private static final Pattern STATS = Pattern.compile("^stats (.*)$", Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * All runs the guest listed, in order, up to one whose scheduler did not start ({@code rc=start-failed}).
     *
     * @param seconds the workload's duration, for an arm's CPU share
     * @throws IllegalArgumentException naming the run or file that is missing or malformed
     */
    public static Runs read(GuestResult result, int seconds) {
        String list = result.text("runs.txt").orElseThrow(() -> new IllegalArgumentException(
                "the guest sent no runs.txt: sched-compare.sh stopped before its first run (see its log)"));
        List<GuestRun> runs = new ArrayList<>();
        for (String l : list.lines().filter(s -> !s.isBlank()).toList()) {
            Matcher m = LINE.matcher(l.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("runs.txt: malformed line '" + l + "' (expected 'NN ARM rc=N')");
            }
            String arm = m.group(2);
            String dir = "runs/" + m.group(1) + "-" + arm + "/";
            if (m.group(3).equals("start-failed")) {
                return new Runs(runs, Optional.of("arm " + arm + " did not attach (run " + m.group(1) + "): "
                        + startFailure(result, dir)));
            }
            int rc;
            try {
                rc = Integer.parseInt(m.group(3));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("runs.txt: run " + m.group(1) + " " + arm + ": rc '" + m.group(3)
                        + "' is neither a number nor start-failed", e);
            }
            // run.txt ("round=R arm=A workload=W start= end=") names the workload of a boot that runs several
            Matcher wm = RUN_WORKLOAD.matcher(result.text(dir + "run.txt").orElse(""));
            String workload = wm.find() ? wm.group(1) : null;
            SysbenchOutput s = null;
            if (workload == null || SYSBENCH_WORKLOADS.contains(workload)) {
                String sb = result.text(dir + "sysbench.txt")
                        .orElseThrow(() -> new IllegalArgumentException(dir + "sysbench.txt missing"));
                try {
                    s = SysbenchOutput.parse(sb);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(dir + "sysbench.txt: " + e.getMessage(), e);
                }
            }
            CyclictestHistogram c = null;
            Optional<String> cj = result.text(dir + "cyclictest.json");
            if (cj.isPresent()) {
                try {
                    c = CyclictestHistogram.parse(cj.get());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(dir + "cyclictest.json: " + e.getMessage(), e);
                }
            }
            OptionalDouble cpu = OptionalDouble.empty();
            Map<String, Long> counters = Map.of();
            String problem = null;
            if (!arm.equals(DEFAULT)) {
                if (result.file(dir + "status-end.json").isPresent() || result.file(dir + "loader.txt").isPresent()) {
                    try {
                        counters = counters(result, dir);
                    } catch (IllegalArgumentException e) {
                        problem = e.getMessage();
                    }
                }
                // sched.txt (any arm: sched_cpu_ticks=), arm.txt, or vsched.txt (the first fixture's vsched arm)
                String ticks = result.text(dir + "sched.txt").orElse(result.text(dir + "arm.txt")
                        .orElse(result.text(dir + "vsched.txt").orElse("")));
                Matcher t = TICKS.matcher(ticks);
                if (t.find()) {
                    cpu = OptionalDouble.of(Long.parseLong(t.group(1)) / (double) Long.parseLong(t.group(2)) / seconds);
                }
            }
            runs.add(new GuestRun(Integer.parseInt(m.group(1)), arm, rc, s, c, cpu, counters, problem, workload));
        }
        return new Runs(runs, Optional.empty());
    }

    /**
     * Why an arm did not start: {@code start-failed.txt} if the guest wrote one, else the tail of the
     * arm's own log (agent.log, loader.txt, arm.log).
     */
    private static String startFailure(GuestResult result, String dir) {
        for (String f : List.of("start-failed.txt", "sched.log", "arm.log", "loader.txt", "agent.log")) {
            Optional<String> t = result.text(dir + f);
            if (t.isPresent() && !t.get().isBlank()) {
                List<String> lines = t.get().strip().lines().toList();
                return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()))
                        + " (" + dir + f + ")";
            }
        }
        return "the guest left no reason in " + dir + " (see the guest log)";
    }

    /** From the agent's last status ({@code scheduler.stats}) or the loader's {@code stats k=v ...} line. */
    private static Map<String, Long> counters(GuestResult result, String dir) {
        Map<String, Long> out = new LinkedHashMap<>();
        var status = result.text(dir + "status-end.json");
        if (status.isPresent()) {
            try {
                JsonNode stats = JSON.readTree(status.get()).path("scheduler").path("stats");
                stats.properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
            } catch (IOException e) {
                String first = status.get().lines().findFirst().orElse("");
                throw new IllegalArgumentException(dir + "status-end.json does not parse (first line '"
                        + (first.length() > 60 ? first.substring(0, 60) + "..." : first) + "')", e);
            }
            return out;
        }
        Matcher m = STATS.matcher(result.text(dir + "loader.txt").orElse(""));
        if (m.find()) {
            for (String kv : m.group(1).trim().split("\\s+")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    out.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                }
            }
        }
        return out;
    }
}
