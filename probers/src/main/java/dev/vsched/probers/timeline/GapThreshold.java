package dev.vsched.probers.timeline;

import java.util.Arrays;
import java.util.Collection;

/**
 * Derives the gap length above which a timeline gap counts as the vCPU being inactive, from the measured
 * noise rather than a constant. A busy pinned thread sees the guest's own timer tick (and other interrupts)
 * as short gaps, hundreds per second; host preemptions are longer and, on all but the most disturbed vCPU,
 * rarer. So the typical gap of the quietest vCPU is the interrupt cost of this guest, and anything well
 * above it (twice, by default) is time the vCPU did not run. Under TCG interrupts cost tens of microseconds,
 * on a bare-metal-like VM a few: the threshold follows.
 *
 * @param noiseNs     the typical interrupt-sized gap (median gap of the quietest vCPU)
 * @param thresholdNs gaps at or above this are inactive periods
 * @param basis       which vCPU the noise came from, or -1 if no vCPU had enough gaps
 */
public record GapThreshold(long noiseNs, long thresholdNs, int basis) {
    /** Gaps a vCPU needs before its median is trusted as an interrupt-cost estimate. */
    public static final int MIN_GAPS = 8;
    /** Inactive means at least this many times the interrupt cost. */
    public static final double NOISE_MULTIPLE = 2.0;
    /** Never below this multiple of the recording floor, so loop jitter is never called preemption. */
    public static final int FLOOR_MULTIPLE = 4;

    public static GapThreshold derive(Collection<TimelineSample> samples) {
        long best = Long.MAX_VALUE;
        int basis = -1;
        long floor = 0;
        for (TimelineSample s : samples) {
            floor = Math.max(floor, s.floorNs());
            if (s.gapCount() < MIN_GAPS) {
                continue;
            }
            long median = median(s.gaps());
            if (median < best) {
                best = median;
                basis = s.cpu();
            }
        }
        long minimum = FLOOR_MULTIPLE * Math.max(floor, 1);
        if (basis < 0) {
            return new GapThreshold(floor, minimum, -1);
        }
        long threshold = Math.max(minimum, Math.round(NOISE_MULTIPLE * best));
        return new GapThreshold(best, threshold, basis);
    }

    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
