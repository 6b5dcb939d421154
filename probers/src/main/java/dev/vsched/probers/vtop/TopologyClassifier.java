package dev.vsched.probers.vtop;

import dev.vsched.probers.stats.NaturalBreaks;
import java.util.ArrayList;
import java.util.List;

/**
 * Calibrates topology thresholds from the measured pair latencies instead of per-machine constants.
 * <ol>
 *   <li>Stacked: a pair whose median handoff takes at least twice this guest's own interrupt cost
 *       ({@code GapThreshold.handoffNs}, measured by the timeline) is waiting on the hypervisor, not on a
 *       cache: nothing but a vCPU switch makes a cache-line transfer that slow.</li>
 *   <li>The remaining pairs are split at multiplicative jumps of {@link #BREAK_RATIO} or more in their sorted
 *       latencies ({@link NaturalBreaks}), into at most three levels.</li>
 *   <li>Three levels are SMT, same socket, cross socket. One level is a flat VM: same socket. Two levels are
 *       told apart by structure: SMT siblings come in small groups (at most {@link #MAX_SMT_WAYS} vCPUs),
 *       so if the closer level links vCPUs only in such groups it is SMT, otherwise it is the socket level.</li>
 * </ol>
 */
public final class TopologyClassifier {
    /** Neighbouring topology levels differ by at least this factor in transfer time. */
    public static final double BREAK_RATIO = 1.5;
    /** Largest SMT group on any current CPU (x86: 2; POWER: up to 8 but not in x86 clouds). */
    public static final int MAX_SMT_WAYS = 2;

    private TopologyClassifier() {
    }

    public static Calibration calibrate(List<PairMeasurement> measured, long stackedThresholdNs) {
        List<PairMeasurement> moving = new ArrayList<>();
        for (PairMeasurement m : measured) {
            if (!m.failed() && !m.noProgress() && m.oneWayNs() < stackedThresholdNs) {
                moving.add(m);
            }
        }
        if (moving.isEmpty()) {
            return new Calibration(stackedThresholdNs, 0, 0);
        }
        double[] values = moving.stream().mapToDouble(PairMeasurement::oneWayNs).toArray();
        double[] cuts = NaturalBreaks.cuts(values, BREAK_RATIO, 3);
        return switch (cuts.length) {
            case 0 -> new Calibration(stackedThresholdNs, 0, 0);
            case 2 -> new Calibration(stackedThresholdNs, Math.round(cuts[0]), Math.round(cuts[1]));
            default -> closerLevelIsSmt(moving, cuts[0])
                    ? new Calibration(stackedThresholdNs, Math.round(cuts[0]), 0)
                    : new Calibration(stackedThresholdNs, 0, Math.round(cuts[0]));
        };
    }

    /** True if the pairs below {@code cut} join vCPUs only into groups of at most {@link #MAX_SMT_WAYS}. */
    static boolean closerLevelIsSmt(List<PairMeasurement> moving, double cut) {
        UnionFind groups = new UnionFind();
        for (PairMeasurement m : moving) {
            if (m.oneWayNs() < cut) {
                groups.union(m.a(), m.b());
            }
        }
        return groups.largestGroup() <= MAX_SMT_WAYS;
    }
}
