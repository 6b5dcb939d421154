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
    void tooFewGapsFallsBackToAMultipleOfTheFloor() {
        TimelineSample sparse = Synthetic.sample(0, SECOND, 1, repeat(3, 25_000), new long[0]);
        GapThreshold t = GapThreshold.derive(List.of(sparse));
        assertEquals(-1, t.basis());
        assertEquals(GapThreshold.FLOOR_MULTIPLE * 2_000, t.thresholdNs());
    }

    @Test
    void neverBelowFourFloors() {
        TimelineSample tiny = Synthetic.sample(0, SECOND, 1, repeat(100, 2_500), new long[0]);
        assertEquals(8_000, GapThreshold.derive(List.of(tiny)).thresholdNs());
    }
}
