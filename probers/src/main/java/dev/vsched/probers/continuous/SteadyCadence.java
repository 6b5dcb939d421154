package dev.vsched.probers.continuous;

import java.util.HashMap;
import java.util.Map;

/**
 * How often the continuous prober runs a round: every period while anything moves, and only every
 * {@code stride}-th period once every vCPU held still for {@link #STEADY_ROUNDS} probed rounds. On a
 * VM whose vCPUs do not change, most of the agent's cost is the rounds themselves (wake-ups, windows,
 * planning, map writes); the in-kernel vACT keeps running between them. The first round that shows a
 * change goes back to every period, so a change costs at most one stride more to notice, and the
 * planner's hysteresis then runs at the full rate.
 * <p>
 * "Still" is judged against the states at the start of the streak, not the previous round, so slow
 * drift cannot creep past the tolerance one small step at a time. A round that brought no fresh sample
 * for a vCPU (its SCHED_IDLE probe thread was starved) says nothing about it either way.
 */
final class SteadyCadence {
    /** Probed rounds without change before the rounds spread out. */
    static final int STEADY_ROUNDS = 10;
    /**
     * Smoothed capacity change that counts as a change: 25% of full scale. What RWC acts on, a straggler
     * under 20% of the best, is a far larger move, and a smaller change is still applied, only at the
     * steady cadence. (Under TCG on this 2-core host an idle vCPU's smoothed capacity moved between 530 and
     * 940 within minutes, host contention the probe rightly sees, so there the rounds fall back to every
     * period every few tens of seconds.)
     */
    static final int CAPACITY_TOLERANCE = 256;

    private final int stride;
    private final Map<Integer, ContinuousProber.VcpuState> reference = new HashMap<>();
    private int stillRounds;
    private String change = "start";

    /** @param stride periods between rounds once steady (1: always every period) */
    SteadyCadence(int stride) {
        if (stride < 1) {
            throw new IllegalArgumentException("stride must be at least 1, got " + stride);
        }
        this.stride = stride;
    }

    /**
     * Takes one published round and returns the stride from the next round on.
     *
     * @param measured whether the gap threshold is measured (until then nothing is known to be still)
     */
    int observe(Map<Integer, ContinuousProber.VcpuState> vcpus, boolean measured) {
        String moved = measured ? moved(vcpus) : "gap threshold not measured";
        if (moved != null) {
            change = moved;
            reference.clear();
            reference.putAll(vcpus);
            stillRounds = 0;
        } else {
            stillRounds++;
        }
        return current();
    }

    int current() {
        return stillRounds >= STEADY_ROUNDS ? stride : 1;
    }

    /** The latest change that reset the streak, in words. */
    String lastChange() {
        return change;
    }

    /** What moved since the streak began, or null. */
    private String moved(Map<Integer, ContinuousProber.VcpuState> vcpus) {
        if (!vcpus.keySet().equals(reference.keySet())) {
            return "vCPUs " + reference.keySet() + " -> " + vcpus.keySet();
        }
        for (ContinuousProber.VcpuState v : vcpus.values()) {
            ContinuousProber.VcpuState ref = reference.get(v.cpu());
            if (v.available() != ref.available()) {
                return "vCPU " + v.cpu() + (v.available() ? " available again" : " unavailable");
            }
            if (v.fresh() && v.available()
                    && Math.abs(v.smoothedCapacity() - ref.smoothedCapacity()) > CAPACITY_TOLERANCE) {
                return "vCPU " + v.cpu() + " capacity " + ref.smoothedCapacity() + " -> " + v.smoothedCapacity();
            }
        }
        return null;
    }
}
