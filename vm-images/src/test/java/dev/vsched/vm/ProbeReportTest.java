package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeReportTest {

    private static ProbeReport fixture() throws IOException {
        try (InputStream in = ProbeReportTest.class.getResourceAsStream("/probe/stacked-4.json")) {
            return ProbeReport.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void readsHostVcapAndVtop() throws IOException {
        ProbeReport r = fixture();
        assertTrue(r.schedExt());
        assertEquals(List.of(0, 1, 2, 3), r.onlineCpus());
        assertEquals(List.of(0, 1, 2, 3), r.probedCpus());
        assertEquals(0.31, r.timeshare(1).getAsDouble(), 1e-9);
        assertEquals(707, r.capacity(0).getAsDouble(), 1e-9);
        assertEquals("stacked", r.relation(3, 2).orElseThrow());
        assertEquals("same_socket", r.relation(0, 2).orElseThrow());
        assertTrue(r.relation(1, 2).isEmpty());
        assertTrue(r.oneWayNs(1, 3).isEmpty(), "null latency of an inferred pair reads as empty");
        assertEquals(2, r.verdict().size());
    }

    @Test
    void unavailableVcpuHasNoCapacity() throws IOException {
        ProbeReport r = fixture();
        assertFalse(r.available(3));
        assertTrue(r.capacity(3).isEmpty());
        assertTrue(r.vcpu(7).isEmpty());
    }

    @Test
    void rejectsNonJsonAndWrongSchema() {
        String m = assertThrows(IllegalArgumentException.class, () -> ProbeReport.parse("Exception in thread")).getMessage();
        assertTrue(m.contains("not JSON") && m.contains("Exception in thread"), m);
        m = assertThrows(IllegalArgumentException.class, () -> ProbeReport.parse("{\"hello\":\"25\"}")).getMessage();
        assertTrue(m.contains("schema ''") && m.contains(ProbeReport.SCHEMA), m);
        assertThrows(IllegalArgumentException.class, () -> ProbeReport.parse("[1,2]"));
        assertThrows(IllegalArgumentException.class, () -> ProbeReport.parse(""));
    }

    @Test
    void aGuestJvmCrashIsNamedNotCalledBadJson() {
        // the head of a real one: ProbeIT's guest probe under TCG thread=multi, 2026-12-06
        String hsErr = """
                #
                # A fatal error has been detected by the Java Runtime Environment:
                #
                #  SIGSEGV (0xb) at pc=0x00007f0844ef00ad, pid=148, tid=452
                #
                # JRE version: OpenJDK Runtime Environment Temurin-25.0.3+9 (25.0.3+9) (build 25.0.3+9-LTS)
                # Problematic frame:
                # j  java.lang.AbstractStringBuilder.append(I)Ljava/lang/AbstractStringBuilder;+0 java.base@25.0.3
                #
                """;
        String m = assertThrows(IllegalArgumentException.class, () -> ProbeReport.parse(hsErr)).getMessage();
        assertEquals("guest JVM crashed (SIGSEGV (0xb) at pc=0x00007f0844ef00ad, frame j  "
                + "java.lang.AbstractStringBuilder.append(I)Ljava/lang/AbstractStringBuilder;+0 java.base@25.0.3) "
                + "instead of printing the report", m);
    }
}
