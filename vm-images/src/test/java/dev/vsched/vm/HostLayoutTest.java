package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.proc.CpuList;
import java.util.BitSet;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class HostLayoutTest {

    private static final BitSet TWO_CPUS = CpuList.parse("0-1");
    /** The VM tests' layout: vCPU 2 and 3 stacked on host CPU 1, vCPU 1 at 30% sharing CPU 0 with vCPU 0. */
    private static final String STANDARD = "v0=0; v1=0@30; v2=1; v3=1; rest=0";

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void parsesAndDescribesRoundTrip() {
        HostLayout l = HostLayout.parse("std", STANDARD);
        assertEquals(4, l.vcpus().size());
        assertEquals(30, l.vcpus().get(1).quotaPercent().getAsInt());
        assertTrue(l.vcpus().get(0).quotaPercent().isEmpty());
        assertEquals(CpuList.parse("0"), l.restCpus());
        assertEquals(STANDARD, l.describe());
        assertEquals(l.describe(), HostLayout.parse("again", l.describe()).describe());
        assertEquals(30, HostLayout.parse("pct", "v1=0@30%").vcpus().get(1).quotaPercent().getAsInt());
    }

    @Test
    void expectedTimeshareIsMaxMinFairWithQuotaCaps() {
        SortedMap<Integer, Double> t = HostLayout.parse("std", STANDARD).expectedTimeshare();
        assertEquals(0.70, t.get(0), 1e-9);
        assertEquals(0.30, t.get(1), 1e-9);
        assertEquals(0.50, t.get(2), 1e-9);
        assertEquals(0.50, t.get(3), 1e-9);
        // A quota above the fair share does not bind: three on one CPU get a third each.
        SortedMap<Integer, Double> three = HostLayout.parse("three", "v0=1@50; v1=1; v2=1; v3=0").expectedTimeshare();
        assertEquals(1.0 / 3, three.get(0), 1e-9);
        assertEquals(1.0, three.get(3), 1e-9);
        // A lone quota-limited vCPU gets its quota.
        assertEquals(0.25, HostLayout.parse("q", "v0=0@25").expectedTimeshare().get(0), 1e-9);
    }

    @Test
    void floatingVcpusAreNotModelled() {
        SortedMap<Integer, Double> t = HostLayout.parse("f", "v0=0-1; v1=1; v2=0").expectedTimeshare();
        assertTrue(t.get(0).isNaN());
        assertTrue(t.get(1).isNaN(), "CPU 1 is shared with the floating vCPU 0");
        assertTrue(t.get(2).isNaN());
    }

    @Test
    void stackedGroupsArePinsToOneCpu() {
        HostLayout l = HostLayout.parse("std", STANDARD);
        assertEquals(List.of(CpuList.parse("0-1"), CpuList.parse("2-3")), l.stackedGroups());
        assertTrue(l.stacked(2, 3));
        assertTrue(l.stacked(0, 1));
        assertFalse(l.stacked(1, 2));
        assertFalse(HostLayout.parse("f", "v0=0-1; v1=0-1").stacked(0, 1), "floating threads are not stacked");
    }

    @Test
    void validatesAgainstTheGuestAndHost() {
        HostLayout.parse("std", STANDARD).validate(4, TWO_CPUS);
        assertEquals("layout 'x': unknown vCPU 4 (the guest has 4 vCPUs: 0-3)",
                error(() -> HostLayout.parse("x", "v0=0; v4=1").validate(4, TWO_CPUS)));
        assertEquals("layout 'x': vCPU 1: host CPU 2-3 is not online (online: 0-1)",
                error(() -> HostLayout.parse("x", "v1=1-3").validate(4, TWO_CPUS)));
        assertEquals("layout 'x': rest: host CPU 5 is not online (online: 0-1)",
                error(() -> HostLayout.parse("x", "v1=1; rest=5").validate(4, TWO_CPUS)));
        assertTrue(error(() -> HostLayout.parse("x", "v1=0@0").validate(4, TWO_CPUS))
                .contains("vCPU 1: quota 0% out of range 1..100"));
        assertTrue(error(() -> HostLayout.parse("x", "v1=0@150").validate(4, TWO_CPUS))
                .contains("vCPU 1: quota 150% out of range 1..100"));
        assertTrue(error(() -> HostLayout.parse("x", "v1=0@-5").validate(4, TWO_CPUS))
                .contains("out of range 1..100"));
        // 2% of 20 ms is 400 us, below the kernel's 1 ms minimum quota.
        assertTrue(error(() -> HostLayout.parse("x", "v1=0@2").validate(4, TWO_CPUS))
                .contains("below the kernel's 1000 us minimum"));
    }

    @Test
    void rejectsMalformedText() {
        assertTrue(error(() -> HostLayout.parse("x", "v0")).contains("entry 'v0' is not v<vcpu>=<cpus>"));
        assertTrue(error(() -> HostLayout.parse("x", "cpu0=1")).contains("'cpu0' in entry 'cpu0=1' is not a vCPU"));
        assertTrue(error(() -> HostLayout.parse("x", "v0=a")).contains("host CPU list 'a' in entry 'v0=a'"));
        assertTrue(error(() -> HostLayout.parse("x", "v0=")).contains("host CPU list '' in entry 'v0='"));
        assertTrue(error(() -> HostLayout.parse("x", "v0=0@lots")).contains("quota 'lots' in entry 'v0=0@lots'"));
        assertTrue(error(() -> HostLayout.parse("x", "v0=0; v0=1")).contains("vCPU 0 placed twice"));
        assertTrue(error(() -> new HostLayout("x", new java.util.TreeMap<>(), null, 500, 1024)).contains("quota period"));
    }
}
