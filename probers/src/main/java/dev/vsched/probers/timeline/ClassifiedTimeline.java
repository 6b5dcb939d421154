package dev.vsched.probers.timeline;

import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * A timeline with its gaps classified against a {@link GapThreshold}:
 * <ul>
 *   <li>noise: shorter than the threshold; the vCPU was running (its own interrupts), counted as active;</li>
 *   <li>host gaps: at or above the threshold with no guest context switch: the hypervisor did not run the vCPU;</li>
 *   <li>guest gaps: the guest scheduler ran another thread; the vCPU's state then is not observed, so that
 *       time is left out of both active and observed time. Only the part the thread waited on the guest's
 *       runqueue is guest time: the rest the guest believed it was running it, so that part is classed like
 *       any other gap. This matters under host throttling: the guest's tick after a long host gap finds the
 *       thread's slice used up and switches, and counting the whole gap as guest time hid the host gap (vCAP
 *       read a 30% quota as 40%).</li>
 * </ul>
 *
 * @param observedNs   time the vCPU's state was observed (active + host gaps)
 * @param activeNs     of which the vCPU was running
 * @param hostGapLengths the recorded host gaps' lengths in ns (capped at {@link #MAX_TRACKED_NS}); gaps past
 *                     the sample's recording capacity that class as host gaps are counted in {@code hostGapCount}
 *                     only. Plain lengths, not a histogram: the agent keeps a few dozen of these per vCPU, and a
 *                     3-digit histogram per timeline cost it 200 KB per vCPU and second (its main CPU cost under
 *                     emulation).
 * @param workRate     work chunks per ns of loop time (raw speed, before normalisation across vCPUs)
 */
public record ClassifiedTimeline(TimelineSample sample, GapThreshold threshold, long observedNs, long activeNs,
                                 long hostGapCount, long hostGapNs, long[] hostGapLengths, long guestGapCount,
                                 long guestGapNs, double workRate) {

    /** Longest gap the histogram keeps at full precision: one minute. */
    static final long MAX_TRACKED_NS = 60_000_000_000L;

    public static ClassifiedTimeline classify(TimelineSample s, GapThreshold t) {
        long[] lengths = new long[s.gapCount()];
        int recorded = 0;
        long active = s.loopNs();
        long hostCount = 0;
        long hostNs = 0;
        long guestCount = 0;
        long guestNs = 0;
        long[] gaps = s.gapNs();
        boolean[] guest = s.guestSwitch();
        for (int i = 0; i < s.gapCount(); i++) {
            long g = gaps[i];
            if (guest[i]) {
                long inGuest = s.guestPartNs(i);
                guestCount++;
                guestNs += inGuest;
                g -= inGuest;
            }
            if (g <= 0) {
                continue;
            } else if (g >= t.thresholdNs()) {
                hostCount++;
                hostNs += g;
                lengths[recorded++] = Math.min(g, MAX_TRACKED_NS);
            } else {
                active += g;
            }
        }
        if (s.droppedGaps() > 0) {
            // Gaps past the recording capacity are known only in total; class them by their mean length.
            long mean = s.droppedGapNs() / s.droppedGaps();
            if (mean >= t.thresholdNs()) {
                hostCount += s.droppedGaps();
                hostNs += s.droppedGapNs();
            } else {
                active += s.droppedGapNs();
            }
        }
        double rate = s.loopNs() > 0 ? (double) s.work() / s.loopNs() : 0.0;
        return new ClassifiedTimeline(s, t, active + hostNs, active, hostCount, hostNs, Arrays.copyOf(lengths, recorded), guestCount, guestNs,
                rate);
    }

    /** A histogram able to hold any host gap, at the precision the reports use (3 significant digits). */
    public static Histogram newHostGapHistogram() {
        return new Histogram(MAX_TRACKED_NS, 3);
    }

    /** Records every host gap into {@code h}; those past the recording capacity at their mean length. */
    public void recordHostGaps(Histogram h) {
        for (long g : hostGapLengths) {
            h.recordValue(g);
        }
        long dropped = hostGapCount - hostGapLengths.length;
        if (dropped > 0) {
            h.recordValueWithCount(Math.min(sample.droppedGapNs() / sample.droppedGaps(), MAX_TRACKED_NS), dropped);
        }
    }

    /** The host-gap length distribution (the vCPU latency distribution), built on each call. */
    public Histogram hostGaps() {
        Histogram h = newHostGapHistogram();
        recordHostGaps(h);
        return h;
    }

    /** Fraction of observed time the vCPU was running; 0 if nothing was observed. */
    public double activeFraction() {
        return observedNs > 0 ? (double) activeNs / observedNs : 0.0;
    }

    /** Host preemptions per second of observed time. */
    public double preemptionsPerSecond() {
        return observedNs > 0 ? hostGapCount * 1e9 / observedNs : 0.0;
    }
}
