package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Cleanup when the harness JVM is interrupted: SIGTERM (Ctrl-C, a CI timeout) runs the shutdown
 * hook, which kills QEMU and removes its cgroups and temp directory; SIGKILL cannot run anything,
 * but QEMU dies with the JVM (parent-death signal) and the next harness sweeps what was left.
 */
@Order(10)
@ResourceLock(value = VmTestSupport.HOST_CPUS, mode = ResourceAccessMode.READ_WRITE)
class InterruptIT extends VmTestSupport {

    private record Child(Process jvm, long qemu, Path cgroup, Path dir) {
    }

    private static Child startShapedGuest() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dvsched.repo.root=" + IMAGES.repoRoot(),
                "-Dvsched.vm.logs=" + System.getProperty("vsched.vm.logs", ""),
                "-cp", System.getProperty("java.class.path"),
                HarnessChild.class.getName())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith("SHAPED ")) {
                String[] f = line.split(" ");
                // Keep draining the child's output so it never blocks on a full pipe.
                Thread.ofVirtual().start(() -> {
                    try {
                        out.lines().forEach(l -> { });
                    } catch (UncheckedIOException e) {
                        // the test closed the stream when it ended the child
                    }
                });
                return new Child(p, Long.parseLong(f[1].substring(5)), Path.of(f[2].substring(7)), Path.of(f[3].substring(4)));
            }
        }
        p.destroyForcibly().waitFor();
        throw new AssertionError("harness child ended before shaping the guest:\n" + seen);
    }

    private static boolean gone(long pid, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.currentTimeMillis() > end) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    @Test
    void sigtermCleansUpEverything() throws Exception {
        Child c = startShapedGuest();
        assertTrue(Files.isDirectory(c.cgroup()) && Files.isDirectory(c.dir()), "child should be shaped: " + c);
        c.jvm().destroy(); // SIGTERM
        assertTrue(c.jvm().waitFor(30, TimeUnit.SECONDS), "harness JVM ignored SIGTERM");
        assertTrue(gone(c.qemu(), 5000), "QEMU " + c.qemu() + " survived its harness's SIGTERM");
        assertFalse(Files.exists(c.cgroup()), c.cgroup() + " left after SIGTERM");
        assertFalse(Files.exists(c.dir()), c.dir() + " left after SIGTERM");
    }

    @Test
    void sigkillTakesQemuAlongAndTheNextRunSweeps() throws Exception {
        Child c = startShapedGuest();
        c.jvm().destroyForcibly(); // SIGKILL: no hook runs
        assertTrue(c.jvm().waitFor(30, TimeUnit.SECONDS));
        assertTrue(gone(c.qemu(), 5000), "QEMU " + c.qemu() + " outlived its SIGKILLed harness");
        List<Path> swept = ThreadCgroups.sweepStale(CpuCgroupMount.detect());
        assertNotNull(swept);
        assertTrue(swept.contains(c.cgroup()), "stale " + c.cgroup() + " not swept: " + swept);
        VmTempDir.sweepStale();
        assertFalse(Files.exists(c.dir()), c.dir() + " not swept");
    }
}
