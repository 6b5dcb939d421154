package dev.vsched.probers.timeline;

import java.util.Arrays;

/**
 * What one pinned probe thread saw on one vCPU: the time it observed itself running, the work it did then,
 * and every gap in its timeline above the recording floor, each flagged when the guest scheduler switched
 * the thread out during it. Classifying the gaps (tick noise, host preemption, guest preemption) needs the
 * threshold derived across all vCPUs, so it happens later in {@link GapClassifier}.
 *
 * @param cpu          the vCPU probed
 * @param wallNs       wall time from the first to the last timestamp
 * @param loopNs       sum of the short intervals between timestamps (the thread ran and saw no gap)
 * @param work         work chunks completed in those short intervals
 * @param gapNs        lengths of the recorded gaps (only the first {@code gapCount} entries are valid)
 * @param guestSwitch  per gap: the thread's schedstat timeslice count moved, i.e. the guest ran something else
 * @param guestWaitNs  per gap: how long of it the guest kept the thread waiting on its runqueue (schedstat's
 *                     wait time); the rest of a switched gap the guest believed the thread was running
 * @param gapCount     valid entries in {@code gapNs}
 * @param droppedGaps  gaps beyond the recording capacity (counted, not recorded)
 * @param droppedGapNs their total length
 * @param floorNs      gaps at or below this were treated as loop jitter and counted in {@code loopNs}
 * @param lostCpu      null, or why the thread stopped running on {@code cpu} (offline, affinity changed)
 */
public record TimelineSample(int cpu, long wallNs, long loopNs, long work, long[] gapNs, boolean[] guestSwitch,
                             long[] guestWaitNs, int gapCount, long droppedGaps, long droppedGapNs, long floorNs,
                             String lostCpu) {

    public TimelineSample {
        if (gapCount < 0 || gapCount > gapNs.length || gapNs.length != guestSwitch.length
                || gapNs.length != guestWaitNs.length) {
            throw new IllegalArgumentException("inconsistent gap arrays for cpu " + cpu);
        }
    }

    /** The recorded gap lengths, trimmed. */
    public long[] gaps() {
        return Arrays.copyOf(gapNs, gapCount);
    }

    /** The gaps during which the guest did not switch threads: interrupts and host preemptions. */
    public long[] hostOrNoiseGaps() {
        long[] out = new long[gapCount];
        int n = 0;
        for (int i = 0; i < gapCount; i++) {
            if (!guestSwitch[i]) {
                out[n++] = gapNs[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** How many gaps {@link #hostOrNoiseGaps()} returns, without copying them. */
    public int hostOrNoiseGapCount() {
        int n = 0;
        for (int i = 0; i < gapCount; i++) {
            if (!guestSwitch[i]) {
                n++;
            }
        }
        return n;
    }

    /**
     * This sample with its gap arrays cut to {@code gapCount}: a timeline records into arrays sized for its
     * capacity (4096 gaps, 70 KB), and whoever keeps samples for a while should not keep that slack.
     */
    public TimelineSample trimmed() {
        if (gapNs.length == gapCount) {
            return this;
        }
        return new TimelineSample(cpu, wallNs, loopNs, work, Arrays.copyOf(gapNs, gapCount),
                Arrays.copyOf(guestSwitch, gapCount), Arrays.copyOf(guestWaitNs, gapCount), gapCount, droppedGaps,
                droppedGapNs, floorNs, lostCpu);
    }

    public boolean available() {
        return lostCpu == null;
    }

    /** The part of gap {@code i} the guest kept the thread off its vCPU: its wait time, at most the gap. */
    public long guestPartNs(int i) {
        return guestSwitch[i] ? Math.min(gapNs[i], Math.max(0, guestWaitNs[i])) : 0;
    }

    /** Builds a sample from explicit gaps; a switched gap is guest time throughout (tests, synthetic data). */
    public static TimelineSample of(int cpu, long wallNs, long loopNs, long work, long[] gaps, boolean[] guest,
                                    long floorNs) {
        long[] wait = new long[gaps.length];
        for (int i = 0; i < gaps.length; i++) {
            wait[i] = guest[i] ? gaps[i] : 0;
        }
        return of(cpu, wallNs, loopNs, work, gaps, guest, wait, floorNs);
    }

    /** Builds a sample from explicit gaps and the guest's wait time in each (tests and synthetic data). */
    public static TimelineSample of(int cpu, long wallNs, long loopNs, long work, long[] gaps, boolean[] guest,
                                    long[] guestWaitNs, long floorNs) {
        return new TimelineSample(cpu, wallNs, loopNs, work, gaps.clone(), guest.clone(), guestWaitNs.clone(),
                gaps.length, 0, 0, floorNs, null);
    }
}
