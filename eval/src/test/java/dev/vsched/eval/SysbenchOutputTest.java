package dev.vsched.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SysbenchOutputTest {

    @Test
    void readsARealRun() throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("compare-mixed/runs/01-default/sysbench.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        SysbenchOutput s = SysbenchOutput.parse(text);
        assertEquals(262.12, s.eventsPerSecond(), 1e-9);
        assertEquals(1318, s.totalEvents());
        assertEquals(23.10, s.latencyP95Ms(), 1e-9);
        assertEquals(58.80, s.latencyMaxMs(), 1e-9);
    }

    @Test
    void emptyOrCutOutputIsNamed() {
        assertEquals("sysbench printed nothing (empty output)",
                assertThrows(IllegalArgumentException.class, () -> SysbenchOutput.parse(" \n")).getMessage());
        assertEquals("sysbench output has no 'events per second' line", assertThrows(IllegalArgumentException.class,
                () -> SysbenchOutput.parse("sysbench 1.0.20\nCPU speed:\n")).getMessage());
    }
}
