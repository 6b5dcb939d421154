package dev.vsched.probers.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;

/**
 * Thread-level scheduling controls on top of {@link LibC}: affinity, policy, nice, CPU and clocks.
 * Every failure throws {@link NativeCallException} naming the call, its arguments and errno.
 */
public final class Threads {
    /** Bytes of the cpu_set_t we pass: at least glibc's 1024 CPUs, more if the machine has more possible CPUs. */
    private static final long MASK_BYTES = maskBytes(PossibleCpus.count());

    private Threads() {
    }

    static long maskBytes(int possibleCpus) {
        long words = (possibleCpus + 63L) / 64L;
        return Math.max(128L, words * 8L);
    }

    /** The kernel thread id of the calling thread. */
    public static int currentTid() {
        return LibC.gettid();
    }

    /** The CPU the calling thread is running on right now. */
    public static int currentCpu() {
        return LibC.sched_getcpu();
    }

    /** Restricts thread {@code tid} (0 = caller) to exactly {@code cpus}. */
    public static void setAffinity(int tid, BitSet cpus) {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("empty CPU set for thread " + tid);
        }
        if (cpus.length() > MASK_BYTES * 8) {
            throw new IllegalArgumentException("CPU " + (cpus.length() - 1) + " is beyond the possible CPUs");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            long[] words = cpus.toLongArray();
            for (int i = 0; i < words.length; i++) {
                mask.setAtIndex(ValueLayout.JAVA_LONG, i, words[i]);
            }
            MemorySegment state = LibC.allocateCapturedState(arena);
            if (LibC.sched_setaffinity(state, tid, MASK_BYTES, mask) != 0) {
                throw new NativeCallException("sched_setaffinity", LibC.errno(state),
                        "tid " + tid + ", cpus " + CpuSets.format(cpus));
            }
        }
    }

    /** Pins thread {@code tid} (0 = caller) to one CPU. */
    public static void pin(int tid, int cpu) {
        BitSet one = new BitSet();
        one.set(cpu);
        setAffinity(tid, one);
    }

    /** The CPUs thread {@code tid} (0 = caller) may run on. */
    public static BitSet affinity(int tid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            MemorySegment state = LibC.allocateCapturedState(arena);
            if (LibC.sched_getaffinity(state, tid, MASK_BYTES, mask) < 0) {
                throw new NativeCallException("sched_getaffinity", LibC.errno(state), "tid " + tid);
            }
            return BitSet.valueOf(mask.toArray(ValueLayout.JAVA_LONG));
        }
    }

    /** Sets policy SCHED_OTHER/BATCH/IDLE (priority must be 0) or SCHED_FIFO/RR (priority 1..99). */
    public static void setPolicy(int tid, int policy, int priority) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment param = arena.allocate(LibC.SCHED_PARAM);
            param.set(ValueLayout.JAVA_INT, 0, priority);
            MemorySegment state = LibC.allocateCapturedState(arena);
            if (LibC.sched_setscheduler(state, tid, policy, param) != 0) {
                throw new NativeCallException("sched_setscheduler", LibC.errno(state),
                        "tid " + tid + ", policy " + policy + ", priority " + priority);
            }
        }
    }

    /** The scheduling policy of thread {@code tid} (0 = caller). */
    public static int policy(int tid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.allocateCapturedState(arena);
            int policy = LibC.sched_getscheduler(state, tid);
            if (policy < 0) {
                throw new NativeCallException("sched_getscheduler", LibC.errno(state), "tid " + tid);
            }
            return policy;
        }
    }

    /** Sets the nice value of one thread (Linux applies setpriority per thread id). */
    public static void setNice(int tid, int nice) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.allocateCapturedState(arena);
            if (LibC.setpriority(state, LibC.PRIO_PROCESS, tid, nice) != 0) {
                throw new NativeCallException("setpriority", LibC.errno(state), "tid " + tid + ", nice " + nice);
            }
        }
    }

    /** The nice value of one thread. */
    public static int nice(int tid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.allocateCapturedState(arena);
            state.set(ValueLayout.JAVA_INT, 0, 0);
            int prio = LibC.getpriority(state, LibC.PRIO_PROCESS, tid);
            if (prio == -1 && LibC.errno(state) != 0) {
                throw new NativeCallException("getpriority", LibC.errno(state), "tid " + tid);
            }
            return prio;
        }
    }

    /** clock_gettime(clockId) in nanoseconds. */
    public static long clockNanos(int clockId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(LibC.TIMESPEC);
            MemorySegment state = LibC.allocateCapturedState(arena);
            if (LibC.clock_gettime(state, clockId, ts) != 0) {
                throw new NativeCallException("clock_gettime", LibC.errno(state), "clock " + clockId);
            }
            return LibC.timespecNanos(ts);
        }
    }

    /** CLOCK_MONOTONIC_RAW: not slewed by NTP, so short intervals are exact. */
    public static long monotonicRawNanos() {
        return clockNanos(LibC.CLOCK_MONOTONIC_RAW);
    }

    /** CPU time the calling thread has received, as the guest kernel accounts it. */
    public static long threadCpuNanos() {
        return clockNanos(LibC.CLOCK_THREAD_CPUTIME_ID);
    }
}
