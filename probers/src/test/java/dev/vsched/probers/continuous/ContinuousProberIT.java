package dev.vsched.probers.continuous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ContinuousProberIT {
    static List<Integer> allCpus() {
        List<Integer> cpus = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            cpus.add(i);
        }
        return cpus;
    }

    /** The coordinator thread's name as the kernel keeps it (15 characters). */
    static final String COORDINATOR_COMM = "vsched-vcap-coo";

    /** Run delay so far of this process's thread named {@code comm}, from its schedstat. */
    static long waitNs(String comm) throws java.io.IOException {
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : tasks.toList()) {
                if (java.nio.file.Files.readString(t.resolve("comm")).strip().equals(comm)) {
                    return dev.vsched.probers.proc.ThreadSchedstat.parse(
                            java.nio.file.Files.readString(t.resolve("schedstat")), t.toString()).waitNs();
                }
            }
        }
        throw new AssertionError("no thread named " + comm + " in this process");
    }

    @Test
    void roundsKeepComingWithSaneStateAndLittleCpu() throws Exception {
        List<ContinuousProber.Snapshot> seen = new CopyOnWriteArrayList<>();
        ContinuousProber.Config cfg = ContinuousProber.Config.of(allCpus(), 250_000_000L, 5_000_000L);
        long cpu;
        long start = System.nanoTime();
        long coordinatorWaitNs;
        try (ContinuousProber p = new ContinuousProber(cfg, seen::add).start()) {
            Thread.sleep(3_000);
            cpu = p.consumedCpuNs();
            coordinatorWaitNs = waitNs(COORDINATOR_COMM);
        }
        long wall = System.nanoTime() - start;
        // 12 rounds fit in 3 s; at least 8, less a round for every period the guest kept the coordinator
        // waiting to run (its schedstat run delay): how busy this VM is, not the prober's doing.
        long expected = 8 - (coordinatorWaitNs + 249_999_999L) / 250_000_000L;
        assertTrue(seen.size() >= expected, seen.size() + " rounds in 3 s at 4 per second, the coordinator "
                + "kept waiting " + coordinatorWaitNs / 1_000_000 + " ms");
        ContinuousProber.Snapshot last = seen.getLast();
        assertEquals(allCpus().size(), last.vcpus().size());
        for (ContinuousProber.VcpuState v : last.vcpus().values()) {
            assertTrue(v.available(), v.toString());
            assertTrue(v.smoothedCapacity() > 0 && v.smoothedCapacity() <= 1024, v.toString());
            assertTrue(v.timeshare() > 0 && v.timeshare() <= 1, v.toString());
        }
        assertTrue(last.threshold().thresholdNs() > 0);
        // 5 ms of 250 ms per vCPU is 2% duty, plus a 50 ms calibration window; the bound here is physical, the target is in the benchmark.
        double share = (double) cpu / wall;
        assertTrue(share < 0.10 * allCpus().size(), "probe threads used " + share + " of one vCPU");
        Thread.sleep(100);
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("vsched-vcap")), "threads are gone after close()");
    }

    /**
     * On this idle machine the vCPUs hold still: after some rounds at the period the rounds spread out to
     * the steady period, and the snapshots say so.
     */
    @Test
    void roundsSpreadOutWhileNothingChanges() throws Exception {
        List<ContinuousProber.Snapshot> seen = new CopyOnWriteArrayList<>();
        ContinuousProber.Config cfg = ContinuousProber.Config.of(allCpus(), 100_000_000L, 3_000_000L)
                .withSteadyPeriod(400_000_000L);
        try (ContinuousProber p = new ContinuousProber(cfg, seen::add).start()) {
            long until = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < until
                    && seen.stream().filter(s -> s.cadenceNs() == 400_000_000L).count() < 4) {
                Thread.sleep(100);
            }
        }
        List<ContinuousProber.Snapshot> steady = seen.stream().filter(s -> s.cadenceNs() == 400_000_000L).toList();
        assertTrue(steady.size() >= 4, "steady rounds among " + seen.stream()
                .map(s -> s.round() + ":" + s.cadenceNs() / 1_000_000 + "ms").toList());
        assertEquals(100_000_000L, seen.getFirst().cadenceNs(), "starts at the period: " + seen.getFirst());
        // after a steady round only every 4th round runs (and the calibration rounds)
        int spread = 0;
        for (int i = 0; i + 1 < seen.size(); i++) {
            ContinuousProber.Snapshot a = seen.get(i);
            ContinuousProber.Snapshot b = seen.get(i + 1);
            if (a.cadenceNs() == 400_000_000L) {
                assertTrue(b.round() % 4 == 0 || b.round() % cfg.calibrateEvery() == 0,
                        "round " + b.round() + " ran after steady round " + a.round());
                spread += b.round() - a.round() == 4 ? 1 : 0;
            }
        }
        assertTrue(spread >= 2, spread + " steady rounds followed by the next a stride later");
    }

    @Test
    void nonsenseConfigIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> ContinuousProber.Config.of(List.of(), 1_000_000_000L, 5_000_000L));
        assertThrows(IllegalArgumentException.class,
                () -> ContinuousProber.Config.of(List.of(0), 6_000_000L, 5_000_000L));
        assertThrows(IllegalArgumentException.class,
                () -> new ContinuousProber.Config(List.of(0), 1_000_000_000L, 5_000_000L, 0, 50_000_000L, 60,
                        1_000_000_000L));
        assertThrows(IllegalArgumentException.class,
                () -> new ContinuousProber.Config(List.of(0), 1_000_000_000L, 5_000_000L, 20, 1_000_000L, 60,
                        1_000_000_000L));
        assertThrows(IllegalArgumentException.class, () -> ContinuousProber.Config.of(List.of(0), 1_000_000_000L,
                5_000_000L).withSteadyPeriod(500_000_000L));
    }
}
