package dev.vsched.probers.report;

import dev.vsched.probers.timeline.VcpuTimeline;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What one probe run does.
 *
 * @param cpus        vCPUs to probe; must all be online
 * @param probers     which probers run
 * @param durationNs  length of the vCAP/vACT timeline window
 * @param pairWindowNs length of one vTOP ping-pong measurement
 * @param mode        light (SCHED_IDLE) or heavy (normal priority) probe threads
 */
public record ProbeOptions(List<Integer> cpus, Set<Prober> probers, long durationNs, long pairWindowNs,
                           VcpuTimeline.Mode mode) {
    public static final long DEFAULT_DURATION_NS = 1_500_000_000L;
    public static final long DEFAULT_PAIR_WINDOW_NS = 20_000_000L;
    public static final long MIN_DURATION_NS = 50_000_000L;
    public static final long MAX_DURATION_NS = 3_600_000_000_000L;

    public enum Prober {
        VCAP, VACT, VTOP;

        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ProbeOptions {
        cpus = List.copyOf(cpus);
        probers = probers.isEmpty() ? EnumSet.noneOf(Prober.class) : EnumSet.copyOf(probers);
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("no vCPUs to probe");
        }
        if (probers.isEmpty()) {
            throw new IllegalArgumentException("no probers selected (choose from vcap, vact, vtop)");
        }
        if (durationNs < MIN_DURATION_NS || durationNs > MAX_DURATION_NS) {
            throw new IllegalArgumentException("duration must be between 50ms and 1h, got " + durationNs / 1_000_000
                    + "ms");
        }
        if (pairWindowNs < 1_000_000L || pairWindowNs > 10_000_000_000L) {
            throw new IllegalArgumentException("pair window must be between 1ms and 10s, got "
                    + pairWindowNs / 1_000_000 + "ms");
        }
    }

    public boolean runs(Prober p) {
        return probers.contains(p);
    }
}
