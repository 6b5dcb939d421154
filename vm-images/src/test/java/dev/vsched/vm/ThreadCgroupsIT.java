package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.proc.ThreadSchedstat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A real per-thread cpu cgroup on this host (no VM): the quota throttles (the host's schedstat and the group's
 * cpu.stat say so), and close() removes it all.
 */
@Order(10)
@ResourceLock(value = VmTestSupport.HOST_CPUS, mode = ResourceAccessMode.READ_WRITE)
class ThreadCgroupsIT extends VmTestSupport {

    /**
     * Least fraction of the quota periods in which the kernel throttled the spinner (cpu.stat): each
     * throttled period is one in which it ran its whole quota, so this is the host's own account that
     * the quota, and nothing else, limited it. A spinner alone here is throttled in every period; other
     * work on the machine can only cost it some periods. Without the quota it is never throttled.
     */
    static final double THROTTLED_FLOOR = 0.5;

    /**
     * The thread's CPU time over the window (schedstat, ns) may exceed the 20% quota only by this: one
     * period's quota at each end of the window.
     */
    static final double ABOVE_QUOTA = 0.01;

    @Test
    void quotaThrottlesOneThreadAndCloseRemovesTheGroups() throws Exception {
        Process spinner = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        try {
            int pid = (int) spinner.pid();
            CpuCgroupMount mount = CpuCgroupMount.detect();
            Path parent;
            double share;
            long periods;
            long throttled;
            try (ThreadCgroups groups = new ThreadCgroups(mount, pid)) {
                parent = groups.parentDir();
                groups.place("spin", pid, 1024, OptionalInt.of(20), 20_000);
                assertEquals(java.util.List.of(pid), groups.threadsIn("spin"));
                Map<String, Long> stat0 = cpuStat(parent.resolve("spin"));
                long t0 = runNs(pid);
                long w0 = System.nanoTime();
                Thread.sleep(2000);
                share = (double) (runNs(pid) - t0) / (System.nanoTime() - w0);
                Map<String, Long> stat1 = cpuStat(parent.resolve("spin"));
                periods = stat1.get("nr_periods") - stat0.get("nr_periods");
                throttled = stat1.get("nr_throttled") - stat0.get("nr_throttled");
                assertTrue(Files.isDirectory(parent.resolve("spin")));
            }
            // Judged by the host's own accounting, not by how much CPU this busy machine had to spare: the
            // thread never ran more than its quota, and the kernel says the quota is what stopped it.
            String context = String.format(java.util.Locale.ROOT,
                    "CPU share %.3f of a thread with a 20%% quota, throttled in %d of %d periods", share, throttled,
                    periods);
            assertTrue(share <= 0.20 + ABOVE_QUOTA, context);
            assertTrue(periods >= 50, "quota periods of 20 ms in 2 s; " + context);
            assertTrue(throttled >= THROTTLED_FLOOR * periods, context);
            assertTrue(share >= 0.20 * throttled / periods - ABOVE_QUOTA,
                    "the throttled periods' quota is CPU time it ran; " + context);
            assertFalse(Files.exists(parent), parent + " left behind");
            String home = mount.cgroupOf(Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")));
            assertFalse(home.contains(ThreadCgroups.PREFIX), "thread not moved back: " + home);
        } finally {
            spinner.destroyForcibly().waitFor();
        }
    }

    /** The thread's run time on the CPU in ns, from the host's schedstat. */
    private static long runNs(int tid) throws Exception {
        Path file = Path.of("/proc/" + tid + "/schedstat");
        return ThreadSchedstat.parse(Files.readString(file), file.toString()).runNs();
    }

    /** A cgroup's cpu.stat as name -> value (v1 and v2 both have nr_periods and nr_throttled). */
    private static Map<String, Long> cpuStat(Path group) throws Exception {
        Map<String, Long> out = new java.util.HashMap<>();
        for (String line : Files.readAllLines(group.resolve("cpu.stat"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2) {
                out.put(f[0], Long.parseLong(f[1]));
            }
        }
        return out;
    }
}
