package dev.vsched.probers.proc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadSchedstatTest {
    @Test
    void parsesTheThreeFields() {
        assertEquals(new ThreadSchedstat(123456789L, 4321L, 17L), ThreadSchedstat.parse("123456789 4321 17\n", "x"));
    }

    @Test
    void rejectsMalformedText() {
        assertThrows(IllegalArgumentException.class, () -> ThreadSchedstat.parse("1 2\n", "x"));
        assertThrows(IllegalArgumentException.class, () -> ThreadSchedstat.parse("1 two 3\n", "x"));
    }

    @Test
    void readerParsesFieldsWithoutAllocatingFromAFixture(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("schedstat");
        Files.writeString(f, "987654321 1000 42\n");
        try (ThreadSchedstat.Reader r = new ThreadSchedstat.Reader(f)) {
            assertEquals(42, r.timeslices());
            assertEquals(987654321L, r.runNs());
            Files.writeString(f, "987654999 1000 43\n");
            assertEquals(43, r.timeslices(), "a re-read sees the new content");
            long[] all = new long[3];
            assertTrue(r.readInto(all));
            assertArrayEquals(new long[] {987654999L, 1000L, 43L}, all);
            Files.writeString(f, "5 6\n");
            assertFalse(r.readInto(all), "two fields are not a schedstat line");
            assertArrayEquals(new long[] {987654999L, 1000L, 43L}, all, "left as it was");
            assertEquals(-1, r.timeslices());
        }
    }

    @Test
    void readerOnTheCurrentThreadSeesRunTimeGrow() throws IOException {
        try (ThreadSchedstat.Reader r = ThreadSchedstat.Reader.ofCurrentThread()) {
            ThreadSchedstat before = r.read();
            long x = 1;
            for (int i = 0; i < 50_000_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            ThreadSchedstat after = r.read();
            assertTrue(x != 0);
            assertTrue(after.runNs() > before.runNs(), before + " -> " + after);
            assertTrue(after.timeslices() >= before.timeslices());
        }
    }
}
