package dev.vsched.probers.timeline;

import static dev.vsched.probers.timeline.Synthetic.concat;
import static dev.vsched.probers.timeline.Synthetic.repeat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class GapThresholdTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void thresholdIsTwiceTheQuietestVcpusTickNoise() {
        TimelineSample quiet = Synthetic.sample(0, SECOND, 1, repeat(250, 25_000), new long[0]);
        // A disturbed vCPU: its ticks plus hundreds of long host preemptions; its median is not the noise.
        TimelineSample busy = Synthetic.sample(1, SECOND, 1, concat(repeat(250, 26_000), repeat(400, 3_000_000)),
                new long[0]);
        GapThreshold t = GapThreshold.derive(List.of(busy, quiet));
        assertEquals(25_000, t.noiseNs());
        assertEquals(50_000, t.thresholdNs());
        assertEquals(0, t.basis());
    }

    @Test
    void followsTheNoiseOfTheMachineNotAConstant() {
        // Under TCG an interrupt costs far more; the threshold scales with it.
        TimelineSample tcg = Synthetic.sample(0, SECOND, 1, repeat(100, 180_000), new long[0]);
        assertEquals(360_000, GapThreshold.derive(List.of(tcg)).thresholdNs());
    }

    @Test
    void shortInterruptsDominatingTheMedianRaiseTheThresholdToTheUpperTail() {
        // 600 short IPIs of 6 us and 250 ticks of 25-30 us: 2x the median (12 us) would call every tick
        // a preemption; the 90th percentile keeps all IPIs and most ticks below the threshold.
        long[] ticks = new long[250];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = 25_000 + (i % 6) * 1_000;
        }
        long[] all = concat(repeat(600, 6_000), ticks);
        GapThreshold t = GapThreshold.derive(List.of(Synthetic.sample(0, SECOND, 1, all, new long[0])));
        assertEquals(6_000, t.noiseNs());
        assertEquals(28_000, t.thresholdNs(), "the 90th percentile, within 8x the quartile");
        long above = java.util.Arrays.stream(all).filter(g -> g >= t.thresholdNs()).count();
        assertEquals(124, above, "only the ticks of 28-30 us, the top 15% of this guest's gaps");
    }

    @Test
    void onAFullyStackedVmTheHandoffBoundStillComesFromInterrupts() {
        // Each vCPU runs half the time: 125 ticks of 60 us reach it per second, 170 host gaps of 3 ms.
        long[] gaps = concat(repeat(125, 60_000), repeat(170, 3_000_000));
        List<TimelineSample> all = List.of(Synthetic.sample(0, SECOND, 1, gaps, new long[0]),
                Synthetic.sample(1, SECOND, 1, gaps, new long[0]));
        GapThreshold t = GapThreshold.derive(all);
        assertEquals(60_000, t.noiseNs(), "the lower quartile is still a tick; the median is a host gap");
        assertEquals(120_000, t.thresholdNs(), "every 3 ms host gap counts as inactive");
        assertEquals(120_000, t.handoffNs(), "twice the interrupt cost, far below a 3 ms vCPU switch");
    }

    @Test
    void aTrustedMedianStillSetsTheThresholdWhenSomeHostGapsAreFrequent() {
        // 250 ticks of 20-40 us and 60 host preemptions of 4 ms: the 90th percentile is a host gap.
        long[] ticks = new long[250];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = 20_000 + (i % 5) * 5_000;
        }
        GapThreshold t = GapThreshold.derive(List.of(Synthetic.sample(0, SECOND, 1,
                concat(ticks, repeat(60, 4_000_000)), new long[0])));
        assertEquals(25_000, t.noiseNs());
        assertEquals(70_000, t.thresholdNs(), "2x the median gap (a 35 us tick); the 4 ms gaps stay inactive");
    }

    @Test
    void guestSwitchGapsAreNotNoise() {
        TimelineSample s = Synthetic.sample(0, SECOND, 1, repeat(100, 25_000), repeat(500, 3_000_000));
        assertEquals(25_000, GapThreshold.derive(List.of(s)).noiseNs());
    }

    @Test
    void tooFewGapsFallsBackToAMultipleOfTheFloor() {
        TimelineSample sparse = Synthetic.sample(0, SECOND, 1, repeat(3, 25_000), new long[0]);
        GapThreshold t = GapThreshold.derive(List.of(sparse));
        assertEquals(-1, t.basis());
        assertEquals(GapThreshold.FLOOR_MULTIPLE * 2_000, t.thresholdNs());
    }

    @Test
    void aBusyVcpusWindowsArePooledUntilTheyHoldEnoughGaps() {
        // A calibration window sharing its vCPU with a busy loop: 3 ticks of its own, the rest guest switches.
        long[] switches = repeat(8, 4_000_000);
        TimelineSample w1 = Synthetic.sample(0, SECOND / 20, 1, repeat(3, 30_000), switches);
        TimelineSample w2 = Synthetic.sample(0, SECOND / 20, 1, repeat(3, 32_000), switches);
        TimelineSample w3 = Synthetic.sample(0, SECOND / 20, 1, repeat(2, 31_000), switches);
        assertEquals(-1, GapThreshold.derive(List.of(w1, w2)).basis(), "6 gaps are not enough");
        GapThreshold t = GapThreshold.derive(List.of(w1, w2, w3));
        assertEquals(0, t.basis(), "8 gaps of vCPU 0 over three windows");
        assertEquals(30_000, t.noiseNs());
        // the same gaps spread over two vCPUs are two vCPUs with too few each
        TimelineSample other = Synthetic.sample(1, SECOND / 20, 1, repeat(2, 31_000), switches);
        assertEquals(-1, GapThreshold.derive(List.of(w1, w2, other)).basis());
    }

    @Test
    void neverBelowFourFloors() {
        TimelineSample tiny = Synthetic.sample(0, SECOND, 1, repeat(100, 2_500), new long[0]);
        assertEquals(8_000, GapThreshold.derive(List.of(tiny)).thresholdNs());
    }
}
