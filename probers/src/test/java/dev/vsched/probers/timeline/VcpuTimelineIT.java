package dev.vsched.probers.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vsched.probers.proc.ProcStat;
import dev.vsched.probers.sys.CpuSets;
import dev.vsched.probers.sys.Threads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The real timeline loop on this machine's vCPUs: physical bounds, not exact figures. */
class VcpuTimelineIT {
    static final long WINDOW = 500_000_000L;

    static TimelineSample runOn(int cpu, long window) {
        return CompletableFuture.supplyAsync(() -> {
            VcpuTimeline t = new VcpuTimeline(cpu, VcpuTimeline.Mode.HEAVY);
            t.prepare();
            long floor = t.calibrate(50_000_000L);
            return t.run(window, floor);
        }, r -> Thread.ofPlatform().start(r)).join();
    }

    @Test
    void eachVcpuTimelineObeysPhysicalBounds() throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        for (int cpu = 0; cpu < cpus; cpu++) {
            ProcStat before = ProcStat.read();
            TimelineSample s = runOn(cpu, WINDOW);
            ProcStat after = ProcStat.read();
            assertNull(s.lostCpu());
            assertTrue(s.wallNs() >= WINDOW && s.wallNs() < WINDOW + 200_000_000L, "wall " + s.wallNs());
            assertTrue(s.loopNs() > 0 && s.loopNs() <= s.wallNs(), "loop " + s.loopNs());
            long gapSum = java.util.Arrays.stream(s.gaps()).sum();
            assertTrue(s.loopNs() + gapSum <= s.wallNs() + 1_000_000, "time is not created");
            assertTrue(s.work() > 1000, "work " + s.work());
            assertTrue(s.floorNs() >= 2_000);

            GapThreshold t = GapThreshold.derive(java.util.List.of(s));
            ClassifiedTimeline c = ClassifiedTimeline.classify(s, t);
            assertTrue(c.activeFraction() > 0 && c.activeFraction() <= 1.0);
            assertTrue(c.activeNs() <= c.observedNs());
            // What the timeline calls host inactivity must agree with the hypervisor's own steal
            // accounting (10 ms ticks) where it has one; tick noise counted as preemption would break this.
            long stealNs = (after.steal(cpu) - before.steal(cpu)) * 10_000_000L;
            long slack = 30_000_000L + stealNs / 2;
            assertTrue(Math.abs(c.hostGapNs() - stealNs) <= slack,
                    "vCPU " + cpu + ": timeline inactivity " + c.hostGapNs() + " ns vs steal " + stealNs + " ns");
        }
    }

    @Test
    void aThreadMovedOffItsVcpuMidProbeIsReportedNotMismeasured() throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        int target = cpus - 1;
        int elsewhere = 0;
        // a 1-vCPU machine has nowhere to move the thread: reported skipped, with the reason
        assumeTrue(target != elsewhere, "moving the timeline thread off its vCPU needs two vCPUs; this machine has "
                + cpus);
        AtomicInteger tid = new AtomicInteger();
        CompletableFuture<TimelineSample> f = CompletableFuture.supplyAsync(() -> {
            VcpuTimeline t = new VcpuTimeline(target, VcpuTimeline.Mode.HEAVY);
            t.prepare();
            long floor = t.calibrate(20_000_000L);
            tid.set(Threads.currentTid());
            return t.run(5_000_000_000L, floor);
        }, r -> Thread.ofPlatform().start(r));
        while (tid.get() == 0) {
            Thread.sleep(5);
        }
        Thread.sleep(100);
        // What CPU hot-unplug does to a pinned thread: the kernel moves it elsewhere.
        Threads.setAffinity(tid.get(), CpuSets.of(elsewhere));
        TimelineSample s = f.get();
        assertNotNull(s.lostCpu());
        assertTrue(s.lostCpu().contains("vCPU " + target), s.lostCpu());
        assertTrue(s.wallNs() < 2_000_000_000L, "stopped promptly, not after the whole window");
        assertEquals(target, s.cpu());
    }
}
