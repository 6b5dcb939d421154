package dev.vsched.probers.continuous;

import static dev.vsched.probers.timeline.Synthetic.repeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.timeline.GapThreshold;
import dev.vsched.probers.timeline.Synthetic;
import dev.vsched.probers.timeline.TimelineSample;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationPoolTest {
    private static final long WINDOW = 50_000_000L;

    /** A calibration window of vCPU {@code cpu} with {@code own} gaps of its own and a busy loop's guest switches. */
    private static TimelineSample window(int cpu, int own) {
        return Synthetic.sample(cpu, WINDOW, 1, repeat(own, 30_000), repeat(8, 3_000_000));
    }

    private static TimelineSample window(int own) {
        return window(0, own);
    }

    @Test
    void aBusyVcpuKeepsItsWindowsUntilTheyHoldEnoughGaps() {
        CalibrationPool pool = new CalibrationPool();
        pool.add(window(3));
        pool.add(window(3));
        assertEquals(2, pool.windows(0).size());
        assertEquals(-1, GapThreshold.derive(pool.windows(0)).basis(), "6 gaps: not measured yet");
        pool.add(window(3));
        assertEquals(3, pool.windows(0).size());
        assertEquals(0, GapThreshold.derive(pool.windows(0)).basis(), "9 gaps over three windows: measured");
        // the next window has enough gaps of its own: the older ones go
        TimelineSample quiet = window(20);
        pool.add(quiet);
        assertEquals(List.of(quiet), pool.windows(0));
    }

    @Test
    void onlyTheWindowsTheThresholdStillNeedsAreKept() {
        CalibrationPool pool = new CalibrationPool();
        TimelineSample a = window(6);
        TimelineSample b = window(5);
        TimelineSample c = window(4);
        pool.add(a);
        pool.add(b);
        pool.add(c);
        // b + c hold 9 gaps: a is no longer needed
        assertEquals(List.of(b, c), pool.windows(0));
    }

    @Test
    void aVcpuThatNeverGetsEnoughGapsKeepsABoundedPool() {
        CalibrationPool pool = new CalibrationPool();
        for (int i = 0; i < 3 * CalibrationPool.POOLED_WINDOWS; i++) {
            pool.add(window(0));
        }
        assertEquals(CalibrationPool.POOLED_WINDOWS, pool.windows(0).size());
    }

    @Test
    void eachVcpuPoolsItsOwnWindowsAndAForgottenOneStartsOver() {
        CalibrationPool pool = new CalibrationPool();
        TimelineSample zero = window(0, 20);
        TimelineSample one = window(1, 3);
        pool.add(zero);
        pool.add(one);
        assertEquals(List.of(zero), pool.windows(0), "vCPU 1's few gaps do not displace vCPU 0's window");
        assertEquals(List.of(zero, one), pool.all());
        pool.forget(0);
        assertEquals(List.of(), pool.windows(0));
        assertEquals(List.of(one), pool.all());
        pool.forget(1);
        assertTrue(pool.isEmpty());
    }
}
