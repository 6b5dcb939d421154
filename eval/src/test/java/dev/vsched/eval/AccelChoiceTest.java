package dev.vsched.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.vm.VmSpec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AccelChoiceTest {

    /** What QEMU printed on this project's machine, whose nested KVM cannot boot a stock kernel. */
    private static final String NESTED_KVM_FAILURE = """
            KVM internal error. Suberror: 1
            extra data[0]: 0x0000000000000000
            emulation failure
            RAX=0000000000000000 RBX=0000000000000000 RCX=0000000000000000 RDX=0000000000000000
            """;

    @Test
    void autoProbesOnceAndFallsBackToTcgWithTheReason() {
        AtomicInteger calls = new AtomicInteger();
        AccelChoice c = new AccelChoice(AccelChoice.Mode.AUTO, () -> {
            calls.incrementAndGet();
            return Optional.of("KVM probe boot failed: KVM internal error. Suberror: 1");
        });
        assertEquals(VmSpec.Accel.TCG, c.choice().accel());
        assertEquals(VmSpec.Accel.TCG, c.choice().accel());
        assertEquals(1, calls.get(), "the probe runs once per compare run");
        assertTrue(c.choice().describe().startsWith("TCG thread=multi: auto: KVM probe boot failed"), c.choice().describe());
    }

    @Test
    void autoTakesKvmWhenTheProbeBooted() {
        AccelChoice c = new AccelChoice(AccelChoice.Mode.AUTO, Optional::empty);
        assertEquals(VmSpec.Accel.KVM, c.choice().accel());
        assertTrue(c.choice().describe().startsWith("KVM (-accel kvm -cpu host): auto:"), c.choice().describe());
    }

    @Test
    void anOverrideNeverProbes() {
        AccelChoice tcg = new AccelChoice(AccelChoice.Mode.TCG, () -> {
            throw new AssertionError("probed");
        });
        assertEquals(VmSpec.Accel.TCG, tcg.choice().accel());
        AccelChoice kvm = new AccelChoice(AccelChoice.Mode.KVM, () -> {
            throw new AssertionError("probed");
        });
        assertEquals(VmSpec.Accel.KVM, kvm.choice().accel());
        assertEquals(AccelChoice.Mode.AUTO, AccelChoice.Mode.parse(" Auto"));
        String msg = assertThrows(IllegalArgumentException.class, () -> AccelChoice.Mode.parse("hvf")).getMessage();
        assertTrue(msg.contains("'hvf'") && msg.contains("tcg, kvm, auto"), msg);
    }

    @Test
    void judgesAProbeBootByWhatItLeft() {
        Duration w = Duration.ofSeconds(3);
        assertEquals(Optional.empty(), AccelChoice.judge("Linux version 7.2\nvsched-init: start\n", "", false, w));
        assertEquals(Optional.of("KVM probe boot failed: KVM internal error. Suberror: 1"),
                AccelChoice.judge("", NESTED_KVM_FAILURE, false, w));
        // an error beats a marker: the guest may print before the fault
        assertTrue(AccelChoice.judge("vsched-init: start", NESTED_KVM_FAILURE, false, w).isPresent());
        assertEquals(Optional.of("KVM probe boot: QEMU exited before the guest's /init (qemu: bad option)"),
                AccelChoice.judge("", "qemu: bad option\n", true, w));
        assertEquals(Optional.of("KVM probe boot did not reach the guest's /init in 61 s"),
                AccelChoice.judge("Linux version", "", false, Duration.ofSeconds(61)));
    }

    @Test
    void aQemuThatDiesAtOnceUnderKvmIsReportedWithItsOwnError() {
        // what QemuVm.start threw on this project's machine (nested KVM, QEMU 7.2), 2026-12-06
        String msg = "QEMU start of eval-boot-check-7.2 failed: no QMP connection on /tmp/q/qmp.sock within PT30S"
                + " (QEMU exited)\nQEMU said:\nqemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n"
                + "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion failed.";
        assertEquals("KVM probe boot did not start: QEMU said 'qemu-system-x86_64: error: failed to set MSR 0x10a"
                + " to 0x69'", AccelChoice.startFailure(msg));
        assertEquals("KVM probe boot did not start: cannot start qemu-system-x86_64",
                AccelChoice.startFailure("cannot start qemu-system-x86_64\nNo such file"));
    }
}
