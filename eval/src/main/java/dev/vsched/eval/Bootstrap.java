package dev.vsched.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A 95% bootstrap confidence interval of an arm's ratio to default over rounds. The statistic is the
 * geometric mean of the per-round ratios (a ratio's natural average: 0.5 and 2 average to 1); each
 * resample draws as many rounds as there are, with replacement. The plain percentile interval is too
 * narrow for few rounds (with 3 it is about the range of the rounds), so this is the expanded
 * percentile interval (Hesterberg): the percentiles at {@code Phi(-sqrt(n/(n-1)) t(0.975, n-1))} and its
 * complement, which widens it as Student's t would. Seeded: the same rounds and seed give the same
 * interval, so a report can be reproduced from its runs.
 *
 * <p>Under {@link #MIN_ROUNDS_VERDICT} rounds no verdict is given even if the interval excludes 1: all of
 * 4 rounds on one side happens by chance one time in 8.
 */
public final class Bootstrap {

    public static final int RESAMPLES = 10_000;
    /** Fewer rounds than this give no interval: two values resample into three distinct means. */
    public static final int MIN_ROUNDS = 3;
    /** Fewer rounds than this give an interval but no verdict. */
    public static final int MIN_ROUNDS_VERDICT = 5;

    /** Whether the interval excludes 1, and on which side. */
    public enum Verdict {
        /** The interval lies on the better side of 1 (above for throughput, below for a latency). */
        BETTER,
        WORSE,
        /** The interval contains 1. */
        NOT_RESOLVED,
        /** Fewer than {@link #MIN_ROUNDS} rounds: no interval. */
        TOO_FEW_ROUNDS
    }

    /** @param lo NaN without an interval (too few rounds) */
    public record Interval(double estimate, double lo, double hi, int rounds) {
        public boolean present() {
            return !Double.isNaN(lo);
        }

        public Verdict verdict(boolean higherIsBetter) {
            if (!present() || rounds < MIN_ROUNDS_VERDICT) {
                return Verdict.TOO_FEW_ROUNDS;
            }
            if (lo > 1) {
                return higherIsBetter ? Verdict.BETTER : Verdict.WORSE;
            }
            if (hi < 1) {
                return higherIsBetter ? Verdict.WORSE : Verdict.BETTER;
            }
            return Verdict.NOT_RESOLVED;
        }

        /**
         * The plain word: "ARM faster" / "ARM slower" (faster = better on the metric: more throughput or
         * less latency), "not resolved", or "too few rounds".
         */
        public String word(String arm, boolean higherIsBetter) {
            return switch (verdict(higherIsBetter)) {
                case BETTER -> arm + " faster";
                case WORSE -> arm + " slower";
                case NOT_RESOLVED -> "not resolved";
                case TOO_FEW_ROUNDS -> "too few rounds (" + rounds + " < " + MIN_ROUNDS_VERDICT + ")";
            };
        }

        /** Half the interval's width relative to the estimate: roughly the smallest difference these rounds resolve. */
        public double halfWidth() {
            return (hi - lo) / 2 / estimate;
        }
    }

    private Bootstrap() {
    }

    public static double geometricMean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += Math.log(x);
        }
        return Math.exp(s / xs.length);
    }

    /** @throws IllegalArgumentException on no ratios or a ratio that is not positive and finite */
    public static Interval ratioInterval(double[] roundRatios, long seed) {
        if (roundRatios.length == 0) {
            throw new IllegalArgumentException("no rounds");
        }
        for (double r : roundRatios) {
            if (!(r > 0) || Double.isInfinite(r)) {
                throw new IllegalArgumentException("ratio " + r + " is not positive and finite: " + Arrays.toString(roundRatios));
            }
        }
        double est = geometricMean(roundRatios);
        int n = roundRatios.length;
        if (n < MIN_ROUNDS) {
            return new Interval(est, Double.NaN, Double.NaN, n);
        }
        double[] logs = Arrays.stream(roundRatios).map(Math::log).toArray();
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] means = new double[RESAMPLES];
        for (int b = 0; b < RESAMPLES; b++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += logs[rnd.nextInt(n)];
            }
            means[b] = s / n;
        }
        Arrays.sort(means);
        double tail = expandedTail(n);
        return new Interval(est, Math.exp(quantile(means, tail)), Math.exp(quantile(means, 1 - tail)), n);
    }

    /** Student's t 0.975 quantiles for 1..30 degrees of freedom; beyond, the normal's 1.96 is close enough. */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
        2.056, 2.052, 2.048, 2.045, 2.042};

    /** The lower tail of the expanded percentile interval for n rounds (0.025 for large n). */
    static double expandedTail(int n) {
        double t = n - 1 <= T975.length ? T975[n - 2] : 1.96;
        return normalCdf(-Math.sqrt(n / (n - 1.0)) * t);
    }

    /** Phi(x), from erfc (Numerical Recipes' erfcc, relative error under 1.2e-7). */
    static double normalCdf(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double t = 1 / (1 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223
                + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    /** Linear interpolation between order statistics (type 7, R's default). */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int i = (int) Math.floor(h);
        return i + 1 < sorted.length ? sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
    }

    /** A seed for one (experiment, metric, arm): the run's seed mixed with the names, stable across JVMs. */
    public static long seedFor(long seed, String... names) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (String s : names) {
            for (int i = 0; i < s.length(); i++) {
                h = (h ^ s.charAt(i)) * 0x100000001B3L;
            }
            h = Long.rotateLeft(h, 17) ^ 0x5DEECE66DL;
        }
        return h;
    }
}
