package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** A real per-thread cpu cgroup on this host (no VM): the quota throttles, and close() removes it all. */
class ThreadCgroupsIT extends VmTestSupport {

    @Test
    void quotaThrottlesOneThreadAndCloseRemovesTheGroups() throws Exception {
        Process spinner = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        try {
            int pid = (int) spinner.pid();
            CpuCgroupMount mount = CpuCgroupMount.detect();
            Path parent;
            double share;
            try (ThreadCgroups groups = new ThreadCgroups(mount, pid)) {
                parent = groups.parentDir();
                groups.place("spin", pid, 1024, OptionalInt.of(20), 20_000);
                assertEquals(java.util.List.of(pid), groups.threadsIn("spin"));
                long t0 = cpuTicks(pid);
                long w0 = System.nanoTime();
                Thread.sleep(2000);
                share = (cpuTicks(pid) - t0) * 10e6 / (System.nanoTime() - w0);
                assertTrue(Files.isDirectory(parent.resolve("spin")));
            }
            // 20% of one CPU; /proc ticks are 10 ms, so +-0.05 over 2 s covers tick rounding and steal.
            assertEquals(0.20, share, 0.05, "CPU share of a thread with a 20% quota");
            assertFalse(Files.exists(parent), parent + " left behind");
            String home = mount.cgroupOf(Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")));
            assertFalse(home.contains(ThreadCgroups.PREFIX), "thread not moved back: " + home);
        } finally {
            spinner.destroyForcibly().waitFor();
        }
    }

    /** utime + stime of a process in clock ticks (USER_HZ = 100). */
    private static long cpuTicks(int pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
