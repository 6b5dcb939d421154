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
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One workload run inside the comparison boot, read from what sched-compare.sh wrote:
 * {@code runs.txt} ("NN MODE rc=N") and {@code runs/NN-MODE/}.
 *
 * @param cyclictest null for the cpu workload
 * @param vschedCpu vsched's own CPU time over the run as a fraction of one vCPU (agent or loader
 *                  process); empty for default runs
 * @param counters the scheduler's counters at the end of a vsched run (agent status or loader stats
 *                 line; they count from the scheduler's attach just before the run); empty for default runs
 * @param countersProblem why a vsched run has no counters although it wrote a status, else null. Under
 *                 multi-threaded TCG the guest JVM of {@code vsched status} has been seen to die of SIGSEGV in
 *                 freshly compiled code, leaving its crash report in place of the status: the run's
 *                 workload numbers still stand, so the report keeps the run and says why counters are missing.
 */
public record GuestRun(int index, Mode mode, int rc, SysbenchOutput sysbench, CyclictestHistogram cyclictest,
        OptionalDouble vschedCpu, Map<String, Long> counters, String countersProblem) {

    public GuestRun {
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    public enum Mode {
        DEFAULT, VSCHED
    }

    private static final Pattern LINE = Pattern.compile("(\\d+) (default|vsched) rc=(\\S+)");
    private static final Pattern TICKS = Pattern.compile("vsched_cpu_ticks=(\\d+) clk_tck=(\\d+)");
    private static final Pattern STATS = Pattern.compile("^stats (.*)$", Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * All runs the guest listed, in order, up to one where vsched did not start ({@code rc=start-failed}).
     *
     * @param seconds the workload's duration, for vsched's CPU share
     * @throws IllegalArgumentException naming the run or file that is missing or malformed
     */
    public static List<GuestRun> read(GuestResult result, int seconds) {
        String list = result.text("runs.txt").orElseThrow(() -> new IllegalArgumentException("no runs.txt"));
        List<GuestRun> runs = new ArrayList<>();
        for (String l : list.lines().filter(s -> !s.isBlank()).toList()) {
            Matcher m = LINE.matcher(l.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("runs.txt: malformed line '" + l + "'");
            }
            if (m.group(3).equals("start-failed")) {
                break; // vsched never started: the guest stopped there, the runs before it stand
            }
            String dir = "runs/" + m.group(1) + "-" + m.group(2) + "/";
            int rc;
            try {
                rc = Integer.parseInt(m.group(3));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("run " + m.group(1) + " " + m.group(2) + ": " + m.group(3), e);
            }
            Mode mode = Mode.valueOf(m.group(2).toUpperCase(java.util.Locale.ROOT));
            String sb = result.text(dir + "sysbench.txt")
                    .orElseThrow(() -> new IllegalArgumentException(dir + "sysbench.txt missing"));
            SysbenchOutput s;
            try {
                s = SysbenchOutput.parse(sb);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(dir + "sysbench.txt: " + e.getMessage(), e);
            }
            CyclictestHistogram c = result.text(dir + "cyclictest.json").map(CyclictestHistogram::parse).orElse(null);
            OptionalDouble cpu = OptionalDouble.empty();
            Map<String, Long> counters = Map.of();
            String problem = null;
            if (mode == Mode.VSCHED) {
                try {
                    counters = counters(result, dir);
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                }
                Matcher t = TICKS.matcher(result.text(dir + "vsched.txt").orElse(""));
                if (t.find()) {
                    cpu = OptionalDouble.of(Long.parseLong(t.group(1)) / (double) Long.parseLong(t.group(2)) / seconds);
                }
            }
            runs.add(new GuestRun(Integer.parseInt(m.group(1)), mode, rc, s, c, cpu, counters, problem));
        }
        return runs;
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
