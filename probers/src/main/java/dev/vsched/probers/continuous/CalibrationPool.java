package dev.vsched.probers.continuous;

import dev.vsched.probers.timeline.GapThreshold;
import dev.vsched.probers.timeline.TimelineSample;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The calibration windows the gap threshold is derived from: per vCPU, its latest calibration window and as
 * many earlier ones as it takes to give the threshold {@link GapThreshold#MIN_GAPS} gaps (a busy vCPU's
 * windows are mostly guest switches), at most {@link #POOLED_WINDOWS}. Not thread-safe: one owner.
 */
final class CalibrationPool {
    /** Calibration windows of one vCPU pooled at most. */
    static final int POOLED_WINDOWS = 16;

    private final Map<Integer, Deque<TimelineSample>> windows = new TreeMap<>();

    /** Adds a vCPU's calibration window and drops the earlier ones the later ones no longer need. */
    void add(TimelineSample sample) {
        Deque<TimelineSample> own = windows.computeIfAbsent(sample.cpu(), c -> new ArrayDeque<>());
        own.addLast(sample);
        int gaps = own.stream().mapToInt(TimelineSample::hostOrNoiseGapCount).sum();
        while (own.size() > POOLED_WINDOWS
                || own.size() > 1 && gaps - own.peekFirst().hostOrNoiseGapCount() >= GapThreshold.MIN_GAPS) {
            gaps -= own.removeFirst().hostOrNoiseGapCount();
        }
    }

    /** Drops a vCPU's windows (it went offline: its next windows come from a new pinning). */
    void forget(int cpu) {
        windows.remove(cpu);
    }

    boolean isEmpty() {
        return windows.isEmpty();
    }

    /** One vCPU's pooled windows, oldest first. */
    List<TimelineSample> windows(int cpu) {
        Deque<TimelineSample> own = windows.get(cpu);
        return own == null ? List.of() : List.copyOf(own);
    }

    /** Every vCPU's pooled windows. */
    List<TimelineSample> all() {
        return windows.values().stream().flatMap(Collection::stream).toList();
    }
}
