package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsProtocolTest {

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** busybox base64 wraps at 76 columns; the parser must join the lines. */
    private static String wrapped(byte[] data) {
        String all = Base64.getEncoder().encodeToString(data);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < all.length(); i += 76) {
            sb.append(all, i, Math.min(all.length(), i + 76)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void completeStreamWithTwoFilesAndRc() {
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        String json = "{\"schema\":\"" + ProbeReport.SCHEMA + "\"}";
        String raw = "VSCHED BEGIN probe\n"
                + "VSCHED FILE probe.json\n" + b64(json) + "\nVSCHED ENDFILE probe.json\n"
                + "VSCHED FILE sub/blob.bin\n" + wrapped(binary) + "VSCHED ENDFILE sub/blob.bin\n"
                + "VSCHED END probe rc=1\n";
        GuestResult r = ResultsProtocol.parse(raw);
        assertTrue(r.complete(), r.summary());
        assertFalse(r.passed(), "rc=1 is not a pass");
        assertEquals("probe", r.testName());
        assertEquals(1, r.rc().getAsInt());
        assertEquals(json, r.text("probe.json").orElseThrow());
        assertArrayEquals(binary, r.file("sub/blob.bin").orElseThrow());
    }

    @Test
    void toleratesCrLfAndJunkBeforeBegin() {
        String raw = "\u0000garbage\r\nVSCHED BEGIN boot-check\r\nVSCHED FILE boot.txt\r\n" + b64("nproc=4\n")
                + "\r\nVSCHED ENDFILE boot.txt\r\nVSCHED END boot-check rc=0\r\n";
        GuestResult r = ResultsProtocol.parse(raw);
        assertTrue(r.passed(), r.summary());
        assertEquals("nproc=4\n", r.text("boot.txt").orElseThrow());
    }

    @Test
    void emptyFileAndNoFiles() {
        GuestResult r = ResultsProtocol.parse("VSCHED BEGIN t\nVSCHED FILE empty\nVSCHED ENDFILE empty\nVSCHED END t rc=0\n");
        assertTrue(r.passed(), r.summary());
        assertEquals(0, r.file("empty").orElseThrow().length);
        assertTrue(ResultsProtocol.parse("VSCHED BEGIN t\nVSCHED END t rc=127\n").complete());
    }

    @Test
    void truncatedInsideAFileKeepsEarlierFiles() {
        String raw = "VSCHED BEGIN probe\nVSCHED FILE probe.log\n" + b64("started\n")
                + "\nVSCHED ENDFILE probe.log\nVSCHED FILE probe.json\neyJzY2hl";
        GuestResult r = ResultsProtocol.parse(raw);
        assertFalse(r.complete());
        assertTrue(r.rc().isEmpty());
        assertEquals("started\n", r.text("probe.log").orElseThrow());
        assertTrue(r.file("probe.json").isEmpty());
        assertTrue(r.problems().toString().contains("ends inside file probe.json"), r.problems().toString());
    }

    @Test
    void missingEndIsTruncation() {
        GuestResult r = ResultsProtocol.parse("VSCHED BEGIN boot-check\nVSCHED FILE a\nYQ==\nVSCHED ENDFILE a\n");
        assertFalse(r.complete());
        assertEquals("a", r.text("a").orElseThrow());
        assertTrue(r.problems().toString().contains("no 'VSCHED END'"), r.problems().toString());
    }

    @Test
    void emptyStreamSaysTheTestNeverStarted() {
        GuestResult r = ResultsProtocol.parse("");
        assertFalse(r.complete());
        assertTrue(r.problems().getFirst().contains("no 'VSCHED BEGIN'"), r.problems().toString());
    }

    @Test
    void missingLogFileIsReported(@TempDir Path dir) throws Exception {
        GuestResult r = ResultsProtocol.parse(dir.resolve("results.log"));
        assertFalse(r.complete());
        assertTrue(r.problems().getFirst().contains("does not exist"));
    }

    @Test
    void corruptBase64DropsOnlyThatFile() {
        String raw = "VSCHED BEGIN t\nVSCHED FILE bad\nYWJj*GVm\nVSCHED ENDFILE bad\n"
                + "VSCHED FILE badpad\nYWJjZ\nVSCHED ENDFILE badpad\n"
                + "VSCHED FILE good\n" + b64("ok") + "\nVSCHED ENDFILE good\nVSCHED END t rc=0\n";
        GuestResult r = ResultsProtocol.parse(raw);
        assertFalse(r.complete(), "a corrupt file makes the result incomplete");
        assertFalse(r.passed());
        assertTrue(r.file("bad").isEmpty());
        assertTrue(r.file("badpad").isEmpty());
        assertEquals("ok", r.text("good").orElseThrow());
        String p = r.problems().toString();
        assertTrue(p.contains("not base64 inside file bad"), p);
        assertTrue(p.contains("file badpad is corrupt base64"), p);
    }

    @Test
    void fileInterruptedByEnd() {
        GuestResult r = ResultsProtocol.parse("VSCHED BEGIN t\nVSCHED FILE a\nYQ==\nVSCHED END t rc=0\n");
        assertFalse(r.complete());
        assertEquals(0, r.rc().getAsInt());
        assertTrue(r.problems().toString().contains("file a truncated by 'VSCHED END t rc=0'"), r.problems().toString());
    }

    @Test
    void mismatchedNamesAndUnsafePaths() {
        String raw = "VSCHED BEGIN t\nVSCHED FILE a\nYQ==\nVSCHED ENDFILE b\n"
                + "VSCHED FILE ../etc/passwd\nYQ==\nVSCHED ENDFILE ../etc/passwd\nVSCHED END other rc=0\n";
        GuestResult r = ResultsProtocol.parse(raw);
        String p = r.problems().toString();
        assertTrue(p.contains("ENDFILE b closes FILE a"), p);
        assertTrue(p.contains("not a plain relative path"), p);
        assertTrue(p.contains("END for other but BEGIN was t"), p);
        assertTrue(r.files().isEmpty());
        assertFalse(r.complete());
    }

    @Test
    void dataAfterEndAndStrayLinesAreProblems() {
        GuestResult r = ResultsProtocol.parse("VSCHED BEGIN t\nhello\nVSCHED END t rc=0\nmore\n");
        String p = r.problems().toString();
        assertTrue(p.contains("unexpected outside a file: hello"), p);
        assertTrue(p.contains("data after END: more"), p);
    }

    @Test
    void rcOutOfRange() {
        GuestResult r = ResultsProtocol.parse("VSCHED BEGIN t\nVSCHED END t rc=99999999999\n");
        assertTrue(r.rc().isEmpty());
        assertTrue(r.problems().toString().contains("rc out of range"));
    }
}
