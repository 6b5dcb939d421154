package dev.vsched.probers.timeline;

import dev.vsched.probers.proc.ThreadSchedstat;
import dev.vsched.probers.sys.LibC;
import dev.vsched.probers.sys.NativeCallException;
import dev.vsched.probers.sys.Threads;
import java.io.IOException;

/**
 * The pinned timeline loop behind vCAP and vACT. The calling thread pins itself to one vCPU, then does
 * fixed chunks of integer work and timestamps each; an interval much longer than a chunk is a gap during
 * which the thread did not run. After each gap it reads its own schedstat: if the timeslice count moved, the
 * guest scheduler ran something else (in-guest preemption) for as long as the thread's wait time grew;
 * the rest of the gap, and a gap without a switch, the vCPU itself was not running (host preemption) or
 * took an interrupt. The loop allocates nothing and makes no system call except after
 * a gap, so what it measures is the vCPU, not the probe.
 */
public final class VcpuTimeline {
    /** How the probe thread competes with the VM's own work. */
    public enum Mode {
        /** SCHED_IDLE: runs only when the vCPU has nothing else to do; for continuous use. */
        LIGHT,
        /** Normal priority: measures the vCPU as a CPU-bound task would see it. */
        HEAVY
    }

    /** Integer work per chunk: long enough that the timestamp cost is a small part of it. */
    static final int CHUNK_ITERATIONS = 128;
    /** Check that we are still on our vCPU every this many chunks (sched_getcpu is a few ns). */
    static final int CPU_CHECK_MASK = 1023;
    /** Recorded gaps per sample; more are counted in aggregate. */
    public static final int DEFAULT_MAX_GAPS = 1 << 16;
    /** Smallest interval recorded as a gap: well above timestamp jitter on any machine. */
    static final long MIN_FLOOR_NS = 2_000L;

    private static volatile long sink;

    private final int cpu;
    private final Mode mode;
    private final int maxGaps;

    public VcpuTimeline(int cpu, Mode mode) {
        this(cpu, mode, DEFAULT_MAX_GAPS);
    }

    public VcpuTimeline(int cpu, Mode mode, int maxGaps) {
        this.cpu = cpu;
        this.mode = mode;
        this.maxGaps = maxGaps;
    }

    /**
     * Pins the calling thread to the vCPU and applies the mode's policy. Throws
     * {@link NativeCallException} if the vCPU cannot be used (offline: EINVAL).
     */
    public void prepare() {
        Threads.pin(0, cpu);
        if (mode == Mode.LIGHT) {
            Threads.setPolicy(0, LibC.SCHED_IDLE, 0);
        }
    }

    /** Warms the loop up (JIT) and measures a chunk's typical duration; returns the recording floor in ns. */
    public long calibrate(long durationNs) {
        long[] samples = new long[4096];
        long x = System.nanoTime() | 1;
        long end = System.nanoTime() + durationNs;
        int n = 0;
        long prev = System.nanoTime();
        do {
            x = work(x);
            long now = System.nanoTime();
            samples[n++ & (samples.length - 1)] = now - prev;
            prev = now;
        } while (n < samples.length || prev < end);
        sink = x;
        java.util.Arrays.sort(samples);
        long chunk = samples[samples.length / 2];
        // Jitter within a few chunk times is the loop itself (cache misses, timestamp cost), not a gap.
        return Math.max(MIN_FLOOR_NS, 10 * chunk);
    }

    /** Runs the loop for {@code durationNs} on the (already prepared) calling thread. */
    public TimelineSample run(long durationNs, long floorNs) {
        long[] gaps = new long[maxGaps];
        boolean[] guest = new boolean[maxGaps];
        long[] waits = new long[maxGaps];
        long[] stat = new long[3];
        int count = 0;
        long dropped = 0;
        long droppedNs = 0;
        long loop = 0;
        long work = 0;
        String lost = null;
        long x = System.nanoTime() | 1;
        try (ThreadSchedstat.Reader schedstat = ThreadSchedstat.Reader.ofCurrentThread()) {
            if (!schedstat.readInto(stat)) {
                throw new IOException("unparsable");
            }
            long slices = stat[2];
            long waited = stat[1];
            long start = System.nanoTime();
            long end = start + durationNs;
            long prev = start;
            long now = start;
            int chunks = 0;
            while (now < end) {
                x = work(x);
                now = System.nanoTime();
                long d = now - prev;
                if (d <= floorNs) {
                    loop += d;
                    work++;
                    prev = now;
                } else {
                    // Unreadable (never seen): the gap counts as a host gap, as with no switch.
                    boolean switched = schedstat.readInto(stat) && stat[2] != slices;
                    long wait = stat[1] - waited;
                    slices = stat[2];
                    waited = stat[1];
                    if (count < maxGaps) {
                        gaps[count] = d;
                        guest[count] = switched;
                        waits[count] = wait;
                        count++;
                    } else {
                        dropped++;
                        droppedNs += d;
                    }
                    // The schedstat read belongs to neither class: restart the clock after it.
                    prev = System.nanoTime();
                }
                if ((++chunks & CPU_CHECK_MASK) == 0 && LibC.sched_getcpu() != cpu) {
                    lost = "the probe thread was moved off vCPU " + cpu
                            + " (it went offline or its affinity was changed)";
                    break;
                }
            }
            sink = x;
            return new TimelineSample(cpu, now - start, loop, work, gaps, guest, waits, count, dropped, droppedNs,
                    floorNs, lost);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/thread-self/schedstat: " + e.getMessage(), e);
        }
    }

    /** A chunk of dependent integer work the JIT cannot remove (xorshift64); public for the benchmarks. */
    public static long work(long x) {
        for (int i = 0; i < CHUNK_ITERATIONS; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }
}
