package dev.vsched.probers.timeline;

import static dev.vsched.probers.timeline.Synthetic.concat;
import static dev.vsched.probers.timeline.Synthetic.repeat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClassifiedTimelineTest {
    static final long SECOND = 1_000_000_000L;
    static final GapThreshold T = new GapThreshold(25_000, 50_000, 0, 50_000);

    @Test
    void ticksAreActiveHostGapsAreNotGuestGapsAreUnobserved() {
        // 250 ticks of 25 us, 10 host preemptions of 20 ms, 5 guest switches of 10 ms in one second.
        TimelineSample s = Synthetic.sample(3, SECOND, 2.0, concat(repeat(250, 25_000), repeat(10, 20_000_000)),
                repeat(5, 10_000_000));
        ClassifiedTimeline c = ClassifiedTimeline.classify(s, T);
        assertEquals(10, c.hostGapCount());
        assertEquals(200_000_000L, c.hostGapNs());
        assertEquals(5, c.guestGapCount());
        assertEquals(50_000_000L, c.guestGapNs());
        assertEquals(SECOND - 50_000_000L, c.observedNs());
        assertEquals(SECOND - 250_000_000L, c.activeNs());
        assertEquals(750.0 / 950.0, c.activeFraction(), 1e-9);
        assertEquals(10 / 0.95, c.preemptionsPerSecond(), 1e-6);
        assertEquals(2.0, c.workRate(), 1e-3);
        assertEquals(20_000_000L, c.hostGaps().getValueAtPercentile(99), 20_000_000L / 500);
    }

    @Test
    void aGapExactlyAtTheThresholdIsInactive() {
        TimelineSample s = Synthetic.sample(0, SECOND, 1, new long[] {49_999, 50_000}, new long[0]);
        ClassifiedTimeline c = ClassifiedTimeline.classify(s, T);
        assertEquals(1, c.hostGapCount());
        assertEquals(50_000, c.hostGapNs());
    }

    @Test
    void droppedGapsAreClassedByTheirMean() {
        TimelineSample s = new TimelineSample(0, SECOND, SECOND / 2, 100, new long[1], new boolean[1], 0, 10,
                SECOND / 2, 2_000, null);
        ClassifiedTimeline c = ClassifiedTimeline.classify(s, T);
        assertEquals(10, c.hostGapCount());
        assertEquals(0.5, c.activeFraction(), 1e-9);
    }
}
