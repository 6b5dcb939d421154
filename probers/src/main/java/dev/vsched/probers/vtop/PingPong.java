package dev.vsched.probers.vtop;

import dev.vsched.probers.proc.ThreadSchedstat;
import dev.vsched.probers.sys.LibC;
import dev.vsched.probers.sys.NativeCallException;
import java.io.IOException;
import dev.vsched.probers.sys.Threads;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Cache-line ping-pong between two threads pinned to two vCPUs: the pinger writes an odd number into a shared
 * cache line and spins until the ponger answers with the next even one. The round trip is two cache-line
 * transfers, so half its median is the one-way transfer time, which separates SMT siblings (shared L1/L2),
 * same-socket cores (shared LLC) and cross-socket cores. Stacked vCPUs cannot both run: each handoff waits
 * for the hypervisor to switch vCPUs, so their round trips take a host timeslice, or never complete.
 */
public final class PingPong implements PairProber {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    /** The line sits mid-array, far from the array header and from anything else the JVM allocates. */
    private static final int LINE_LONGS = 64;
    private static final int SLOT_INDEX = 32;
    /** Round trips kept for percentiles; more are counted. */
    private static final int MAX_SAMPLES = 1 << 17;
    private static final int DEADLINE_CHECK_MASK = 255;
    /** How long the pinger waits for the ponger to be pinned and spinning before giving up. */
    static final long READY_TIMEOUT_NS = 500_000_000L;
    /** How much longer than the pinger could need a ponger spins before it gives up on its own. */
    static final long PONG_SLACK_NS = 1_000_000_000L;

    /** Lowest real-time priority: enough to keep normal tasks from switching the threads out. */
    static final int RT_PRIORITY = 1;

    private final long windowNs;
    private final boolean realtime;

    /**
     * @param realtime run both threads SCHED_FIFO for the window (when permitted: root), so other work on
     *                 the VM cannot switch them out and blur host stacking with guest contention; without
     *                 permission, or with false, they run at normal priority and guest switches are counted
     */
    public PingPong(long windowNs, boolean realtime) {
        if (windowNs <= 0) {
            throw new IllegalArgumentException("ping-pong window must be positive, got " + windowNs + " ns");
        }
        this.windowNs = windowNs;
        this.realtime = realtime;
    }

    public PingPong(long windowNs) {
        this(windowNs, true);
    }

    public long windowNs() {
        return windowNs;
    }

    /** Runs the loops unpinned for a while so the JIT has compiled them before anything is measured. */
    public static void warmUp(long durationNs) {
        measure(-1, -1, durationNs, false);
    }

    @Override
    public List<PairMeasurement> probe(List<int[]> disjointPairs) {
        List<FutureTask<PairMeasurement>> tasks = new ArrayList<>();
        for (int[] p : disjointPairs) {
            FutureTask<PairMeasurement> task = new FutureTask<>(
                    () -> measureOnThisThread(p[0], p[1], windowNs, realtime));
            Thread.ofPlatform().name("vtop-ping-" + p[0] + "-" + p[1]).daemon().start(task);
            tasks.add(task);
        }
        List<PairMeasurement> out = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            int[] p = disjointPairs.get(i);
            try {
                out.add(tasks.get(i).get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while probing vCPUs " + p[0] + " and " + p[1], e);
            } catch (ExecutionException e) {
                out.add(PairMeasurement.failed(p[0], p[1], -1, String.valueOf(e.getCause())));
            }
        }
        return out;
    }

