package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.proc.SchedExtSysfs;
import dev.vsched.probers.sys.NativeCallException;
import dev.vsched.probers.sys.Threads;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/** Functional boots (TCG thread=single): the guests come up as built, and the harness's failure paths. */
@Order(1)
@ResourceLock(value = VmTestSupport.HOST_CPUS, mode = ResourceAccessMode.READ)
class BootIT extends VmTestSupport {

    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);

    @Test
    void kernel72BootsWithSchedExt() throws Exception {
        // the first test of its shared boot: nothing loaded or attached before it
        VmRun run = SharedBoots.part(SharedBoots.FUNCTIONAL_72, "boot-check");
        assertTrue(run.result().passed(), run.describe());
        Map<String, String> boot = keyValues(run, "boot.txt");
        assertEquals(IMAGES.kernelVersion("7.2"), boot.get("uname_r"), run.describe());
        assertEquals("yes", boot.get("sched_ext"), SchedExtSysfs.ROOT + " missing on 7.2\n" + run.describe());
        assertEquals("disabled", boot.get("sched_ext_state"), "no BPF scheduler should be attached at boot");
        assertEquals("2", boot.get("nproc"));
        assertTrue(boot.get("cmdline").contains("vsched.test=each")
                && boot.get("cmdline").contains("vsched.tests=\"boot-check "), boot.get("cmdline"));
    }

    @Test
    void kernel61BootsWithoutSchedExt() throws Exception {
        VmRun run = SharedBoots.part(SharedBoots.FUNCTIONAL_61, "boot-check");
        assertTrue(run.result().passed(), run.describe());
        Map<String, String> boot = keyValues(run, "boot.txt");
        assertEquals(IMAGES.kernelVersion("6.1"), boot.get("uname_r"), run.describe());
        assertEquals("no", boot.get("sched_ext"), run.describe());
    }

    private static VmFailure noSuchTest;

    /**
     * One boot of a missing guest test serves both tests below: the guest powers off at once (rc 127), and
     * a host-side check then reads a vCPU thread that is gone.
     */
    private static synchronized VmFailure noSuchTest() {
        if (noSuchTest == null) {
            VmSpec spec = VmSpec.of(IMAGES, "7.2", "no-such-test", 1, BOOT_TIMEOUT);
            noSuchTest = assertThrows(VmFailure.class, () -> GuestRunner.run(spec, 1, vm -> {
                assertTrue(vm.exitsWithin(BOOT_TIMEOUT), "the guest did not power off");
                Threads.affinity(vm.vcpuThreads().get(0));
            }));
        }
        return noSuchTest;
    }

    @Test
    void missingGuestTestReportsRc127() {
        VmRun run = noSuchTest().run();
        assertTrue(run.result().complete(), run.describe());
        assertEquals(127, run.result().rc().getAsInt(), run.describe());
        assertTrue(run.guestLog().contains("no test script /tests/no-such-test.sh"), run.guestLog());
    }

    @Test
    void hostSideFailureAfterTheGuestExitedNamesBoth() {
        VmFailure f = noSuchTest();
        assertTrue(f.getMessage().contains("QEMU exited while the host side ran"), f.getMessage());
        assertTrue(f.getCause() instanceof NativeCallException, String.valueOf(f.getCause()));
        assertTrue(f.getMessage().contains("no test script /tests/no-such-test.sh"),
                "the console tail belongs in the message: " + f.getMessage());
    }

    @Test
    void guestLimitStopsAHungTestAndSendsWhatWasLeftRunning() throws Exception {
        VmSpec spec = VmSpec.of(IMAGES, "7.2", "spin-rates", 1, BOOT_TIMEOUT)
                .withParams(Map.of("spin-seconds", "3600", "timeout", "5"));
        VmRun run = GuestRunner.run(spec);
        assertEquals(124, run.result().rc().getAsInt(), run.describe());
        assertTrue(run.guestLog().contains("test stopped by vsched.timeout=5"), run.guestLog());
        String ps = run.result().text("timeout-ps.txt").orElseThrow(() -> new AssertionError(run.describe()));
        // the pinned loop outlives the stopped script, running
        assertTrue(ps.lines().anyMatch(l -> l.matches("\\d+ R sh .*while :; do c=.*")), ps);
        String tasks = run.result().text("timeout-tasks.txt").orElseThrow(() -> new AssertionError(run.describe()));
        assertTrue(tasks.contains("sysrq: Show State"), tasks);
        String blocked = run.result().text("timeout-blocked.txt").orElseThrow(() -> new AssertionError(run.describe()));
        assertTrue(blocked.contains("sysrq: Show Blocked State"), blocked);
    }

    @Test
    void hardTimeoutKillsTheGuestAndShowsTheConsole() {
        VmSpec spec = VmSpec.of(IMAGES, "7.2", "spin-rates", 1, Duration.ofSeconds(20))
                .withParams(Map.of("spin-seconds", "3600"));
        VmFailure f = assertThrows(VmFailure.class, () -> GuestRunner.run(spec));
        assertTrue(f.run().timedOut());
        assertTrue(f.getMessage().contains("hard timeout of 20 s"), f.getMessage());
        // Whatever the console reached in 20 s (on a busy machine the kernel may still be booting): its
        // last line belongs in the message.
        List<String> console = f.run().console().lines().filter(l -> !l.isBlank()).toList();
        assertFalse(console.isEmpty(), "the guest wrote nothing to its console in 20 s");
        assertTrue(f.getMessage().contains(console.getLast().strip()),
                "the console tail belongs in the message: " + f.getMessage());
    }
}
