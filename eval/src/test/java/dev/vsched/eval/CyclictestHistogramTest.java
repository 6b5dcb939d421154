package dev.vsched.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CyclictestHistogramTest {

    @Test
    void mergesThreadsAndCountsOverflows() {
        // thread 0: 90 samples at 10 us, 10 at 50 us; thread 1: 95 at 20 us and 5 past the last bucket
        String json = """
                {"thread": {
                  "0": {"histogram": {"10": 90, "50": 10}, "cycles": 100, "min": 10, "max": 50, "avg": 14.0},
                  "1": {"histogram": {"20": 95}, "cycles": 100, "min": 20, "max": 12000, "avg": 600.0}}}
                """;
        CyclictestHistogram h = CyclictestHistogram.parse(json);
        assertEquals(200, h.samples());
        assertEquals(5, h.overflows());
        assertEquals(12000, h.maxUs());
        assertEquals(10, h.percentileUs(0.45).orElseThrow());
        assertEquals(20, h.percentileUs(0.90).orElseThrow());
        assertEquals(50, h.percentileUs(0.975).orElseThrow());
        assertTrue(h.percentileUs(0.99).isEmpty(), "the p99 sample is an overflow: its value is unknown");
    }

    @Test
    void malformedInputIsNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CyclictestHistogram.parse("{"))
                .getMessage().contains("does not parse"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CyclictestHistogram.parse("{}"))
                .getMessage().contains("\"thread\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CyclictestHistogram.parse(
                "{\"thread\": {\"0\": {\"histogram\": {\"1\": 5}, \"cycles\": 2}}}")).getMessage().contains("cycles"));
        assertThrows(IllegalArgumentException.class, () -> CyclictestHistogram.parse("{\"thread\":{}}").percentileUs(0));
        assertEquals("cyclictest printed nothing (empty JSON)",
                assertThrows(IllegalArgumentException.class, () -> CyclictestHistogram.parse("")).getMessage());
    }

    @Test
    void mergedRunsGiveOneCdfThatEndsBelowOneByTheOverflows() {
        CyclictestHistogram a = CyclictestHistogram.parse(
                "{\"thread\": {\"0\": {\"histogram\": {\"10\": 3, \"20\": 1}, \"cycles\": 5, \"max\": 900}}}");
        CyclictestHistogram b = CyclictestHistogram.parse(
                "{\"thread\": {\"0\": {\"histogram\": {\"10\": 1, \"30\": 5}, \"cycles\": 6, \"max\": 30}}}");
        CyclictestHistogram m = CyclictestHistogram.merge(java.util.List.of(a, b));
        assertEquals(11, m.samples());
        assertEquals(1, m.overflows());
        assertEquals(900, m.maxUs());
        java.util.List<double[]> cdf = m.cdf();
        assertEquals(3, cdf.size());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {10, 4 / 11.0}, cdf.get(0), 1e-12);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {20, 5 / 11.0}, cdf.get(1), 1e-12);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {30, 10 / 11.0}, cdf.get(2), 1e-12);
    }
}
