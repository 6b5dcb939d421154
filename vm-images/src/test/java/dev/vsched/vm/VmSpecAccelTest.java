package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The accelerator choice on QEMU's command line: TCG as before, or KVM with the host's CPU model. */
class VmSpecAccelTest {

    private static VmSpec eval() {
        return new VmSpec("t", Path.of("/k"), null, Path.of("/b/eval-7.2.img"), 4, 2048, VmSpec.Tcg.SINGLE,
                "sched-compare", Map.of(), null, Duration.ofSeconds(600));
    }

    private static String line(VmSpec s) {
        return String.join(" ", QemuCommandLine.of(s, Path.of("/tmp/d")));
    }

    @Test
    void tcgIsTheDefaultAndKeepsItsCommandLine() {
        VmSpec s = eval();
        assertEquals(VmSpec.Accel.TCG, s.accel());
        assertTrue(line(s).contains("-accel tcg,thread=single -cpu max -smp 4"), line(s));
        VmSpec multi = s.withTcg(VmSpec.Tcg.MULTI);
        assertTrue(line(multi).contains("-accel tcg,thread=multi -cpu max -smp 4"), line(multi));
        assertEquals("tcg thread=multi", multi.accelDescription());
    }

    @Test
    void kvmRunsTheHostCpuModelAndNoTcgOption() {
        VmSpec k = eval().withAccel(VmSpec.Accel.KVM);
        List<String> cmd = QemuCommandLine.of(k, Path.of("/tmp/d"));
        String l = String.join(" ", cmd);
        assertTrue(l.contains("-accel kvm -cpu host -smp 4"), l);
        assertFalse(l.contains("tcg"), l);
        assertFalse(l.contains("-cpu max"), l);
        assertEquals("kvm", k.accelDescription());
        // the rest of the protocol is the same under both
        assertEquals(line(eval()).replace("-accel tcg,thread=single -cpu max", "-accel kvm -cpu host"), l);
    }

    @Test
    void aLayoutAppliesUnderKvmWhoseVcpusHaveAThreadEach() {
        HostLayout l = HostLayout.parse("l", "v0=0; v1=0@30");
        VmSpec k = eval().withAccel(VmSpec.Accel.KVM).withLayout(l);
        assertTrue(k.threadPerVcpu());
        assertEquals(VmSpec.Accel.KVM, k.accel(), "withLayout keeps the accelerator");
        assertTrue(line(k).contains("-accel kvm -cpu host"), line(k));
        // a KVM spec with single TCG threading (ignored) still takes a layout; TCG single does not
        new VmSpec("t", Path.of("/k"), Path.of("/i"), null, 2, 2048, VmSpec.Tcg.SINGLE, "x", Map.of(), l,
                Duration.ofSeconds(5), VmSpec.Accel.KVM);
        assertThrows(IllegalArgumentException.class, () -> new VmSpec("t", Path.of("/k"), Path.of("/i"), null, 2,
                2048, VmSpec.Tcg.SINGLE, "x", Map.of(), l, Duration.ofSeconds(5), VmSpec.Accel.TCG));
        assertThrows(IllegalArgumentException.class, () -> new VmSpec("t", Path.of("/k"), Path.of("/i"), null, 2,
                2048, VmSpec.Tcg.SINGLE, "x", Map.of(), null, Duration.ofSeconds(5), null));
    }
}
