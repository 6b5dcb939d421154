package dev.vsched.probers.sys;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Hand-written FFM bindings for the few glibc calls the probers need, in the shape jextract generates:
 * one nested holder class per function with its {@code DESC} and {@code HANDLE}, and a static wrapper.
 * Every call that can fail captures errno ({@code Linker.Option.captureCallState}); the first argument of
 * those wrappers is the capture segment, as in jextract's output for such functions.
 */
public final class LibC {
    private LibC() {
    }

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfLong C_SIZE_T = ValueLayout.JAVA_LONG;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    /** Linux scheduling policies (uapi/linux/sched.h). */
    public static final int SCHED_OTHER = 0;
    public static final int SCHED_FIFO = 1;
    public static final int SCHED_RR = 2;
    public static final int SCHED_BATCH = 3;
    public static final int SCHED_IDLE = 5;

    /** which argument of setpriority(2); with a thread id it applies to that thread only on Linux. */
    public static final int PRIO_PROCESS = 0;

    public static final int CLOCK_MONOTONIC = 1;
    public static final int CLOCK_THREAD_CPUTIME_ID = 3;
    public static final int CLOCK_MONOTONIC_RAW = 4;

    /** struct timespec { time_t tv_sec; long tv_nsec; } */
    public static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            C_LONG.withName("tv_sec"), C_LONG.withName("tv_nsec")).withName("timespec");
    static final VarHandle TIMESPEC_SEC = TIMESPEC.varHandle(MemoryLayout.PathElement.groupElement("tv_sec"));
    static final VarHandle TIMESPEC_NSEC = TIMESPEC.varHandle(MemoryLayout.PathElement.groupElement("tv_nsec"));

    /** struct sched_param { int sched_priority; } */
    public static final StructLayout SCHED_PARAM = MemoryLayout.structLayout(
            C_INT.withName("sched_priority")).withName("sched_param");

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    /** errno capture for any errno-reporting downcall (libbpf's bindings use it too). */
    public static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    public static final StructLayout CAPTURED_STATE_LAYOUT = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO = CAPTURED_STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** A segment to pass as the first argument of an errno-capturing call. */
    public static MemorySegment allocateCapturedState(Arena arena) {
        return arena.allocate(CAPTURED_STATE_LAYOUT);
    }

    /** errno as captured by the last call that was given {@code state}. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static MethodHandle downcall(String name, FunctionDescriptor desc, Linker.Option... options) {
        MemorySegment addr = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(addr, desc, options);
    }

    /** What a downcall wrapper throws for a Throwable from invokeExact (shared by every binding class). */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    private static final class sched_getcpu {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = downcall("sched_getcpu", DESC, Linker.Option.critical(false));
    }

    /** int sched_getcpu(void); cannot fail on Linux with rseq/vDSO support, so no errno is captured. */
    public static int sched_getcpu() {
        try {
            return (int) sched_getcpu.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class gettid {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = downcall("gettid", DESC);
    }

    /** pid_t gettid(void); */
    public static int gettid() {
        try {
            return (int) gettid.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class sched_setaffinity {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_SIZE_T, C_POINTER);
        static final MethodHandle HANDLE = downcall("sched_setaffinity", DESC, CAPTURE_ERRNO);
    }

    /** int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask); */
    public static int sched_setaffinity(MemorySegment state, int pid, long size, MemorySegment mask) {
        try {
            return (int) sched_setaffinity.HANDLE.invokeExact(state, pid, size, mask);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class sched_getaffinity {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_SIZE_T, C_POINTER);
        static final MethodHandle HANDLE = downcall("sched_getaffinity", DESC, CAPTURE_ERRNO);
    }

    /** int sched_getaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask); */
    public static int sched_getaffinity(MemorySegment state, int pid, long size, MemorySegment mask) {
        try {
            return (int) sched_getaffinity.HANDLE.invokeExact(state, pid, size, mask);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class sched_setscheduler {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("sched_setscheduler", DESC, CAPTURE_ERRNO);
    }

    /** int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param); */
    public static int sched_setscheduler(MemorySegment state, int pid, int policy, MemorySegment param) {
        try {
            return (int) sched_setscheduler.HANDLE.invokeExact(state, pid, policy, param);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class sched_getscheduler {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT);
        static final MethodHandle HANDLE = downcall("sched_getscheduler", DESC, CAPTURE_ERRNO);
    }

    /** int sched_getscheduler(pid_t pid); */
    public static int sched_getscheduler(MemorySegment state, int pid) {
        try {
            return (int) sched_getscheduler.HANDLE.invokeExact(state, pid);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class setpriority {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = downcall("setpriority", DESC, CAPTURE_ERRNO);
    }

    /** int setpriority(int which, id_t who, int prio); */
    public static int setpriority(MemorySegment state, int which, int who, int prio) {
        try {
            return (int) setpriority.HANDLE.invokeExact(state, which, who, prio);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class getpriority {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = downcall("getpriority", DESC, CAPTURE_ERRNO);
    }

    /** int getpriority(int which, id_t who); -1 is a valid result: check errno. */
    public static int getpriority(MemorySegment state, int which, int who) {
        try {
            return (int) getpriority.HANDLE.invokeExact(state, which, who);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class clock_gettime {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("clock_gettime", DESC, CAPTURE_ERRNO);
    }

    /** int clock_gettime(clockid_t clockid, struct timespec *tp); */
    public static int clock_gettime(MemorySegment state, int clockId, MemorySegment timespec) {
        try {
            return (int) clock_gettime.HANDLE.invokeExact(state, clockId, timespec);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Reads a struct timespec as nanoseconds. */
    public static long timespecNanos(MemorySegment timespec) {
        return (long) TIMESPEC_SEC.get(timespec, 0L) * 1_000_000_000L + (long) TIMESPEC_NSEC.get(timespec, 0L);
    }
}
