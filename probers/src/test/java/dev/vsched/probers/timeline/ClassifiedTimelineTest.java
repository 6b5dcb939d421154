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
    void onlyTheGuestsWaitInASwitchedGapIsUnobserved() {
        // Host throttling, 30% of each 100 ms: after each 70 ms host gap the guest switches to another thread
        // for 5 ms (its wait time), so every gap is a switched one. 10 periods in one second.
        long[] gaps = repeat(10, 75_000_000);
        boolean[] switched = new boolean[10];
        long[] wait = repeat(10, 5_000_000);
        java.util.Arrays.fill(switched, true);
        TimelineSample s = TimelineSample.of(1, SECOND, 250_000_000L, 1000, gaps, switched, wait, 2_000);
        ClassifiedTimeline c = ClassifiedTimeline.classify(s, T);
        assertEquals(10, c.guestGapCount());
        assertEquals(50_000_000L, c.guestGapNs());
        assertEquals(10, c.hostGapCount());
        assertEquals(700_000_000L, c.hostGapNs());
        assertEquals(250.0 / 950.0, c.activeFraction(), 1e-9, "about the 30% quota, not 100%");
    }

    @Test
    void aSwitchedGapsRestBelowTheThresholdIsActiveAndAWaitPastTheGapIsCapped() {
        TimelineSample s = TimelineSample.of(0, SECOND, SECOND / 2, 100, new long[] {1_000_000, 1_000_000},
                new boolean[] {true, true}, new long[] {990_000, 5_000_000}, 2_000);
        ClassifiedTimeline c = ClassifiedTimeline.classify(s, T);
        assertEquals(2, c.guestGapCount());
        assertEquals(1_990_000L, c.guestGapNs());
        assertEquals(0, c.hostGapCount());
        assertEquals(SECOND / 2 + 10_000, c.activeNs());
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
        TimelineSample s = new TimelineSample(0, SECOND, SECOND / 2, 100, new long[1], new boolean[1], new long[1], 0, 10,
                SECOND / 2, 2_000, null);
        ClassifiedTimeline c = ClassifiedTimeline.classify(s, T);
        assertEquals(10, c.hostGapCount());
        assertEquals(0.5, c.activeFraction(), 1e-9);
        assertEquals(10, c.hostGaps().getTotalCount(), "the dropped gaps are in the distribution");
        assertEquals(SECOND / 20, c.hostGaps().getValueAtPercentile(50), SECOND / 20 / 500);
    }
}