    /** Measures one pair on two fresh threads, so the caller's own affinity and policy stay as they are. */
    static PairMeasurement measure(int a, int b, long window, boolean realtime) {
        FutureTask<PairMeasurement> task = new FutureTask<>(() -> measureOnThisThread(a, b, window, realtime));
        Thread.ofPlatform().name("vtop-ping-" + a + "-" + b).daemon().start(task);
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing vCPUs " + a + " and " + b, e);
        } catch (ExecutionException e) {
            return PairMeasurement.failed(a, b, -1, String.valueOf(e.getCause()));
        }
    }

    /** The calling (throw-away) thread is the pinger; a second thread is the ponger. */
    private static PairMeasurement measureOnThisThread(int a, int b, long window, boolean realtime) {
        // Pin before the ponger exists: a real-time ponger on this thread's current vCPU would starve it.
        if (a >= 0) {
            try {
                Threads.pin(0, a);
            } catch (NativeCallException e) {
                return PairMeasurement.failed(a, b, a, "vCPU " + a + ": " + e.getMessage());
            }
        }
        long[] line = new long[LINE_LONGS];
        long[] stop = new long[LINE_LONGS];
        String[] pongError = new String[1];
        int[] pongFailed = {-1};
        long[] pongSwitches = {0};
        Thread ponger = Thread.ofPlatform().name("vtop-pong-" + a + "-" + b).daemon().start(() -> {
            try {
                if (b >= 0) {
                    Threads.pin(0, b);
                }
                if (realtime) {
                    tryRealtime();
                }
                SwitchCounter own = new SwitchCounter();
                // a bound of its own: a pinger that died without setting stop must not leave this thread
                // spinning at SCHED_FIFO on its vCPU for ever
                pong(line, stop, System.nanoTime() + READY_TIMEOUT_NS + window + PONG_SLACK_NS);
                pongSwitches[0] = own.switches();
            } catch (NativeCallException e) {
                pongError[0] = "vCPU " + b + ": " + e.getMessage();
                pongFailed[0] = b;
                SLOT.setVolatile(stop, SLOT_INDEX, 1L);
            }
        });
        long[] rtt = new long[MAX_SAMPLES];
        long count = 0;
        long pingSwitches = 0;
        boolean started = false;
        try {
            started = awaitPonger(line, stop, window);
            if (started) {
                // Only now may this thread go real-time: before, the ponger may still have been queued on
                // this vCPU, and a SCHED_FIFO spinner would starve it.
                if (realtime) {
                    tryRealtime();
                }
                // Counted from here: while it waited for the ponger at normal priority, other guest work on
                // this vCPU could switch it out as often as it liked, which says nothing about the window.
                SwitchCounter own = new SwitchCounter();
                count = ping(line, rtt, window);
                pingSwitches = own.switches();
            }
        } finally {
            // Whatever happened here (a schedstat read that failed, say), the ponger must stop: left
            // spinning at SCHED_FIFO it would own its vCPU, and the next ponger pinned there would never
            // run (an agent's vTOP hung on exactly that in AgentCpusetIT).
            SLOT.setVolatile(stop, SLOT_INDEX, 1L);
            joinQuietly(ponger);
        }
        long switches = pingSwitches + pongSwitches[0];
        if (pongError[0] != null) {
            return PairMeasurement.failed(a, b, pongFailed[0], pongError[0]);
        }
        if (!started) {
            // The ponger never got pinned and spinning: the guest ran other work on its vCPU. No window
            // was measured; reading that as "no progress" would call the pair stacked.
            return PairMeasurement.starvedByGuest(a, b, window);
        }
        int kept = (int) Math.min(count, MAX_SAMPLES);
        if (kept == 0) {
            return new PairMeasurement(a, b, Double.NaN, Double.NaN, 0, window, null, -1, switches);
        }
        long[] sorted = Arrays.copyOf(rtt, kept);
        Arrays.sort(sorted);
        return new PairMeasurement(a, b, sorted[kept / 2] / 2.0, sorted[(int) (kept * 0.9)] / 2.0, count, window,
                null, -1, switches);
    }

    /** Waits until the ponger is pinned and spinning (it publishes -1); false if it never got there. */
    private static boolean awaitPonger(long[] line, long[] stop, long window) {
        // Starting and pinning the ponger is not part of the measurement: it gets its own, longer budget.
        long deadline = System.nanoTime() + Math.max(window, READY_TIMEOUT_NS);
        int spins = 0;
        while ((long) SLOT.getAcquire(line, SLOT_INDEX) != -1L) {
            if ((++spins & DEADLINE_CHECK_MASK) == 0
                    && (System.nanoTime() > deadline || (long) SLOT.getAcquire(stop, SLOT_INDEX) != 0L)) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /** Round trips completed in the window, their times in {@code rtt}. */
    private static long ping(long[] line, long[] rtt, long window) {
        long start = System.nanoTime();
        long deadline = start + window;
        int spins = 0;
        long count = 0;
        long value = 1;
        long t0 = start;
        while (true) {
            SLOT.setRelease(line, SLOT_INDEX, value);
            long expect = value + 1;
            while ((long) SLOT.getAcquire(line, SLOT_INDEX) != expect) {
                if ((++spins & DEADLINE_CHECK_MASK) == 0 && System.nanoTime() > deadline) {
                    return count;
                }
            }
            long t1 = System.nanoTime();
            if (count < rtt.length) {
                rtt[(int) count] = t1 - t0;
            }
            count++;
            if (t1 > deadline) {
                return count;
            }
            t0 = t1;
            value += 2;
        }
    }

    private static void pong(long[] line, long[] stop, long deadline) {
        SLOT.setRelease(line, SLOT_INDEX, -1L);
        long expect = 1;
        int spins = 0;
        while (true) {
            long v = (long) SLOT.getAcquire(line, SLOT_INDEX);
            if (v == expect) {
                SLOT.setRelease(line, SLOT_INDEX, expect + 1);
                expect += 2;
            } else if ((++spins & DEADLINE_CHECK_MASK) == 0
                    && ((long) SLOT.getAcquire(stop, SLOT_INDEX) != 0L || System.nanoTime() > deadline)) {
                return;
            }
        }
    }

    /** Counts how often the guest switched the calling thread out, from its schedstat timeslices. */
    private static final class SwitchCounter {
        private final ThreadSchedstat.Reader reader;
        private final long start;

        SwitchCounter() {
            ThreadSchedstat.Reader r;
            try {
                r = ThreadSchedstat.Reader.ofCurrentThread();
            } catch (IOException e) {
                r = null; // no schedstat (CONFIG_SCHED_INFO off): guest switches cannot be told, count none
            }
            reader = r;
            start = r == null ? 0 : r.timeslices();
        }

        long switches() {
            if (reader == null) {
                return 0;
            }
            long n = Math.max(0, reader.timeslices() - start);
            try {
                reader.close();
            } catch (IOException e) {
                // a procfs file that fails to close holds nothing worth reporting
            }
            return n;
        }
    }

    /** SCHED_FIFO for the calling (short-lived) thread if permitted; otherwise it stays as it is. */
    private static void tryRealtime() {
        try {
            Threads.setPolicy(0, LibC.SCHED_FIFO, RT_PRIORITY);
        } catch (NativeCallException e) {
            // EPERM without root: measured at normal priority, guest switches still counted
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
