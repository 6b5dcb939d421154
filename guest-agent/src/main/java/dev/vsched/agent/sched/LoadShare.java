package dev.vsched.agent.sched;

import dev.vsched.agent.bpf.VschedIntf;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The share of time a vCPU gets while it is busy, from vACT's tick heartbeat. The light vCAP window
 * (3 ms a second) mostly runs on a vCPU that was idle, and a host quota left unused while idle lets that
 * window run at full speed however tight the quota is: only a busy vCPU shows the throttling. vACT sees
 * it at every tick: a busy vCPU the host stops misses ticks, and the BPF program adds the lost time to
 * {@code inactive_sum_ns}. Between two reads, a vCPU that ticked n times at period t and lost L ns ran
 * about n*t of n*t + L. Ticks of intervals that were not busy count as running too, so a partly idle vCPU
 * reads high, never low; a vCPU without enough busy time in the interval gives no reading, and an
 * estimate with no reading for {@link #EXPIRE_NS} is dropped (its quota may have changed).
 */
public final class LoadShare {
    /** A reading needs heartbeat time (n*t + L) covering at least this fraction of the interval. */
    static final double MIN_BUSY_FRACTION = 0.5;
    /** Weight of a new reading in the moving average. */
    static final double ALPHA = 0.5;
    static final long EXPIRE_NS = 10_000_000_000L;

    private record Estimate(double share, long atNs) {
    }

    private final Map<Integer, VschedIntf.VactCpu> last = new HashMap<>();
    private final Map<Integer, Estimate> estimates = new HashMap<>();
    private long lastNs = -1;

    /** Feeds one read of the vCPUs' vACT records taken at {@code nowNs} (any monotonic clock). */
    public synchronized void update(Map<Integer, VschedIntf.VactCpu> now, long nowNs) {
        long interval = lastNs < 0 ? 0 : nowNs - lastNs;
        for (Map.Entry<Integer, VschedIntf.VactCpu> e : now.entrySet()) {
            int cpu = e.getKey();
            VschedIntf.VactCpu cur = e.getValue();
            VschedIntf.VactCpu prev = last.get(cpu);
            if (prev != null && interval > 0) {
                OptionalDouble r = reading(prev, cur, interval);
                if (r.isPresent()) {
                    Estimate old = estimates.get(cpu);
                    double s = old == null ? r.getAsDouble() : old.share() + ALPHA * (r.getAsDouble() - old.share());
                    estimates.put(cpu, new Estimate(s, nowNs));
                }
            }
            last.put(cpu, cur);
        }
        estimates.values().removeIf(est -> nowNs - est.atNs() > EXPIRE_NS);
        lastNs = nowNs;
    }

    /** The smoothed share in [0, 1], or empty while there is no recent reading for this vCPU. */
    public synchronized OptionalDouble share(int cpu) {
        Estimate e = estimates.get(cpu);
        return e == null ? OptionalDouble.empty() : OptionalDouble.of(e.share());
    }

    /** One interval's reading, or empty without enough busy time (or when the counters went back: reloaded). */
    static OptionalDouble reading(VschedIntf.VactCpu prev, VschedIntf.VactCpu cur, long intervalNs) {
        long ticks = cur.hbCount() - prev.hbCount();
        long lost = cur.inactiveSumNs() - prev.inactiveSumNs();
        if (ticks <= 0 || lost < 0 || cur.tickNs() <= 0) {
            return OptionalDouble.empty();
        }
        double ran = (double) ticks * cur.tickNs();
        if (ran + lost < MIN_BUSY_FRACTION * intervalNs) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.min(1.0, ran / (ran + lost)));
    }

    /**
     * The capacity to act on: the light probe's, lowered to what the vCPU gets under load when vACT has
     * seen it busy. {@code speed} is the probe's speed relative to the fastest vCPU.
     */
    public int capacity(int cpu, int probedCapacity, double speed) {
        OptionalDouble s = share(cpu);
        if (s.isEmpty()) {
            return probedCapacity;
        }
        int underLoad = (int) Math.round(VschedIntf.VSCHED_CAP_SCALE * s.getAsDouble() * speed);
        return Math.min(probedCapacity, underLoad);
    }
}
