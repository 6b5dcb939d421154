package dev.vsched.probers.continuous;

import dev.vsched.probers.proc.ProcStat;
import dev.vsched.probers.stats.LatencySummary;
import dev.vsched.probers.sys.LibC;
import dev.vsched.probers.sys.NativeCallException;
import dev.vsched.probers.sys.Threads;
import dev.vsched.probers.timeline.GapThreshold;
import dev.vsched.probers.timeline.TimelineSample;
import dev.vsched.probers.timeline.VcpuTimeline;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Light, continuous vCAP/vACT for the agent: one SCHED_IDLE thread per vCPU, pinned for its whole life,
 * runs a short timeline window every period, all vCPUs in the same wall window. Short windows (default
 * 3 ms every second) start cold after a sleep and hold about one timer tick, so their gaps are mostly
 * wake-up jitter: the gap threshold comes instead from a longer calibration window on every vCPU at start
 * and every {@link Config#calibrateEvery} rounds (as the original's heavier pass every few rounds), run at
 * normal priority so that even a fully busy VM yields a threshold. There the probe thread shares its vCPU
 * and most of a window's gaps are guest switches, so a vCPU keeps calibrating every round, its windows
 * pooled ({@link CalibrationPool}), until they hold enough gaps.
 * This class runs the threads and the cadence; a {@link RoundAssembler} turns each round's windows into
 * the snapshot (capacities smoothed with an EMA, the vCPU latency distribution over the last rounds).
 * SCHED_IDLE means a busy vCPU starves its probe thread rather than the VM's work: such a round yields no
 * sample for that vCPU and the previous estimate stands (or, with paravirtual steal, steal is used).
 * A vCPU that goes offline is reported unavailable and re-tried every round.
 * Once every vCPU has held still for a while the rounds spread out to the steady period
 * ({@link SteadyCadence}); the first change brings them back to every period.
 */
public final class ContinuousProber implements AutoCloseable {
    /**
     * @param periodNs            time between rounds
     * @param windowNs            timeline window per round and vCPU
     * @param historyRounds       rounds the vCPU latency distribution covers
     * @param calibrationWindowNs window of the calibration rounds the gap threshold is derived from
     * @param calibrateEvery      a calibration round every this many rounds (and the first)
     * @param steadyPeriodNs      time between rounds while no vCPU changes (periodNs: never spread out)
     */
    public record Config(List<Integer> cpus, long periodNs, long windowNs, int historyRounds,
                         long calibrationWindowNs, int calibrateEvery, long steadyPeriodNs) {
        public static final long DEFAULT_PERIOD_NS = 1_000_000_000L;
        /** 3 ms per vCPU per second plus 50 ms a minute: under 0.4% of each vCPU. */
        public static final long DEFAULT_WINDOW_NS = 3_000_000L;
        public static final int DEFAULT_HISTORY = 20;
        public static final long DEFAULT_CALIBRATION_WINDOW_NS = 50_000_000L;
        public static final int DEFAULT_CALIBRATE_EVERY = 60;
        /** A round every 4 s on a VM whose vCPUs hold still: a change is seen at most 3 s later. */
        public static final long DEFAULT_STEADY_PERIOD_NS = 4_000_000_000L;

        public Config {
            cpus = List.copyOf(cpus);
            if (cpus.isEmpty()) {
                throw new IllegalArgumentException("continuous probing needs at least one vCPU");
            }
            if (windowNs <= 0 || periodNs < 2 * windowNs) {
                throw new IllegalArgumentException("period (" + periodNs + " ns) must be at least twice the window ("
                        + windowNs + " ns)");
            }
            if (historyRounds < 1) {
                throw new IllegalArgumentException("history must be at least one round, got " + historyRounds);
            }
            if (calibrationWindowNs < windowNs || periodNs < 2 * calibrationWindowNs) {
                throw new IllegalArgumentException("calibration window (" + calibrationWindowNs
                        + " ns) must be at least the window and at most half the period");
            }
            if (calibrateEvery < 1) {
                throw new IllegalArgumentException("calibrateEvery must be at least 1, got " + calibrateEvery);
            }
            if (steadyPeriodNs < periodNs) {
                throw new IllegalArgumentException("steady period (" + steadyPeriodNs
                        + " ns) must be at least the period (" + periodNs + " ns)");
            }
        }

        /** Periods between rounds once steady. */
        int steadyStride() {
            return (int) Math.min(Integer.MAX_VALUE, steadyPeriodNs / periodNs);
        }

        public static Config defaults(List<Integer> cpus) {
            return new Config(cpus, DEFAULT_PERIOD_NS, DEFAULT_WINDOW_NS, DEFAULT_HISTORY,
                    DEFAULT_CALIBRATION_WINDOW_NS, DEFAULT_CALIBRATE_EVERY, DEFAULT_STEADY_PERIOD_NS);
        }

        /** Same cadence, another period and window, never spread out (tests, benchmarks). */
        public static Config of(List<Integer> cpus, long periodNs, long windowNs) {
            return new Config(cpus, periodNs, windowNs, DEFAULT_HISTORY,
                    Math.max(windowNs, Math.min(DEFAULT_CALIBRATION_WINDOW_NS, periodNs / 2)), DEFAULT_CALIBRATE_EVERY,
                    periodNs);
        }

        /** This config with another steady period. */
        public Config withSteadyPeriod(long ns) {
            return new Config(cpus, periodNs, windowNs, historyRounds, calibrationWindowNs, calibrateEvery, ns);
        }
    }

    /** One vCPU's state after a round; {@code fresh} is false when the round produced no sample for it. */
    public record VcpuState(int cpu, boolean available, String error, boolean fresh, int capacity,
                            int smoothedCapacity, double timeshare, double speed, double activeFraction,
                            LatencySummary inactive) {
    }

    /**
     * What the agent reads: the latest state of every vCPU; {@code cadenceNs} is the time to the next round
     * (the period, or the steady period once nothing moves), {@code lastChange} what last kept or brought
     * the rounds back to every period.
     */
    public record Snapshot(long round, long atNanos, GapThreshold threshold, Map<Integer, VcpuState> vcpus,
                           long cadenceNs, String lastChange) {
    }

    /** Once per pinning: long enough for the JIT to compile the timeline loop. */
    static final long CALIBRATION_NS = 50_000_000L;

    private final Config config;
    private final Consumer<Snapshot> listener;
    private final BlockingQueue<WindowResult> results;
    private final List<Thread> workers = new ArrayList<>();
    private final Thread coordinator;
    /** Used by the coordinator only. */
    private final RoundAssembler assembler;
    private final long epoch;
    /** Periods between rounds now: set by the coordinator after each round, read by all at a round's start. */
    private volatile int stride = 1;
    private volatile boolean running = true;
    private volatile Snapshot latest;

    public ContinuousProber(Config config, Consumer<Snapshot> listener) {
        this.config = config;
        this.listener = listener;
        this.results = new ArrayBlockingQueue<>(config.cpus().size() * 4);
        this.epoch = System.nanoTime() + config.periodNs() / 4;
        this.assembler = new RoundAssembler(config);
        for (int cpu : config.cpus()) {
            workers.add(Thread.ofPlatform().daemon().name("vsched-vcap-" + cpu).unstarted(() -> work(cpu)));
        }
        coordinator = Thread.ofPlatform().daemon().name("vsched-vcap-coord").unstarted(this::coordinate);
    }

    public ContinuousProber start() {
        workers.forEach(Thread::start);
        coordinator.start();
        return this;
    }

    /** The latest snapshot, or null before the first round completed. */
    public Snapshot latest() {
        return latest;
    }

    private void work(int cpu) {
        VcpuTimeline timeline = new VcpuTimeline(cpu, VcpuTimeline.Mode.LIGHT, 4096);
        long floor = -1;
        long round = 0;
        // Calibrated once the windows since the last complete pool gave the threshold enough gaps.
        boolean calibrated = false;
        int pooledGaps = 0;
        while (running) {
            long start = epoch + round * config.periodNs();
            if (!sleepUntil(start)) {
                return;
            }
            if (!probed(round)) {
                round++;
                continue;
            }
            String error = null;
            TimelineSample sample = null;
            // Until one calibration window got through, every round is one.
            boolean calibrating = calibrating(round) || !calibrated;
            try {
                if (floor < 0) {
                    timeline.prepare();
                    // Once per pinning, long enough for the JIT: an interpreted loop would set the floor so
                    // high that jitter, not the timer tick, dominates the gaps the threshold is derived from.
                    // Normal priority for the same reason as the calibration windows.
                    Threads.setPolicy(0, LibC.SCHED_OTHER, 0);
                    try {
                        floor = timeline.calibrate(CALIBRATION_NS);
                    } finally {
                        Threads.setPolicy(0, LibC.SCHED_IDLE, 0);
                    }
                }
                if (calibrating) {
                    // At normal priority: a SCHED_IDLE thread on a fully busy vCPU would never run, and
                    // without calibration there is no threshold at all. 50 ms a minute is 0.08%.
                    Threads.setPolicy(0, LibC.SCHED_OTHER, 0);
                    try {
                        sample = timeline.run(config.calibrationWindowNs(), floor);
                        if (sample.available()) {
                            pooledGaps = (calibrated ? 0 : pooledGaps) + sample.hostOrNoiseGapCount();
                            calibrated = pooledGaps >= GapThreshold.MIN_GAPS;
                        }
                    } finally {
                        Threads.setPolicy(0, LibC.SCHED_IDLE, 0);
                    }
                } else {
                    sample = timeline.run(config.windowNs(), floor);
                }
                if (!sample.available()) {
                    error = sample.lostCpu();
                    floor = -1; // re-pin and re-calibrate next round
                    calibrated = false;
                    pooledGaps = 0;
                }
            } catch (NativeCallException | IllegalStateException e) {
                if (e instanceof IllegalStateException && !running) {
                    // close() interrupted the window, and the interrupt closed its schedstat file
                    return;
                }
                error = (e instanceof NativeCallException ? "cannot run on vCPU " : "cannot probe vCPU ") + cpu
                        + ": " + e.getMessage();
                floor = -1;
                calibrated = false;
                pooledGaps = 0;
            }
            results.offer(new WindowResult(round, cpu, sample, error, calibrating));
            // A starved SCHED_IDLE thread may overrun: skip to the next round that is still ahead.
            long now = System.nanoTime();
            round = Math.max(round + 1, (now - epoch) / config.periodNs() + 1);
        }
    }

    private boolean calibrating(long round) {
        return round % config.calibrateEvery() == 0;
    }

    /** Whether this round runs at all: every round, or once steady every stride-th and the calibrations. */
    private boolean probed(long round) {
        int s = stride;
        return s == 1 || round % s == 0 || calibrating(round);
    }

    private void coordinate() {
        long round = 0;
        ProcStat before = ProcStat.readOrNull();
        long beforeAt = System.nanoTime();
        while (running) {
            long deadline = epoch + (round + 1) * config.periodNs() - config.periodNs() / 8;
            if (!probed(round)) {
                if (!sleepUntil(deadline)) {
                    return;
                }
                round++;
                continue;
            }
            Map<Integer, WindowResult> got = new HashMap<>();
            while (got.size() < config.cpus().size()) {
                long wait = deadline - System.nanoTime();
                if (wait <= 0) {
                    break;
                }
                WindowResult r;
                try {
                    r = results.poll(wait, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (r == null) {
                    continue;
                }
                if (r.round() >= round) {
                    got.put(r.cpu(), r);
                } else {
                    // Late: a starved SCHED_IDLE thread.
                    assembler.late(r);
                }
            }
            ProcStat after = ProcStat.readOrNull();
            long afterAt = System.nanoTime();
            Snapshot s = assembler.assemble(round, afterAt, got, stealFractions(before, after, afterAt - beforeAt));
            stride = (int) (s.cadenceNs() / config.periodNs());
            latest = s;
            listener.accept(s);
            before = after;
            beforeAt = afterAt;
            round = Math.max(round + 1, (System.nanoTime() - epoch) / config.periodNs());
        }
    }

    private Map<Integer, Double> stealFractions(ProcStat before, ProcStat after, long wallNs) {
        Map<Integer, Double> out = new HashMap<>();
        for (int cpu : config.cpus()) {
            double f = ProcStat.stealFraction(before, after, cpu, wallNs);
            if (f >= 0) {
                out.put(cpu, f);
            }
        }
        return out;
    }

    private boolean sleepUntil(long deadline) {
        while (running) {
            long wait = deadline - System.nanoTime();
            if (wait <= 0) {
                return true;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                return false;
            }
        }
        return false;
    }

    /** CPU time the probe threads have consumed so far: the overhead continuous probing costs the VM. */
    public long consumedCpuNs() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : workers) {
            long ns = mx.getThreadCpuTime(t.threadId());
            sum += Math.max(0, ns);
        }
        long coord = mx.getThreadCpuTime(coordinator.threadId());
        return sum + Math.max(0, coord);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        coordinator.interrupt();
        workers.forEach(Thread::interrupt);
        for (Thread t : workers) {
            t.join(TimeUnit.NANOSECONDS.toMillis(config.windowNs()) + 2_000);
        }
        coordinator.join(2_000);
    }
}
