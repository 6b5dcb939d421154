package dev.vsched.probers.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Splits positive values into clusters at the largest multiplicative jumps in their sorted order. Cache-line
 * transfer latencies form tight groups per topology level (SMT, same socket, cross socket) an integer factor
 * apart, so a jump of {@code minRatio} or more between neighbours is a level boundary on any machine,
 * whatever its absolute speed.
 */
public final class NaturalBreaks {
    private NaturalBreaks() {
    }

    /**
     * Returns the cut points (ascending): value v belongs to cluster i where i is the number of cuts below v.
     * Each cut lies at the geometric mean of the two neighbours it separates. At most {@code maxClusters - 1}
     * cuts are kept, the largest jumps first.
     */
    public static double[] cuts(double[] values, double minRatio, int maxClusters) {
        if (minRatio <= 1.0) {
            throw new IllegalArgumentException("break ratio must exceed 1, got " + minRatio);
        }
        double[] v = values.clone();
        Arrays.sort(v);
        for (double x : v) {
            if (!(x > 0) || Double.isInfinite(x)) {
                throw new IllegalArgumentException("natural breaks need positive finite values, got " + x);
            }
        }
        List<int[]> jumps = new ArrayList<>();
        for (int i = 0; i + 1 < v.length; i++) {
            if (v[i + 1] / v[i] >= minRatio) {
                jumps.add(new int[] {i});
            }
        }
        jumps.sort(Comparator.comparingDouble((int[] j) -> v[j[0] + 1] / v[j[0]]).reversed());
        int keep = Math.min(jumps.size(), Math.max(0, maxClusters - 1));
        double[] cuts = new double[keep];
        for (int k = 0; k < keep; k++) {
            int i = jumps.get(k)[0];
            cuts[k] = Math.sqrt(v[i] * v[i + 1]);
        }
        Arrays.sort(cuts);
        return cuts;
    }

    /** Index of the cluster {@code value} falls in, given {@link #cuts}. */
    public static int cluster(double value, double[] cuts) {
        int i = 0;
        while (i < cuts.length && value >= cuts[i]) {
            i++;
        }
        return i;
    }
}
