package dev.vsched.probers.timeline;

import java.util.Arrays;
import java.util.Collection;

/**
 * Derives the gap length above which a timeline gap counts as the vCPU being inactive, from the measured
 * noise rather than a constant. A busy pinned thread sees the guest's own timer tick and other interrupts
 * as short gaps, hundreds per second; host preemptions are longer and, on all but the most disturbed vCPU,
 * rarer. So the gaps of the quietest vCPU (lowest median) describe this guest's interrupt cost: a gap counts
 * as inactive at twice their median, or at their 90th percentile if that is higher (a guest busy with
 * short IPIs has a low median but its ticks and softirqs sit in the upper tail). Under TCG interrupts cost
 * tens of microseconds, on a bare-metal-like VM a few: the threshold follows.
 *
 * <p>vTOP needs a different bound: the shortest handoff only a vCPU switch explains. On a VM whose vCPUs
 * are all stacked, host preemptions outnumber the interrupts a thread sees (the ticks that fall while the
 * vCPU is descheduled arrive merged into the gap), so the median is a host gap. The lower quartile of the
 * quietest vCPU's gaps is still an interrupt: {@link #handoffNs} is twice that.
 *
 * @param noiseNs     the typical interrupt-sized gap (median gap of the quietest vCPU)
 * @param thresholdNs gaps at or above this are inactive periods
 * @param basis       which vCPU the noise came from, or -1 if no vCPU had enough gaps
 * @param handoffNs   a cache-line handoff at least this slow waited for a vCPU switch (vTOP's stacked bound)
 */
public record GapThreshold(long noiseNs, long thresholdNs, int basis, long handoffNs) {
    /** Gaps a vCPU needs before its distribution is trusted as an interrupt-cost estimate. */
    public static final int MIN_GAPS = 8;
    /** Inactive means at least this many times the interrupt cost. */
    public static final double NOISE_MULTIPLE = 2.0;
    /** ...and at least this quantile of the quietest vCPU's gaps. */
    public static final double NOISE_QUANTILE = 0.90;
    /** Never below this multiple of the recording floor, so loop jitter is never called preemption. */
    public static final int FLOOR_MULTIPLE = 4;

    public static GapThreshold derive(Collection<TimelineSample> samples) {
        long[] best = null;
        long lowestQuartile = Long.MAX_VALUE;
        int basis = -1;
        long floor = 0;
        for (TimelineSample s : samples) {
            floor = Math.max(floor, s.floorNs());
            long[] own = s.hostOrNoiseGaps();
            if (own.length < MIN_GAPS) {
                continue;
            }
            Arrays.sort(own);
            if (best == null || own[own.length / 2] < best[best.length / 2]) {
                best = own;
                basis = s.cpu();
            }
            lowestQuartile = Math.min(lowestQuartile, own[own.length / 4]);
        }
        long minimum = FLOOR_MULTIPLE * Math.max(floor, 1);
        if (best == null) {
            return new GapThreshold(floor, minimum, -1, minimum);
        }
        long median = best[best.length / 2];
        long upper = best[(int) Math.min(best.length - 1, Math.floor(NOISE_QUANTILE * best.length))];
        long threshold = Math.max(minimum, Math.max(Math.round(NOISE_MULTIPLE * median), upper));
        long handoff = Math.max(minimum, Math.round(NOISE_MULTIPLE * lowestQuartile));
        return new GapThreshold(median, threshold, basis, handoff);
    }

    /** False when no vCPU had enough gaps: the threshold is only a floor multiple, not a measurement. */
    public boolean measured() {
        return basis >= 0;
    }

    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
