package dev.vsched.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * Every arm against default over the runs of one boot. Runs come in rounds (one run per arm, the order
 * rotating), so each metric has, per arm, a ratio to default per round as well as the ratio of the
 * medians; the per-round ratios give a bootstrap interval that says whether a difference is resolved.
 */
public final class Comparison {

    /** What is compared; ratios are arm / default, so above 1 is better for throughput only. */
    public enum Metric {
        THROUGHPUT("sysbench events/s", "throughput", true, r -> r.sysbench() == null ? OptionalDouble.empty()
                : OptionalDouble.of(r.sysbench().eventsPerSecond())),
        EVENT_P95_MS("sysbench event latency p95 (ms)", "event p95", false, r -> r.sysbench() == null
                ? OptionalDouble.empty() : OptionalDouble.of(r.sysbench().latencyP95Ms())),
        WAKEUP_P95_US("cyclictest wake-up latency p95 (us)", "wake-up p95", false, r -> percentile(r, 0.95)),
        WAKEUP_P99_US("cyclictest wake-up latency p99 (us)", "wake-up p99", false, r -> percentile(r, 0.99));

        public final String label;
        public final String shortLabel;
        public final boolean higherIsBetter;
        final Function<GuestRun, OptionalDouble> value;

        Metric(String label, String shortLabel, boolean higherIsBetter, Function<GuestRun, OptionalDouble> value) {
            this.label = label;
            this.shortLabel = shortLabel;
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

    /**
     * One metric of one arm: medians of default and the arm, their ratio, the per-round ratios and the
     * bootstrap interval of their geometric mean.
     */
    public record Summary(Metric metric, String arm, double defaultMedian, double armMedian, double ratio,
            double[] roundRatios, Bootstrap.Interval interval) {
        public double minRoundRatio() {
            return Arrays.stream(roundRatios).min().orElse(Double.NaN);
        }

        public double maxRoundRatio() {
            return Arrays.stream(roundRatios).max().orElse(Double.NaN);
        }

        /**
         * Median of the per-round ratios: each round's runs are next to each other in time, so a host that
         * drifts over the boot (seen: default runs 1038 falling to 825 events/s in one boot) moves all of
         * them; the ratio of the medians mixes runs from different times.
         */
        public double medianRoundRatio() {
            return median(Arrays.stream(roundRatios).boxed().toList());
        }

        public String word() {
            return interval.word(arm, metric.higherIsBetter);
        }
    }

    private final List<GuestRun> runs;
    private final List<String> arms;
    private final long seed;

    /**
     * @param arms the arms of a round, in any order, {@code default} among them; null: those the runs name
     * @param seed the bootstrap's seed (mixed with the metric and arm)
     * @throws IllegalArgumentException if the runs are not whole rounds of one run per arm
     */
    public Comparison(List<GuestRun> runs, List<String> arms, long seed) {
        this.arms = List.copyOf(arms == null ? armsOf(runs) : arms);
        if (!this.arms.contains(GuestRun.DEFAULT)) {
            throw new IllegalArgumentException("no '" + GuestRun.DEFAULT + "' arm among " + this.arms
                    + ": every ratio is to the default scheduler");
        }
        if (this.arms.size() < 2) {
            throw new IllegalArgumentException("only the default arm ran: nothing to compare");
        }
        int n = this.arms.size();
        if (runs.isEmpty() || runs.size() % n != 0) {
            throw new IllegalArgumentException(runs.size() + " runs: expected whole rounds of " + n + " (" + this.arms + ")");
        }
        for (int i = 0; i < runs.size(); i += n) {
            List<String> seen = new ArrayList<>();
            for (GuestRun r : runs.subList(i, i + n)) {
                if (!this.arms.contains(r.arm())) {
                    throw new IllegalArgumentException("round " + (i / n + 1) + " ran arm '" + r.arm()
                            + "', not one of " + this.arms);
                }
                if (seen.contains(r.arm())) {
                    throw new IllegalArgumentException("round " + (i / n + 1) + " ran " + r.arm() + " twice");
                }
                seen.add(r.arm());
            }
        }
        this.runs = List.copyOf(runs);
        this.seed = seed;
    }

    /** With the arms the runs name and seed 1. */
    public Comparison(List<GuestRun> runs) {
        this(runs, null, 1);
    }

    /**
     * The runs of each workload, in order of first appearance (key null: a guest that names none). A
     * guest running several workloads runs each round workload by workload, every arm once per workload.
     */
    public static Map<String, List<GuestRun>> byWorkload(List<GuestRun> runs) {
        Map<String, List<GuestRun>> out = new java.util.LinkedHashMap<>();
        runs.forEach(r -> out.computeIfAbsent(r.workload(), w -> new ArrayList<>()).add(r));
        return out;
    }

    /** The distinct arms of {@code runs}, default first, then in order of first appearance. */
    public static List<String> armsOf(List<GuestRun> runs) {
        LinkedHashSet<String> a = new LinkedHashSet<>();
        a.add(GuestRun.DEFAULT);
        runs.forEach(r -> a.add(r.arm()));
        return List.copyOf(a);
    }

    /**
     * The runs of the rounds that completed: a guest stopped by its timeout may leave a round short,
     * which has nothing to be compared with.
     */
    public static List<GuestRun> wholeRounds(List<GuestRun> runs, int arms) {
        return runs.subList(0, runs.size() - runs.size() % arms);
    }

    public List<GuestRun> runs() {
        return runs;
    }

    /** Default first, then the others in the order given. */
    public List<String> arms() {
        List<String> out = new ArrayList<>();
        out.add(GuestRun.DEFAULT);
        arms.stream().filter(a -> !a.equals(GuestRun.DEFAULT)).forEach(out::add);
        return out;
    }

    /** The arms compared with default. */
    public List<String> challengers() {
        return arms().subList(1, arms.size());
    }

    public int rounds() {
        return runs.size() / arms.size();
    }

    /** Empty when the metric was not measured in every run of default and the arm (no cyclictest in cpu). */
    public Optional<Summary> summary(Metric m, String arm) {
        int n = arms.size();
        List<Double> d = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        double[] rr = new double[rounds()];
        for (int i = 0; i < runs.size(); i += n) {
            List<GuestRun> round = runs.subList(i, i + n);
            GuestRun def = round.stream().filter(r -> r.arm().equals(GuestRun.DEFAULT)).findFirst().orElseThrow();
            GuestRun vs = round.stream().filter(r -> r.arm().equals(arm)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no arm '" + arm + "' in " + arms));
            OptionalDouble dv = m.of(def);
            OptionalDouble vv = m.of(vs);
            if (dv.isEmpty() || vv.isEmpty() || !(dv.getAsDouble() > 0) || !(vv.getAsDouble() > 0)) {
                return Optional.empty();
            }
            d.add(dv.getAsDouble());
            v.add(vv.getAsDouble());
            rr[i / n] = vv.getAsDouble() / dv.getAsDouble();
        }
        double dm = median(d);
        double vm = median(v);
        Bootstrap.Interval ci = Bootstrap.ratioInterval(rr, Bootstrap.seedFor(seed, m.name(), arm));
        return Optional.of(new Summary(m, arm, dm, vm, vm / dm, rr, ci));
    }

    /** An arm's median value of a metric over its runs, empty if any run lacks it. */
    public OptionalDouble median(Metric m, String arm) {
        List<Double> xs = new ArrayList<>();
        for (GuestRun r : runs) {
            if (r.arm().equals(arm)) {
                OptionalDouble x = m.of(r);
                if (x.isEmpty()) {
                    return OptionalDouble.empty();
                }
                xs.add(x.getAsDouble());
            }
        }
        return xs.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(median(xs));
    }

    /** An arm's own CPU use over its runs, as a fraction of one vCPU (median); empty if not measured. */
    public OptionalDouble armCpu(String arm) {
        List<Double> c = runs.stream().filter(r -> r.arm().equals(arm) && r.armCpu().isPresent())
                .map(r -> r.armCpu().getAsDouble()).toList();
        return c.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(median(c));
    }

    /** The arm's wake-up latency histograms of all its runs merged, empty without cyclictest. */
    public Optional<CyclictestHistogram> wakeups(String arm) {
        List<CyclictestHistogram> hs = runs.stream().filter(r -> r.arm().equals(arm) && r.cyclictest() != null)
                .map(GuestRun::cyclictest).toList();
        return hs.isEmpty() ? Optional.empty() : Optional.of(CyclictestHistogram.merge(hs));
    }

    static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
