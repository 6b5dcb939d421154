package dev.vsched.probers.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NaturalBreaksTest {
    @Test
    void oneTightGroupHasNoCut() {
        assertEquals(0, NaturalBreaks.cuts(new double[] {200, 210, 190, 230, 205}, 1.5, 3).length);
    }

    @Test
    void cutsAtTheJumpBetweenGroups() {
        double[] cuts = NaturalBreaks.cuts(new double[] {20, 22, 100, 110, 105}, 1.5, 3);
        assertEquals(1, cuts.length);
        assertEquals(Math.sqrt(22 * 100), cuts[0], 1e-9);
        assertEquals(0, NaturalBreaks.cluster(21, cuts));
        assertEquals(1, NaturalBreaks.cluster(104, cuts));
    }

    @Test
    void keepsOnlyTheLargestJumpsUpToMaxClusters() {
        double[] v = {10, 30, 60, 300};
        double[] cuts = NaturalBreaks.cuts(v, 1.5, 3);
        assertEquals(2, cuts.length);
        assertArrayEquals(new double[] {Math.sqrt(10 * 30), Math.sqrt(60 * 300)}, cuts, 1e-9);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> NaturalBreaks.cuts(new double[] {1, 0}, 1.5, 3));
        assertThrows(IllegalArgumentException.class, () -> NaturalBreaks.cuts(new double[] {1, 2}, 1.0, 3));
        assertThrows(IllegalArgumentException.class,
                () -> NaturalBreaks.cuts(new double[] {1, Double.NaN}, 1.5, 3));
    }
}
