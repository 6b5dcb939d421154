package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * int3 detection on console fixtures (src/test/resources/console). int3-7.2*.log are consoles this
 * harness captured from 7.2 guests under thread=multi with the standard layout (trimmed); the 6.1
 * one is written after 6.1's die() header, which lacks the "Oops: " prefix.
 */
class ConsoleLogTest {

    private static String fixture(String name) throws IOException {
        try (InputStream in = ConsoleLogTest.class.getResourceAsStream("/console/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void detectsInt3On72() throws IOException {
        assertEquals("[    1.660186] Oops: int3: 0000 [#1] SMP NOPTI",
                ConsoleLog.int3Oops(fixture("int3-7.2.log")).orElseThrow());
    }

    @Test
    void detectsInt3SharingALineWithBiosEscapeCodes() throws IOException {
        assertEquals("[    1.593297] Oops: int3: 0000 [#1] SMP NOPTI",
                ConsoleLog.int3Oops(fixture("int3-7.2-after-bios.log")).orElseThrow());
    }

    @Test
    void detectsInt3On61WithoutOopsPrefix() throws IOException {
        assertEquals("[    4.101263] int3: 0000 [#1] PREEMPT SMP NOPTI",
                ConsoleLog.int3Oops(fixture("int3-6.1.log")).orElseThrow());
    }

    @Test
    void detectsInt3WithCrLf() throws IOException {
        assertTrue(ConsoleLog.int3Oops(fixture("int3-crlf.log")).isPresent());
    }

    @Test
    void otherOopsIsNotInt3() throws IOException {
        // A general protection fault must fail the test, not be retried; a quoted "int3:" mid-line is no oops.
        assertTrue(ConsoleLog.int3Oops(fixture("gpf-7.2.log")).isEmpty());
    }

    @Test
    void cleanBootIsNotInt3() throws IOException {
        assertTrue(ConsoleLog.int3Oops(fixture("clean-7.2.log")).isEmpty());
    }

    @Test
    void tailDropsCarriageReturnsAndTrailingBlankLines() throws IOException {
        String tail = ConsoleLog.tail(fixture("clean-7.2.log"), 2);
        assertEquals("vsched-init: test boot-check finished rc=0 uptime=2.24\n[    2.301044] reboot: Power down", tail);
        assertEquals("(console log is empty)", ConsoleLog.tail("\n\n", 5));
    }
}
