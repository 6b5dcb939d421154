package dev.vsched.probers.vcap;

import dev.vsched.probers.timeline.ClassifiedTimeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns classified timelines into capacities. The time share comes from the probe's own timeline (it works
 * without a steal clock, e.g. under QEMU TCG); paravirtual steal is reported beside it and used only when the
 * timeline saw too little of the vCPU to judge (a light-mode probe on a busy vCPU) and steal did move. Raw speed is normalised
 * to the fastest vCPU so SMT contention and slower cores show up, as the original measured but never used.
 */
public final class CapacityModel {
    /** A vCPU below this fraction of the best vCPU's capacity is a straggler (the original's 0.20). */
    public static final double STRAGGLER_FRACTION = 0.20;
    /** Below this share of wall time observed, the timeline's time share is too thin a sample. */
    public static final double MIN_OBSERVED_FRACTION = 0.20;

    private CapacityModel() {
    }

    /**
     * @param timelines      classified timelines of the available vCPUs
     * @param stealFractions per vCPU, steal ticks over wall time in the same window (absent: unknown)
     */
    public static List<VcapResult> compute(List<ClassifiedTimeline> timelines, Map<Integer, Double> stealFractions) {
        double bestRate = 0;
        for (ClassifiedTimeline t : timelines) {
            bestRate = Math.max(bestRate, t.workRate());
        }
        List<VcapResult> out = new ArrayList<>();
        for (ClassifiedTimeline t : timelines) {
            int cpu = t.sample().cpu();
            double steal = stealFractions.getOrDefault(cpu, 0.0);
            double share = timeshare(t, steal);
            double speed = bestRate > 0 ? t.workRate() / bestRate : 0.0;
            int capacity = (int) Math.round(VcapResult.SCALE * share * speed);
            out.add(new VcapResult(cpu, share, speed, capacity, false, steal, t.sample().wallNs(), t.activeNs()));
        }
        int best = out.stream().mapToInt(VcapResult::capacity).max().orElse(0);
        List<VcapResult> flagged = new ArrayList<>(out.size());
        for (VcapResult r : out) {
            boolean straggler = r.capacity() < STRAGGLER_FRACTION * best;
            flagged.add(new VcapResult(r.cpu(), r.timeshare(), r.speed(), r.capacity(), straggler,
                    r.stealFraction(), r.wallNs(), r.activeNs()));
        }
        return flagged;
    }

    static double timeshare(ClassifiedTimeline t, double stealFraction) {
        long wall = t.sample().wallNs();
        boolean thin = wall <= 0 || (double) t.observedNs() / wall < MIN_OBSERVED_FRACTION;
        // Steal that did not move says nothing (no steal clock, e.g. TCG): then even a thin timeline is
        // the better evidence.
        if (thin && stealFraction > 0) {
            return clamp(1.0 - stealFraction);
        }
        return clamp(t.activeFraction());
    }

    private static double clamp(double v) {
        return Math.max(0.0, Math.min(1.0, v));
    }
}
