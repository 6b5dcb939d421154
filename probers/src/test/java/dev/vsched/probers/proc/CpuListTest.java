package dev.vsched.probers.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.sys.CpuSets;
import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CpuListTest {
    @Test
    void parsesSinglesAndRanges() {
        assertEquals(CpuSets.of(0, 1, 2, 3, 5, 8, 9), CpuList.parse("0-3,5,8-9\n"));
        assertEquals(CpuSets.of(7), CpuList.parse("7"));
        assertTrue(CpuList.parse("").isEmpty());
        assertTrue(CpuList.parse("\n").isEmpty());
    }

    @Test
    void formatsCompactly() {
        assertEquals("0-3,5,8-9", CpuList.format(CpuSets.of(0, 1, 2, 3, 5, 8, 9)));
        assertEquals("", CpuList.format(new BitSet()));
        assertEquals("4", CpuList.format(CpuSets.of(4)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"3-1", "a", "1,,2", "-1", "0-", "1-2-3", "99999999", "0x3"})
    void rejectsMalformedListsNamingTheElement(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuList.parse(bad));
        assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
}
