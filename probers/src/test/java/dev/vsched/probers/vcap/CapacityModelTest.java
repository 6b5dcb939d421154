package dev.vsched.probers.vcap;

import static dev.vsched.probers.timeline.Synthetic.concat;
import static dev.vsched.probers.timeline.Synthetic.repeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.timeline.ClassifiedTimeline;
import dev.vsched.probers.timeline.GapThreshold;
import dev.vsched.probers.timeline.Synthetic;
import dev.vsched.probers.timeline.TimelineSample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapacityModelTest {
    static final long SECOND = 1_000_000_000L;
    static final GapThreshold T = new GapThreshold(25_000, 50_000, 0, 50_000);

    static ClassifiedTimeline timeline(int cpu, double rate, long hostGapNs, int hostGaps) {
        return ClassifiedTimeline.classify(Synthetic.sample(cpu, SECOND, rate,
                concat(repeat(250, 25_000), repeat(hostGaps, hostGapNs)), new long[0]), T);
    }

    @Test
    void capacityIsTimeshareTimesRelativeSpeedOn1024() {
        List<VcapResult> r = CapacityModel.compute(List.of(
                timeline(0, 4.0, 0, 0),                 // full time, full speed
                timeline(1, 4.0, 5_000_000, 100),       // lost half its time
                timeline(2, 2.0, 0, 0)),                // full time, half speed (busy SMT sibling)
                Map.of());
        assertEquals(1.0, r.get(0).timeshare(), 1e-9);
        assertEquals(1024, r.get(0).capacity());
        assertEquals(0.5, r.get(1).timeshare(), 1e-9);
        assertEquals(1.0, r.get(1).speed(), 1e-3);
        assertEquals(512, r.get(1).capacity(), 1);
        assertEquals(0.5, r.get(2).speed(), 1e-3);
        assertEquals(512, r.get(2).capacity(), 1);
        r.forEach(v -> assertFalse(v.straggler()));
    }

    @Test
    void aVcpuUnderOneFifthOfTheBestIsAStraggler() {
        List<VcapResult> r = CapacityModel.compute(List.of(
                timeline(0, 1.0, 0, 0),
                timeline(1, 1.0, 9_000_000, 95)), Map.of());     // ran ~14.5% of the time
        assertTrue(r.get(1).straggler(), r.get(1).toString());
        assertFalse(r.get(0).straggler());
        assertTrue(r.get(1).capacity() < 0.2 * 1024);
    }

    @Test
    void stealIsUsedOnlyWhenTheTimelineSawTooLittle() {
        // The probe thread was switched out by guest work for 90% of the window (light mode on a busy vCPU).
        TimelineSample thin = Synthetic.sample(0, SECOND, 1.0, repeat(10, 25_000), repeat(9, 100_000_000));
        ClassifiedTimeline c = ClassifiedTimeline.classify(thin, T);
        VcapResult r = CapacityModel.compute(List.of(c), Map.of(0, 0.3)).getFirst();
        assertEquals(0.7, r.timeshare(), 1e-9);
        assertEquals(0.3, r.stealFraction(), 1e-9);
        assertEquals(c.activeFraction(), CapacityModel.compute(List.of(c), Map.of(0, 0.0)).getFirst().timeshare(),
                1e-9, "steal that never moved (no steal clock) does not make a thin timeline read as 100%");
        ClassifiedTimeline full = timeline(0, 1.0, 0, 0);
        assertEquals(1.0, CapacityModel.compute(List.of(full), Map.of(0, 0.3)).getFirst().timeshare(), 1e-9,
                "a well-observed timeline is trusted over steal");
    }

    @Test
    void smootherHalvesAStepEveryTwoRounds() {
        CapacitySmoother s = new CapacitySmoother();
        VcapResult high = new VcapResult(0, 1, 1, 1024, false, 0, SECOND, SECOND);
        VcapResult low = new VcapResult(0, 0, 1, 0, false, 0, SECOND, 0);
        assertEquals(1024, s.update(high));
        s.update(low);
        assertEquals(512, s.update(low));
    }
}
