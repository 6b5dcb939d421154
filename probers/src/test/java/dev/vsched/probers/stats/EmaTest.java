package dev.vsched.probers.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EmaTest {
    @Test
    void firstSampleIsTakenAsIs() {
        Ema e = new Ema(2);
        assertEquals(512.0, e.update(512), 1e-9);
    }

    @Test
    void anOldValueLosesHalfItsWeightPerHalfLife() {
        Ema e = new Ema(2);
        e.update(1000);
        e.update(0);
        assertEquals(500.0 * Math.sqrt(2), e.value(), 1e-6, "one sample = half a half-life");
        e.update(0);
        assertEquals(500.0, e.value(), 1e-6, "two samples = one half-life");
        Ema four = new Ema(4);
        four.update(1000);
        for (int i = 0; i < 8; i++) {
            four.update(0);
        }
        assertEquals(250.0, four.value(), 1e-6, "eight samples at half-life 4 = two halvings");
    }

    @Test
    void convergesToAConstantInput() {
        Ema e = new Ema(2);
        e.update(0);
        for (int i = 0; i < 60; i++) {
            e.update(700);
        }
        assertEquals(700.0, e.value(), 1e-6);
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Ema(0));
        assertThrows(IllegalArgumentException.class, () -> new Ema(-1));
        assertThrows(IllegalArgumentException.class, () -> new Ema(Double.NaN));
        assertThrows(IllegalStateException.class, () -> new Ema(2).value());
        assertThrows(IllegalArgumentException.class, () -> new Ema(2).update(Double.NaN));
    }
}
