package dev.vsched.probers.continuous;

import static dev.vsched.probers.timeline.Synthetic.concat;
import static dev.vsched.probers.timeline.Synthetic.repeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.continuous.ContinuousProber.Config;
import dev.vsched.probers.continuous.ContinuousProber.Snapshot;
import dev.vsched.probers.continuous.ContinuousProber.VcpuState;
import dev.vsched.probers.stats.LatencySummary;
import dev.vsched.probers.timeline.Synthetic;
import dev.vsched.probers.timeline.TimelineSample;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rounds of plain synthetic windows through the assembler: no threads, no clock. */
class RoundAssemblerTest {
    static final long SECOND = 1_000_000_000L;
    static final long WALL = 100_000_000L;
    /** The interrupt cost of the synthetic windows: the threshold derived from them is twice this. */
    static final long NOISE = 25_000L;

    /** A window of {@code cpu}: 250 interrupts, {@code hostGaps} host gaps of {@code hostGapNs} each. */
    static TimelineSample window(int cpu, double rate, int hostGaps, long hostGapNs) {
        return noisyWindow(cpu, rate, NOISE, hostGaps, hostGapNs);
    }

    static TimelineSample noisyWindow(int cpu, double rate, long noiseNs, int hostGaps, long hostGapNs) {
        return Synthetic.sample(cpu, WALL, rate, concat(repeat(250, noiseNs), repeat(hostGaps, hostGapNs)),
                new long[0]);
    }

    /** Ran the whole window. */
    static TimelineSample full(int cpu) {
        return window(cpu, 1.0, 0, 0);
    }

    /** Lost half the window to the host: ten 5 ms gaps. */
    static TimelineSample half(int cpu) {
        return window(cpu, 1.0, 10, 5_000_000L);
    }

    static WindowResult ok(TimelineSample s) {
        return new WindowResult(0, s.cpu(), s, null, false);
    }

    static WindowResult calibration(TimelineSample s) {
        return new WindowResult(0, s.cpu(), s, null, true);
    }

    private final Map<Integer, Double> steal = new HashMap<>();
    private RoundAssembler assembler = new RoundAssembler(Config.of(List.of(0, 1), SECOND, 3_000_000L));
    private long round;

    /** Assembles the next round from these results. */
    Snapshot next(WindowResult... results) {
        Map<Integer, WindowResult> got = new HashMap<>();
        for (WindowResult r : results) {
            got.put(r.cpu(), r);
        }
        long r = round++;
        return assembler.assemble(r, r * SECOND, got, steal);
    }

    @Test
    void speedIsRelativeToTheFastestVcpuOfTheRound() {
        Snapshot s = next(ok(window(0, 4.0, 0, 0)), ok(window(1, 2.0, 0, 0)));
        VcpuState fast = s.vcpus().get(0);
        VcpuState slow = s.vcpus().get(1);
        assertEquals(1.0, fast.speed(), 1e-9);
        assertEquals(1024, fast.capacity());
        assertEquals(0.5, slow.speed(), 1e-9);
        assertEquals(1.0, slow.timeshare(), 1e-9, "a slower core still runs all the time");
        assertEquals(512, slow.capacity());
        // vCPU 0 starved this round: vCPU 1 is the fastest measured in it
        s = next(ok(window(1, 2.0, 0, 0)));
        assertEquals(1.0, s.vcpus().get(1).speed(), 1e-9);
    }

    @Test
    void aVcpuNotSampledYetIsAbsentAndAStarvedOneKeepsItsLastState() {
        Snapshot first = next(ok(half(0)));
        assertEquals(Map.of(0, first.vcpus().get(0)), first.vcpus(), "vCPU 1 has no state before its first window");
        assertTrue(first.vcpus().get(0).fresh());

        next(ok(half(0)), ok(full(1)));
        Snapshot starved = next(ok(full(1)));
        VcpuState kept = starved.vcpus().get(0);
        assertFalse(kept.fresh(), kept.toString());
        assertTrue(kept.available());
        assertEquals(512, kept.capacity());
        assertEquals(512, kept.smoothedCapacity());
        assertEquals(0.5, kept.timeshare(), 1e-9);
        assertEquals(20, kept.inactive().count(), "its two rounds' host gaps");
        assertTrue(starved.vcpus().get(1).fresh());
    }

    @Test
    void aVcpuThatErrsIsUnavailableAndStartsOverWhenItReturns() {
        next(calibration(noisyWindow(0, 1.0, 40_000, 0, 0)), calibration(half(1)));
        Snapshot s = next(ok(full(0)), ok(half(1)));
        assertEquals(1, s.threshold().basis(), "vCPU 1's calibration window is the quieter");
        assertEquals(512, s.vcpus().get(1).smoothedCapacity());
        assertEquals(20, s.vcpus().get(1).inactive().count());

        TimelineSample lost = full(1);
        lost = new TimelineSample(1, WALL, lost.loopNs(), lost.work(), lost.gapNs(), lost.guestSwitch(),
                lost.guestWaitNs(), lost.gapCount(), 0, 0, lost.floorNs(), "vCPU 1 went offline");
        s = next(ok(full(0)), new WindowResult(0, 1, lost, lost.lostCpu(), false));
        VcpuState gone = s.vcpus().get(1);
        assertEquals(new VcpuState(1, false, "vCPU 1 went offline", true, 0, 0, 0, 0, 0, LatencySummary.EMPTY),
                gone);
        assertTrue(s.vcpus().get(0).available());

        s = next(ok(full(0)));
        assertEquals(0, s.threshold().basis(), "from the next round on, vCPU 1's calibration windows are gone");
        assertEquals(new VcpuState(1, false, "vCPU 1 went offline", false, 0, 0, 0, 0, 0, LatencySummary.EMPTY),
                s.vcpus().get(1), "no result this round: still unavailable, not fresh");

        s = next(ok(full(0)), ok(full(1)));
        VcpuState back = s.vcpus().get(1);
        assertTrue(back.available());
        assertNull(back.error());
        assertEquals(1024, back.smoothedCapacity(), "the EMA starts over rather than blending in the old 512");
        assertEquals(0, back.inactive().count(), "the old rounds' inactive periods are forgotten");
    }

