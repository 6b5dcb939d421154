package dev.vsched.probers.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcStatTest {
    static final String FIXTURE = """
            cpu  10132153 290696 3084719 46828483 16683 0 25195 175628 0 0
            cpu0 1393280 32966 572056 13343292 6130 0 17875 162 0 0
            cpu1 1335594 40040 411437 13347048 3402 0 1596 175466 12 3
            intr 199292204 19 0 0
            ctxt 1990473
            """;

    @Test
    void readsPerCpuCountersIncludingSteal() {
        ProcStat s = ProcStat.parse(FIXTURE, "fixture");
        assertEquals(2, s.cpus().size());
        assertEquals(162, s.steal(0));
        assertEquals(175466, s.steal(1));
        assertEquals(12, s.cpus().get(1).guest());
        assertEquals(-1, s.steal(7), "an offline CPU has no line");
        ProcStat.CpuTimes t = s.cpus().get(0);
        assertEquals(1393280 + 32966 + 572056 + 13343292 + 6130 + 17875 + 162, t.total());
    }

    @Test
    void oldKernelsWithFewerFieldsReadZeroSteal() {
        ProcStat s = ProcStat.parse("cpu0 1 2 3 4\n", "old");
        assertEquals(0, s.steal(0));
    }

    @Test
    void malformedInputIsRejectedWithLineAndField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcStat.parse("cpu0 1 2 x 4 5\n", "bad"));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("'x'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("cpuX 1 2 3 4\n", "bad"));
        assertTrue(e.getMessage().contains("cpuX"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("cpu0 1 2\n", "bad"));
        assertTrue(e.getMessage().contains("need at least 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("intr 1 2 3\n", "bad"));
    }

    @Test
    void readsThisMachine() throws IOException {
        ProcStat s = ProcStat.read(Path.of("/proc/stat"));
        assertTrue(s.cpus().containsKey(0));
        assertTrue(s.cpus().get(0).total() > 0);
    }
}
