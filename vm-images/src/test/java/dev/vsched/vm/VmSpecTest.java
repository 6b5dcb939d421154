package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VmSpecTest {

    private static VmSpec spec(Map<String, String> params) {
        return spec(params, 60);
    }

    private static VmSpec spec(Map<String, String> params, long timeoutSeconds) {
        return new VmSpec("t", Path.of("/k"), Path.of("/i"), null, 4, 2048, VmSpec.Tcg.SINGLE, "probe", params, null,
                Duration.ofSeconds(timeoutSeconds));
    }

    @Test
    void appendQuotesValuesWithSpaces() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("probe_args", "--duration 2s --cpus 0-3");
        p.put("spin-seconds", "5");
        assertEquals("console=ttyS0 panic=-1 oops=panic quiet vsched.test=probe"
                + " vsched.probe_args=\"--duration 2s --cpus 0-3\" vsched.spin-seconds=5", spec(p).append());
    }

    @Test
    void theGuestStopsAHungTestBeforeTheHardTimeoutUnlessTold() {
        VmSpec tenMinutes = spec(Map.of(), 600);
        assertTrue(tenMinutes.append().endsWith(" vsched.timeout=540"), tenMinutes.append());
        VmSpec told = spec(Map.of("timeout", "100"), 600);
        assertTrue(told.append().endsWith(" vsched.timeout=100"), told.append());
        assertEquals(1, told.append().split("vsched.timeout=", -1).length - 1, told.append());
        VmSpec short1 = spec(Map.of(), 60);
        assertTrue(!short1.append().contains("vsched.timeout"), "no room for a guest limit: " + short1.append());
    }

    @Test
    void rejectsValuesTheCommandLineCannotCarry() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> spec(Map.of("probe_args", "--x \"y\""))).getMessage();
        assertTrue(msg.contains("vsched.probe_args"), msg);
        assertThrows(IllegalArgumentException.class, () -> spec(Map.of("Bad Key", "1")));
        assertThrows(IllegalArgumentException.class, () -> spec(Map.of("test", "other")));
        assertThrows(IllegalArgumentException.class, () -> spec(Map.of("k", "a\nb")));
    }

    @Test
    void layoutNeedsMultiThreadedTcg() {
        HostLayout l = HostLayout.parse("l", "v0=0");
        String msg = assertThrows(IllegalArgumentException.class, () -> new VmSpec("t", Path.of("/k"), Path.of("/i"),
                null, 4, 2048, VmSpec.Tcg.SINGLE, "probe", Map.of(), l, Duration.ofSeconds(1))).getMessage();
        assertTrue(msg.contains("thread=multi"), msg);
        assertEquals(VmSpec.Tcg.MULTI, spec(Map.of()).withLayout(l).tcg());
    }

    @Test
    void qemuCommandFollowsTheProtocol() {
        List<String> cmd = QemuCommandLine.of(spec(Map.of()).withLayout(HostLayout.parse("l", "v0=0")), Path.of("/tmp/d"));
        String line = String.join(" ", cmd);
        assertTrue(line.contains("-accel tcg,thread=multi"), line);
        assertTrue(line.contains("-name t,debug-threads=on"), line);
        assertTrue(line.contains("-serial file:/tmp/d/console.log -serial file:/tmp/d/results.log"), line);
        assertTrue(line.contains("-nographic -monitor none -nic none -no-reboot"), line);
        assertTrue(line.contains("-qmp unix:/tmp/d/qmp.sock,server=on,wait=off"), line);
        assertTrue(line.endsWith("-S"), "starts paused so the vCPU threads are known before the guest runs");
    }

    @Test
    void diskBootMountsTheImageFromASnapshot() {
        VmSpec d = new VmSpec("t", Path.of("/k"), null, Path.of("/b/eval-7.2.img"), 2, 2048, VmSpec.Tcg.SINGLE,
                "sched-stress", Map.of(), null, Duration.ofSeconds(60));
        String line = String.join(" ", QemuCommandLine.of(d, Path.of("/tmp/d")));
        assertTrue(line.contains("-drive file=/b/eval-7.2.img,format=raw,if=none,id=root,snapshot=on"
                + " -device nvme,drive=root,serial=vsched-root"), line);
        assertTrue(!line.contains("-initrd"), line);
        assertTrue(d.append().startsWith("console=ttyS0 panic=-1 oops=panic quiet root=/dev/nvme0n1 ro rootwait"
                + " init=/init vsched.test=sched-stress"), d.append());
        assertThrows(IllegalArgumentException.class, () -> new VmSpec("t", Path.of("/k"), Path.of("/i"),
                Path.of("/d"), 2, 2048, VmSpec.Tcg.SINGLE, "x", Map.of(), null, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new VmSpec("t", Path.of("/k"), null, null, 2, 2048,
                VmSpec.Tcg.SINGLE, "x", Map.of(), null, Duration.ofSeconds(1)));
    }
}