    @Test
    void aThreadThatCannotRunReportsOnlyItsError() {
        Snapshot s = next(ok(full(0)), new WindowResult(0, 1, null, "cannot run on vCPU 1: EINVAL", false));
        assertFalse(s.vcpus().get(1).available());
        assertEquals("cannot run on vCPU 1: EINVAL", s.vcpus().get(1).error());
    }

    @Test
    void capacityIsSmoothedWithAHalfLifeOfTwoRounds() {
        assertEquals(1024, next(ok(full(0))).vcpus().get(0).smoothedCapacity());
        double alpha = 1 - Math.pow(0.5, 1 / 2.0);
        double expected = 1024;
        for (int i = 0; i < 3; i++) {
            VcpuState v = next(ok(half(0))).vcpus().get(0);
            expected += alpha * (512 - expected);
            assertEquals(512, v.capacity(), "the round's own capacity is not smoothed");
            assertEquals(Math.round(expected), v.smoothedCapacity(), "round " + i);
        }
        assertTrue(expected > 600, "three rounds at half still remember the full one: " + expected);
    }

    @Test
    void stealDecidesTheTimeshareOfAVcpuTheWindowHardlySaw() {
        // 90 ms of the 100 ms window the guest ran other threads: too thin a sample to judge the vCPU
        TimelineSample thin = Synthetic.sample(0, WALL, 1.0, repeat(250, NOISE), repeat(9, 10_000_000L));
        steal.put(0, 0.3);
        assertEquals(0.7, next(ok(thin)).vcpus().get(0).timeshare(), 1e-9);
    }

    @Test
    void theThresholdComesFromTheCalibrationWindowsOnceThereAreAny() {
        Snapshot s = next(ok(full(0)), ok(full(1)));
        assertEquals(NOISE, s.threshold().noiseNs(), "no calibration yet: the short windows decide");
        assertTrue(s.threshold().measured());

        s = next(calibration(noisyWindow(0, 1.0, 40_000, 0, 0)), ok(full(1)));
        assertEquals(40_000, s.threshold().noiseNs(), "only the calibration window counts now");
        s = next(ok(full(0)), ok(full(1)));
        assertEquals(40_000, s.threshold().noiseNs(), "and it stays pooled");
    }

    @Test
    void aLateCalibrationWindowStillCountsButALateShortOneDoesNot() {
        assembler.late(ok(noisyWindow(0, 1.0, 40_000, 0, 0)));
        assertEquals(NOISE, next(ok(full(0))).threshold().noiseNs());
        assembler.late(calibration(noisyWindow(0, 1.0, 40_000, 0, 0)));
        assertEquals(40_000, next(ok(full(0))).threshold().noiseNs());
    }

    @Test
    void theLatencyDistributionCoversTheLastRoundsAndFollowsTheThreshold() {
        assembler = new RoundAssembler(new Config(List.of(0), SECOND, 3_000_000L, 2, 50_000_000L, 60, SECOND));
        assertEquals(3, next(ok(window(0, 1.0, 3, 1_000_000L))).vcpus().get(0).inactive().count());
        assertEquals(6, next(ok(window(0, 1.0, 3, 2_000_000L))).vcpus().get(0).inactive().count());
        LatencySummary twoRounds = next(ok(window(0, 1.0, 3, 4_000_000L))).vcpus().get(0).inactive();
        assertEquals(6, twoRounds.count(), "the first round fell out of the two covered");
        assertEquals(3 * 2_000_000L + 3 * 4_000_000L, twoRounds.total());
        // a calibration window whose interrupts take 2.5 ms puts the threshold at 5 ms: the last round's
        // 4 ms gaps are re-classified as interrupts
        Snapshot s = next(calibration(Synthetic.sample(0, WALL, 1.0, repeat(20, 2_500_000L), new long[0])));
        assertEquals(5_000_000L, s.threshold().thresholdNs());
        assertEquals(0, s.vcpus().get(0).inactive().count());
    }

    @Test
    void theRoundsSpreadOutOnceTheVcpusHoldStill() {
        assembler = new RoundAssembler(Config.of(List.of(0, 1), SECOND, 3_000_000L).withSteadyPeriod(4 * SECOND));
        Snapshot s = next(ok(full(0)), ok(full(1)));
        assertEquals(SECOND, s.cadenceNs());
        for (int i = 0; i < SteadyCadence.STEADY_ROUNDS; i++) {
            s = next(ok(full(0)), ok(full(1)));
        }
        assertEquals(4 * SECOND, s.cadenceNs());
        s = next(ok(full(0)), new WindowResult(0, 1, null, "vCPU 1 went offline", false));
        assertEquals(SECOND, s.cadenceNs(), "a change brings the rounds back");
        assertEquals("vCPU 1 unavailable", s.lastChange());
    }
}
