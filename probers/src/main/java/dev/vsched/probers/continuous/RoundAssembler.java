package dev.vsched.probers.continuous;

import dev.vsched.probers.continuous.ContinuousProber.Snapshot;
import dev.vsched.probers.continuous.ContinuousProber.VcpuState;
import dev.vsched.probers.stats.LatencySummary;
import dev.vsched.probers.timeline.ClassifiedTimeline;
import dev.vsched.probers.timeline.GapThreshold;
import dev.vsched.probers.timeline.TimelineSample;
import dev.vsched.probers.vcap.CapacityModel;
import dev.vsched.probers.vcap.CapacitySmoother;
import dev.vsched.probers.vcap.VcapResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns one round's windows into the {@link Snapshot} the agent reads, keeping what carries over between
 * rounds: the calibration pool the gap threshold comes from, each vCPU's recent windows (its latency
 * distribution), the capacity EMA, the last state of every vCPU, and the steady cadence. Given the same
 * rounds it gives the same snapshots: it starts no thread, reads no clock and does no I/O, so the
 * {@link ContinuousProber}'s threads feed it and tests can feed it plain samples. Not thread-safe: one owner.
 * <p>
 * A vCPU's state in a round: unavailable with the reason if its worker reported an error (and its
 * history is dropped, as a re-pinned thread starts over); measured if its window came in; otherwise
 * the previous state marked not fresh (a starved SCHED_IDLE worker); absent until it was first seen.
 */
final class RoundAssembler {
    private final ContinuousProber.Config config;
    private final CalibrationPool calibration = new CalibrationPool();
    private final InactiveHistory history;
    private final CapacitySmoother smoother = new CapacitySmoother();
    private final SteadyCadence cadence;
    private final Map<Integer, VcpuState> last = new TreeMap<>();

    RoundAssembler(ContinuousProber.Config config) {
        this.config = config;
        this.history = new InactiveHistory(config.historyRounds());
        this.cadence = new SteadyCadence(config.steadyStride());
    }

    /**
     * @param round          the round's number
     * @param atNanos        when its windows were collected (the caller's clock)
     * @param results        per vCPU, the window results that came in for this round (absent: none came)
     * @param stealFractions per vCPU, steal over wall time during the round (absent: unknown)
     */
    Snapshot assemble(long round, long atNanos, Map<Integer, WindowResult> results,
                      Map<Integer, Double> stealFractions) {
        List<TimelineSample> fresh = new ArrayList<>();
        for (WindowResult r : results.values()) {
            if (r.usable()) {
                TimelineSample sample = r.sample().trimmed();
                fresh.add(sample);
                if (r.calibrating()) {
                    calibration.add(sample);
                }
            }
        }
        // Until a calibration window has come in, the short windows themselves are the only evidence.
        GapThreshold threshold = GapThreshold.derive(calibration.isEmpty() ? fresh : calibration.all());
        Map<Integer, ClassifiedTimeline> classified = new HashMap<>();
        for (TimelineSample sample : fresh) {
            ClassifiedTimeline c = ClassifiedTimeline.classify(sample, threshold);
            classified.put(sample.cpu(), c);
            history.add(c);
        }
        // Speed is relative to the fastest vCPU measured in this same round.
        Map<Integer, VcapResult> capacities = new HashMap<>();
        for (VcapResult c : CapacityModel.compute(List.copyOf(classified.values()), stealFractions)) {
            capacities.put(c.cpu(), c);
        }
        for (int cpu : config.cpus()) {
            WindowResult r = results.get(cpu);
            VcpuState prev = last.get(cpu);
            if (r != null && r.error() != null) {
                smoother.forget(cpu);
                history.forget(cpu);
                calibration.forget(cpu);
                last.put(cpu, new VcpuState(cpu, false, r.error(), true, 0, 0, 0, 0, 0, LatencySummary.EMPTY));
            } else if (capacities.containsKey(cpu)) {
                VcapResult c = capacities.get(cpu);
                last.put(cpu, new VcpuState(cpu, true, null, true, c.capacity(), smoother.update(c), c.timeshare(),
                        c.speed(), classified.get(cpu).activeFraction(), history.summary(cpu, threshold)));
            } else if (prev != null) {
                last.put(cpu, new VcpuState(cpu, prev.available(), prev.error(), false, prev.capacity(),
                        prev.smoothedCapacity(), prev.timeshare(), prev.speed(), prev.activeFraction(),
                        prev.inactive()));
            }
        }
        Map<Integer, VcpuState> states = Map.copyOf(last);
        int stride = cadence.observe(states, threshold.measured());
        return new Snapshot(round, atNanos, threshold, states, stride * config.periodNs(), cadence.lastChange());
    }

    /** A result that came in after its round was assembled: its calibration window still counts. */
    void late(WindowResult r) {
        if (r.calibrating() && r.usable()) {
            calibration.add(r.sample().trimmed());
        }
    }
}
