package dev.vsched.probers.timeline;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Derives the gap length above which a timeline gap counts as the vCPU being inactive, from the measured
 * noise rather than a constant. A busy pinned thread sees the guest's own timer tick and other interrupts
 * as short gaps; host preemptions are longer. Which of the two is more frequent depends on the VM: on a
 * quiet one ticks dominate; on one whose vCPUs are all stacked, host preemptions outnumber the ticks a
 * thread sees (ticks due while the vCPU is descheduled arrive merged into the gap); a guest busy with IPIs
 * shows many gaps shorter than a tick. So no single quantile is the interrupt cost. The lower quartile of
 * the quietest vCPU's gaps always is one; its median and 90th percentile are trusted as interrupts too
 * as long as they stay within {@link #INTERRUPT_SPREAD} times that quartile (interrupt service times vary
 * a few-fold, a host timeslice is one or more orders of magnitude longer). The threshold is the largest
 * of twice the quartile, twice a trusted median and a trusted 90th percentile. Under TCG interrupts cost
 * tens of microseconds, on a bare-metal-like VM a few: the threshold follows.
 *
 * @param noiseNs     the interrupt cost: the lower quartile of the quietest vCPU's gaps
 * @param thresholdNs gaps at or above this are inactive periods
 * @param basis       which vCPU the noise came from, or -1 if no vCPU had enough gaps (its samples pooled)
 * @param handoffNs   a cache-line handoff at least this slow waited for a vCPU switch (vTOP's stacked
 *                    bound): twice the interrupt cost
 */
public record GapThreshold(long noiseNs, long thresholdNs, int basis, long handoffNs) {
    /** Gaps a vCPU needs before its distribution is trusted as an interrupt-cost estimate. */
    public static final int MIN_GAPS = 8;
    /** Inactive means at least this many times the interrupt cost. */
    public static final double NOISE_MULTIPLE = 2.0;
    /** Upper quantile of the quietest vCPU's gaps that the threshold covers when it is interrupt-scale. */
    public static final double NOISE_QUANTILE = 0.90;
    /** Quantiles up to this many times the lower quartile still describe interrupts, not host gaps. */
    public static final long INTERRUPT_SPREAD = 8;
    /** Never below this multiple of the recording floor, so loop jitter is never called preemption. */
    public static final int FLOOR_MULTIPLE = 4;

    /**
     * Samples of one vCPU are pooled: on a busy vCPU a calibration window sees mostly guest switches (the
     * probe thread shares it), so several windows together may be needed for {@link #MIN_GAPS}.
     */
    public static GapThreshold derive(Collection<TimelineSample> samples) {
        long floor = 0;
        Map<Integer, long[]> pooled = new TreeMap<>();
        for (TimelineSample s : samples) {
            floor = Math.max(floor, s.floorNs());
            pooled.merge(s.cpu(), s.hostOrNoiseGaps(), GapThreshold::concat);
        }
        long[] best = null;
        int basis = -1;
        for (Map.Entry<Integer, long[]> e : pooled.entrySet()) {
            long[] own = e.getValue();
            if (own.length < MIN_GAPS) {
                continue;
            }
            Arrays.sort(own);
            if (best == null || own[own.length / 4] < best[best.length / 4]) {
                best = own;
                basis = e.getKey();
            }
        }
        long minimum = FLOOR_MULTIPLE * Math.max(floor, 1);
        if (best == null) {
            return new GapThreshold(floor, minimum, -1, minimum);
        }
        long quartile = best[best.length / 4];
        long median = best[best.length / 2];
        long upper = best[(int) Math.min(best.length - 1, Math.floor(NOISE_QUANTILE * best.length))];
        long cap = INTERRUPT_SPREAD * quartile;
        long threshold = Math.round(NOISE_MULTIPLE * quartile);
        if (NOISE_MULTIPLE * median <= cap) {
            threshold = Math.max(threshold, Math.round(NOISE_MULTIPLE * median));
        }
        if (upper <= cap) {
            threshold = Math.max(threshold, upper);
        }
        long handoff = Math.max(minimum, Math.round(NOISE_MULTIPLE * quartile));
        return new GapThreshold(quartile, Math.max(minimum, threshold), basis, handoff);
    }

    /** False when no vCPU had enough gaps: the threshold is only a floor multiple, not a measurement. */
    public boolean measured() {
        return basis >= 0;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
