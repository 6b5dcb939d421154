package dev.vsched.eval;

import dev.vsched.vm.HostLayout;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One side-by-side experiment: a guest shape (vCPUs, host layout or none) and the workload
 * {@code vm-images/workloads/sched-compare.sh} runs under each scheduler, alternating, in one boot.
 *
 * @param layout host layout text ({@link HostLayout}), or null for an unshaped guest (vCPU threads
 *               float over the host CPUs as a cloud VM's would)
 * @param threads sysbench threads
 */
public record Experiment(String name, String what, int vcpus, String layout, String workload, int threads) {

    /** The named experiments; {@code stacked-mixed} uses the VM tests' standard layout. */
    public static final List<Experiment> ALL = List.of(
            new Experiment("unshaped-cpu", "CPU-bound sysbench, one thread per vCPU, no host shaping", 2, null,
                    "cpu", 2),
            new Experiment("throttled-cpu", "CPU-bound sysbench, 2 threads on 4 vCPUs the host throttles"
                    + " unequally (50%, 25%, 20% and 100% of a host CPU)", 4, "v0=0@50; v1=0@25; v2=1@20; v3=1; rest=0",
                    "cpu", 2),
            new Experiment("stacked-mixed", "sysbench with 3 threads plus one SCHED_OTHER cyclictest thread per"
                    + " vCPU; vCPUs 0+1 stacked on host CPU 0 (1 capped at 30%), 2+3 on host CPU 1", 4,
                    "v0=0; v1=0@30; v2=1; v3=1; rest=0", "mixed", 3));

    public Experiment {
        if (layout != null) {
            HostLayout.parse(name, layout); // checked against the host when the guest boots
        }
    }

    public static Experiment named(String name) {
        return ALL.stream().filter(e -> e.name.equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown experiment '" + name + "' (known: " + ALL.stream().map(Experiment::name).toList() + ")"));
    }

    /** Guest parameters for sched-compare.sh. */
    public Map<String, String> params(int rounds, int seconds, String sched, int settle) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("workload", workload);
        p.put("threads", Integer.toString(threads));
        p.put("rounds", Integer.toString(rounds));
        p.put("seconds", Integer.toString(seconds));
        p.put("sched", sched);
        p.put("settle", Integer.toString(settle));
        return p;
    }

    /**
     * Generous: the boot, and per round two runs plus the agent's start, which under TCG takes 1.5-3
     * minutes (JVM, first probe rounds, first plan), and its settling time.
     */
    public Duration timeout(int rounds, int seconds, int settle) {
        return Duration.ofSeconds(300L + rounds * (2L * seconds + 300L + settle));
    }
}
