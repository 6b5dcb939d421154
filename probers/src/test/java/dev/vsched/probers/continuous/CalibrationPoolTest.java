package dev.vsched.probers.continuous;

import static dev.vsched.probers.timeline.Synthetic.repeat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vsched.probers.timeline.GapThreshold;
import dev.vsched.probers.timeline.Synthetic;
import dev.vsched.probers.timeline.TimelineSample;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationPoolTest {
    private static final long WINDOW = 50_000_000L;

    /** A calibration window with {@code own} gaps of its own and a busy loop's guest switches. */
    private static TimelineSample window(int own) {
        return Synthetic.sample(0, WINDOW, 1, repeat(own, 30_000), repeat(8, 3_000_000));
    }

    @Test
    void aBusyVcpuKeepsItsWindowsUntilTheyHoldEnoughGaps() {
        Deque<TimelineSample> pool = new ArrayDeque<>();
        ContinuousProber.pool(pool, window(3));
        ContinuousProber.pool(pool, window(3));
        assertEquals(2, pool.size());
        assertEquals(-1, GapThreshold.derive(pool).basis(), "6 gaps: not measured yet");
        ContinuousProber.pool(pool, window(3));
        assertEquals(3, pool.size());
        assertEquals(0, GapThreshold.derive(pool).basis(), "9 gaps over three windows: measured");
        // the next window has enough gaps of its own: the older ones go
        TimelineSample quiet = window(20);
        ContinuousProber.pool(pool, quiet);
        assertEquals(List.of(quiet), List.copyOf(pool));
    }

    @Test
    void onlyTheWindowsTheThresholdStillNeedsAreKept() {
        Deque<TimelineSample> pool = new ArrayDeque<>();
        TimelineSample a = window(6);
        TimelineSample b = window(5);
        TimelineSample c = window(4);
        ContinuousProber.pool(pool, a);
        ContinuousProber.pool(pool, b);
        ContinuousProber.pool(pool, c);
        // b + c hold 9 gaps: a is no longer needed
        assertEquals(List.of(b, c), List.copyOf(pool));
    }

    @Test
    void aVcpuThatNeverGetsEnoughGapsKeepsABoundedPool() {
        Deque<TimelineSample> pool = new ArrayDeque<>();
        for (int i = 0; i < 3 * ContinuousProber.POOLED_WINDOWS; i++) {
            ContinuousProber.pool(pool, window(0));
        }
        assertEquals(ContinuousProber.POOLED_WINDOWS, pool.size());
    }
}
