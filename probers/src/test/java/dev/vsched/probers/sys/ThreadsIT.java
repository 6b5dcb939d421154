package dev.vsched.probers.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The FFM layer against the real kernel, each case on a fresh thread so the test JVM is left as found. */
class ThreadsIT {
    static <T> T onFreshThread(java.util.concurrent.Callable<T> body) throws Exception {
        AtomicReference<T> out = new AtomicReference<>();
        AtomicReference<Throwable> err = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                out.set(body.call());
            } catch (Throwable e) {
                err.set(e);
            }
        });
        t.join();
        if (err.get() instanceof Exception e) {
            throw e;
        }
        if (err.get() != null) {
            throw new AssertionError(err.get());
        }
        return out.get();
    }

    @Test
    void pinningMovesTheThreadToEachOnlineCpu() throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        for (int cpu = 0; cpu < cpus; cpu++) {
            int target = cpu;
            int[] seen = onFreshThread(() -> {
                Threads.pin(0, target);
                BitSet aff = Threads.affinity(0);
                return new int[] {Threads.currentCpu(), aff.cardinality(), aff.nextSetBit(0)};
            });
            assertEquals(target, seen[0]);
            assertEquals(1, seen[1]);
            assertEquals(target, seen[2]);
        }
    }

    @Test
    void anInvalidCpuIsRefusedWithTheCallAndErrno() throws Exception {
        NativeCallException e = assertThrows(NativeCallException.class,
                () -> onFreshThread(() -> {
                    Threads.pin(0, 1000);
                    return null;
                }));
        assertEquals("sched_setaffinity", e.call());
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("EINVAL") && e.getMessage().contains("1000"), e.getMessage());
    }

    @Test
    void policyAndNiceApplyToOneThreadOnly() throws Exception {
        int mainPolicy = Threads.policy(0);
        int[] seen = onFreshThread(() -> {
            int tid = Threads.currentTid();
            Threads.setPolicy(0, LibC.SCHED_IDLE, 0);
            int idle = Threads.policy(tid);
            Threads.setPolicy(0, LibC.SCHED_OTHER, 0);
            Threads.setNice(tid, 5);
            return new int[] {idle, Threads.nice(tid), Threads.policy(0)};
        });
        assertEquals(LibC.SCHED_IDLE, seen[0]);
        assertEquals(5, seen[1]);
        assertEquals(LibC.SCHED_OTHER, seen[2]);
        assertEquals(mainPolicy, Threads.policy(0), "the test thread itself is untouched");
    }

    @Test
    void anInvalidPolicyPriorityIsRefused() {
        NativeCallException e = assertThrows(NativeCallException.class,
                () -> Threads.setPolicy(0, LibC.SCHED_OTHER, 50));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void clocksAdvance() {
        long raw0 = Threads.monotonicRawNanos();
        long cpu0 = Threads.threadCpuNanos();
        long x = 1;
        for (int i = 0; i < 20_000_000; i++) {
            x = x * 31 + i;
        }
        assertTrue(x != 0);
        assertTrue(Threads.monotonicRawNanos() > raw0);
        assertTrue(Threads.threadCpuNanos() > cpu0);
        assertTrue(Threads.currentTid() > 0);
    }
}
