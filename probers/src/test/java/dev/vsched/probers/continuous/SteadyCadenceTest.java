package dev.vsched.probers.continuous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vsched.probers.stats.LatencySummary;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SteadyCadenceTest {
    private static ContinuousProber.VcpuState vcpu(int cpu, int capacity) {
        return new ContinuousProber.VcpuState(cpu, true, null, true, capacity, capacity, 1, 1, 1,
                LatencySummary.EMPTY);
    }

    private static ContinuousProber.VcpuState stale(int cpu, int capacity) {
        return new ContinuousProber.VcpuState(cpu, true, null, false, capacity, capacity, 1, 1, 1,
                LatencySummary.EMPTY);
    }

    private static ContinuousProber.VcpuState offline(int cpu) {
        return new ContinuousProber.VcpuState(cpu, false, "offline", true, 0, 0, 0, 0, 0, LatencySummary.EMPTY);
    }

    /** Feeds the same two-vCPU state until steady; returns the rounds it took. */
    private static int settle(SteadyCadence c, int cap0, int cap1) {
        for (int i = 1; i <= 100; i++) {
            if (c.observe(Map.of(0, vcpu(0, cap0), 1, vcpu(1, cap1)), true) > 1) {
                return i;
            }
        }
        throw new AssertionError("never steady");
    }

    @Test
    void spreadsOutOnlyAfterEnoughStillRounds() {
        SteadyCadence c = new SteadyCadence(4);
        assertEquals(1, c.current());
        // the first round sets the reference, then STEADY_ROUNDS still rounds
        assertEquals(SteadyCadence.STEADY_ROUNDS + 1, settle(c, 1000, 990));
        assertEquals(4, c.observe(Map.of(0, vcpu(0, 1000 - SteadyCadence.CAPACITY_TOLERANCE), 1, vcpu(1, 990)),
                true), "a change within the tolerance keeps the cadence");
    }

    @Test
    void aCapacityChangeBringsEveryRoundBack() {
        SteadyCadence c = new SteadyCadence(4);
        settle(c, 1000, 1000);
        assertEquals(1, c.observe(Map.of(0, vcpu(0, 1000), 1, vcpu(1, 500)), true));
        assertEquals("vCPU 1 capacity 1000 -> 500", c.lastChange());
        // and the new level must hold still again, from scratch
        for (int i = 0; i < SteadyCadence.STEADY_ROUNDS - 1; i++) {
            assertEquals(1, c.observe(Map.of(0, vcpu(0, 1000), 1, vcpu(1, 500)), true));
        }
        assertEquals(4, c.observe(Map.of(0, vcpu(0, 1000), 1, vcpu(1, 500)), true));
    }

    @Test
    void slowDriftIsMeasuredFromTheStreaksStart() {
        SteadyCadence c = new SteadyCadence(4);
        settle(c, 1000, 1000);
        int cap = 1000;
        int stride = 4;
        // 40 per round is under the tolerance each time, but not in sum
        for (int i = 0; i < 10 && stride > 1; i++) {
            cap -= 40;
            stride = c.observe(Map.of(0, vcpu(0, cap), 1, vcpu(1, 1000)), true);
        }
        assertEquals(1, stride, "drift past the tolerance since the streak began is a change");
    }

    @Test
    void availabilityAndThresholdChangesCount() {
        SteadyCadence c = new SteadyCadence(4);
        settle(c, 1000, 1000);
        assertEquals(1, c.observe(Map.of(0, vcpu(0, 1000), 1, offline(1)), true), "a vCPU went offline");
        assertEquals("vCPU 1 unavailable", c.lastChange());
        c = new SteadyCadence(4);
        settle(c, 1000, 1000);
        assertEquals(1, c.observe(Map.of(0, vcpu(0, 1000)), true), "a vCPU left the set");
        c = new SteadyCadence(4);
        settle(c, 1000, 1000);
        assertEquals(1, c.observe(Map.of(0, vcpu(0, 1000), 1, vcpu(1, 1000)), false), "threshold not measured");
    }

    @Test
    void aRoundWithoutAFreshSampleSaysNothing() {
        SteadyCadence c = new SteadyCadence(4);
        settle(c, 1000, 1000);
        // a starved probe thread: the state carried over, whatever it shows, is no evidence
        assertEquals(4, c.observe(Map.of(0, vcpu(0, 1000), 1, stale(1, 300)), true));
    }

    @Test
    void strideOneNeverSpreads() {
        SteadyCadence c = new SteadyCadence(1);
        for (int i = 0; i < 50; i++) {
            assertEquals(1, c.observe(Map.of(0, vcpu(0, 1000)), true));
        }
        assertThrows(IllegalArgumentException.class, () -> new SteadyCadence(0));
    }
}
