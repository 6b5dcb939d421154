package dev.vsched.eval;

import dev.vsched.eval.GuestRun.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * vsched vs default over the runs of one boot. Runs come in rounds of two (one per scheduler, the
 * order alternating), so each metric has a ratio per round as well as the ratio of the medians; the
 * spread of the per-round ratios says how much of a difference is noise.
 */
public final class Comparison {

    /** What is compared; ratios are vsched / default, so above 1 is better for throughput only. */
    public enum Metric {
        THROUGHPUT("sysbench events/s", true, r -> OptionalDouble.of(r.sysbench().eventsPerSecond())),
        EVENT_P95_MS("sysbench event latency p95 (ms)", false, r -> OptionalDouble.of(r.sysbench().latencyP95Ms())),
        WAKEUP_P95_US("cyclictest wake-up latency p95 (us)", false, r -> percentile(r, 0.95)),
        WAKEUP_P99_US("cyclictest wake-up latency p99 (us)", false, r -> percentile(r, 0.99));

        public final String label;
        public final boolean higherIsBetter;
        final Function<GuestRun, OptionalDouble> value;

        Metric(String label, boolean higherIsBetter, Function<GuestRun, OptionalDouble> value) {
            this.label = label;
            this.higherIsBetter = higherIsBetter;
            this.value = value;
        }

        private static OptionalDouble percentile(GuestRun r, double q) {
            if (r.cyclictest() == null) {
                return OptionalDouble.empty();
            }
            var p = r.cyclictest().percentileUs(q);
            return p.isPresent() ? OptionalDouble.of(p.getAsLong()) : OptionalDouble.empty();
        }

        public OptionalDouble of(GuestRun r) {
            return value.apply(r);
        }
    }

    /** One metric summarised: medians per scheduler, their ratio, and the per-round ratios. */
    public record Summary(Metric metric, double defaultMedian, double vschedMedian, double ratio, double[] roundRatios) {
        public double minRoundRatio() {
            return Arrays.stream(roundRatios).min().orElse(Double.NaN);
        }

        public double maxRoundRatio() {
            return Arrays.stream(roundRatios).max().orElse(Double.NaN);
        }

        /**
         * Median of the per-round ratios: each round's two runs are next to each other in time, so a
         * host that drifts over the boot (seen: default runs 1038 falling to 825 events/s in one boot)
         * moves both; the ratio of the medians mixes runs from different times.
         */
        public double medianRoundRatio() {
            return median(Arrays.stream(roundRatios).boxed().toList());
        }
    }

    private final List<GuestRun> runs;

    /** @throws IllegalArgumentException if the runs are not complete rounds of one default and one vsched run */
    public Comparison(List<GuestRun> runs) {
        if (runs.isEmpty() || runs.size() % 2 != 0) {
            throw new IllegalArgumentException(runs.size() + " runs: expected whole rounds of two");
        }
        for (int i = 0; i < runs.size(); i += 2) {
            if (runs.get(i).mode() == runs.get(i + 1).mode()) {
                throw new IllegalArgumentException("round " + (i / 2 + 1) + " ran " + runs.get(i).mode() + " twice");
            }
        }
        this.runs = List.copyOf(runs);
    }

    /**
     * The runs of the rounds that completed: a guest stopped by its timeout may leave a round with one
     * run, which has nothing to be compared with.
     */
    public static List<GuestRun> wholeRounds(List<GuestRun> runs) {
        return runs.subList(0, runs.size() - runs.size() % 2);
    }

    public List<GuestRun> runs() {
        return runs;
    }

    public int rounds() {
        return runs.size() / 2;
    }

    /** Empty when the metric was not measured (no cyclictest in the cpu workload). */
    public java.util.Optional<Summary> summary(Metric m) {
        List<Double> d = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        double[] rr = new double[rounds()];
        for (int i = 0; i < runs.size(); i += 2) {
            GuestRun a = runs.get(i);
            GuestRun b = runs.get(i + 1);
            GuestRun def = a.mode() == Mode.DEFAULT ? a : b;
            GuestRun vs = a.mode() == Mode.VSCHED ? a : b;
            OptionalDouble dv = m.of(def);
            OptionalDouble vv = m.of(vs);
            if (dv.isEmpty() || vv.isEmpty()) {
                return java.util.Optional.empty();
            }
            d.add(dv.getAsDouble());
            v.add(vv.getAsDouble());
            rr[i / 2] = vv.getAsDouble() / dv.getAsDouble();
        }
        double dm = median(d);
        double vm = median(v);
        return java.util.Optional.of(new Summary(m, dm, vm, vm / dm, rr));
    }

    /** vsched's own CPU use over its runs, as a fraction of one vCPU (median). */
    public OptionalDouble vschedCpu() {
        List<Double> c = runs.stream().filter(r -> r.vschedCpu().isPresent()).map(r -> r.vschedCpu().getAsDouble())
                .toList();
        return c.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(median(c));
    }

    static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
