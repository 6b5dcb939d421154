package dev.vsched.eval;

import dev.vsched.vm.HostLayout;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One side-by-side experiment, as declared in an experiments file ({@link ExperimentFile}): a guest
 * shape and the workload {@code vm-images/workloads/sched-compare.sh} runs under each arm, round after
 * round, in one boot.
 *
 * @param workloads what the guest runs ({@link #WORKLOADS}); today's guest takes one
 * @param threads workload threads
 * @param params extra guest parameters ({@code vsched.KEY=VALUE})
 * @param timeoutSeconds the boot's hard limit; empty: {@link #timeout}'s formula
 * @param quick part of {@code eval/compare --quick}
 */
public record Experiment(String name, String what, Layout layout, List<String> workloads, int threads,
        Map<String, String> params, OptionalLong timeoutSeconds, boolean quick) {

    /**
     * A guest shape.
     *
     * @param host the HostLayout text, or null for a floating guest (no host layout: the vCPU threads
     *             float over all host CPUs, as a cloud VM's would)
     */
    public record Layout(String name, int vcpus, String host) {
        public Layout {
            if (host != null) {
                HostLayout.parse(name, host); // the host's CPUs are checked when the guest boots
            }
        }

        public HostLayout hostLayout() {
            return host == null ? null : HostLayout.parse(name, host);
        }

        public String describe() {
            return vcpus + " vCPUs, " + (host == null ? "floating (no host layout)" : "host layout `" + host + "`");
        }
    }

    /**
     * Workloads sched-compare.sh runs (VSCHED_WORKLOAD: cpu, mixed, or a vm-images/workloads script).
     * compare reads the metrics of cpu and mixed (sysbench, cyclictest); the others' runs are listed
     * with each arm's CPU until their parsers come.
     */
    public static final Set<String> WORKLOADS = Set.of("cpu", "mixed", "hackbench", "perf-sched", "stress-ng-ipc",
            "rrbench", "service");

    /** Guest parameters compare sets itself; an experiment file may not set them with param.KEY. */
    public static final Set<String> RESERVED_PARAMS = Set.of("workload", "threads", "rounds", "seconds", "sched",
            "settle", "timeout", "arms", "test");

    public Experiment {
        workloads = List.copyOf(workloads);
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public int vcpus() {
        return layout.vcpus();
    }

    /** Guest parameters for sched-compare.sh. */
    public Map<String, String> params(int rounds, int seconds, String sched, int settle) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("workload", String.join(",", workloads));
        p.put("threads", Integer.toString(threads));
        p.put("rounds", Integer.toString(rounds));
        p.put("seconds", Integer.toString(seconds));
        p.put("sched", sched);
        p.put("settle", Integer.toString(settle));
        p.putAll(params);
        return p;
    }

    /**
     * The hard limit of the boot: the file's {@code timeout}, else generous: the boot, and per round each
     * arm's run plus its start (the agent takes 1.5-3 minutes under TCG: JVM, first probe rounds, first
     * plan), and the settling time of the vsched arms, for each workload. With 2 arms and one workload
     * this is the old
     * {@code 300 + rounds * (2 * seconds + 300 + settle)}.
     */
    public Duration timeout(int rounds, int seconds, int settle, int arms, int vschedArms) {
        if (timeoutSeconds.isPresent()) {
            return Duration.ofSeconds(timeoutSeconds.getAsLong());
        }
        // the guest runs every workload under every arm in each round
        return Duration.ofSeconds(300L + (long) rounds * workloads.size() * (arms * (seconds + 150L)
                + (long) vschedArms * settle));
    }
}
