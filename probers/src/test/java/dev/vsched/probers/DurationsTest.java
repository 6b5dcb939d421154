package dev.vsched.probers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    /** Everything the CLI or the agent config accepted before they shared this parser. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "250ns|250",
        "20us|20000",
        "1500ms|1500000000",
        "0.5s|500000000",
        "2s|2000000000",
        "1m|60000000000",
        "1h|3600000000000",
        "0s|0",
        "1.5ms|1500000",
        "0.0000004ms|0",
        "0.0000006ms|1",
        "2 s|2000000000",
        "'  3ms '|3000000",
        "500MS|500000000",
        "1H|3600000000000"})
    void acceptsNumberAndUnit(String text, long ns) {
        assertEquals(ns, Durations.parseNs(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5x", "ms", "-1s", "+1s", "1e3ms", ".5s", "5.s", "1 000ms", "1s 2ms", "1sec",
        "1d", "soon"})
    void rejectsAnythingElseNamingTheValue(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parseNs(text));
        assertTrue(e.getMessage().startsWith("'" + text + "' is not a duration"), e.getMessage());
        assertTrue(e.getMessage().contains("500ms"), "says what is expected: " + e.getMessage());
    }

    @Test
    void rejectsWhatWouldOverflow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parseNs("9999999999h"));
        assertEquals("duration '9999999999h' is too long", e.getMessage());
        assertEquals(3_600_000_000_000_000_000L, Durations.parseNs("1000000h"));
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> Durations.parseNs(null));
    }
}
