package dev.vsched.probers.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.proc.GuestTopology;
import dev.vsched.probers.report.ProbeOptions;
import dev.vsched.probers.report.ProbeReport;
import dev.vsched.probers.timeline.VcpuTimeline;
import dev.vsched.probers.vcap.VcapResult;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A whole probe of this VM. */
class ProbeSessionIT {
    static List<Integer> online() throws Exception {
        GuestTopology g = GuestTopology.read();
        List<Integer> out = new ArrayList<>();
        g.online().stream().forEach(out::add);
        return out;
    }

    @Test
    void probesEveryOnlineVcpuWithSaneFigures() throws Exception {
        List<Integer> cpus = online();
        ProbeOptions o = new ProbeOptions(cpus, EnumSet.allOf(ProbeOptions.Prober.class), 600_000_000L,
                20_000_000L, VcpuTimeline.Mode.HEAVY);
        ProbeReport r = new ProbeSession(o, ProbeSession.ProgressListener.NONE).run();
        assertTrue(r.complete(), r.unavailable().toString());
        assertEquals(cpus.size(), r.vcap().size());
        assertEquals(cpus.size(), r.vact().size());
        double bestSpeed = 0;
        for (VcapResult c : r.vcap()) {
            assertTrue(c.timeshare() > 0 && c.timeshare() <= 1, c.toString());
            assertTrue(c.speed() > 0 && c.speed() <= 1, c.toString());
            assertTrue(c.capacity() > 0 && c.capacity() <= 1024, c.toString());
            assertTrue(c.activeNs() <= c.wallNs(), c.toString());
            bestSpeed = Math.max(bestSpeed, c.speed());
        }
        assertEquals(1.0, bestSpeed, 1e-9, "speeds are relative to the fastest vCPU");
        assertTrue(r.gapThreshold().thresholdNs() >= 8_000, r.gapThreshold().toString());
        if (cpus.size() >= 2) {
            assertNotNull(r.vtop());
            assertEquals(cpus.size() * (cpus.size() - 1) / 2, r.vtop().pairs().size());
            assertEquals(cpus, r.vtop().root().cpus());
        }
        assertTrue(!r.verdict().isEmpty());
    }

    @Test
    void aCpuThatIsNotOnlineIsABadArgumentNamingIt() throws Exception {
        GuestTopology g = GuestTopology.read();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProbeSession.checkOnline(List.of(0, 4095), g));
        assertTrue(e.getMessage().contains("vCPU 4095 is not online"), e.getMessage());
    }
}
