package dev.vsched.probers.vcap;

import dev.vsched.probers.stats.Ema;
import java.util.HashMap;
import java.util.Map;

/**
 * Smooths per-vCPU capacity across probe rounds for continuous use, so one noisy window does not flip a
 * scheduling decision. Half-life 2 rounds, as in the original vSched.
 */
public final class CapacitySmoother {
    public static final double DEFAULT_HALF_LIFE = 2.0;

    private final double halfLife;
    private final Map<Integer, Ema> capacity = new HashMap<>();

    public CapacitySmoother() {
        this(DEFAULT_HALF_LIFE);
    }

    public CapacitySmoother(double halfLifeRounds) {
        new Ema(halfLifeRounds); // validates
        this.halfLife = halfLifeRounds;
    }

    /** Folds in one round's capacity for a vCPU and returns the smoothed value on the 0..1024 scale. */
    public int update(VcapResult r) {
        return (int) Math.round(capacity.computeIfAbsent(r.cpu(), c -> new Ema(halfLife)).update(r.capacity()));
    }

    /** Drops a vCPU's history (it went offline). */
    public void forget(int cpu) {
        capacity.remove(cpu);
    }
}
