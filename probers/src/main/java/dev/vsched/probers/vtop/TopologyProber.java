package dev.vsched.probers.vtop;

import dev.vsched.probers.proc.GuestTopology;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Probes the topology of a set of vCPUs. Work proceeds in rounds: each round measures a set of disjoint
 * unknown pairs at the same time, then thresholds are re-calibrated from everything measured so far and
 * transitive inference fills what follows, so later rounds probe only what is still unknown. A pair found
 * stacked is measured again alone, up to {@link #MAX_RECHECKS} times, and is stacked only if no window the
 * guest left undisturbed says otherwise: a stacked neighbour pair, a quota-throttled vCPU or a host hiccup
 * can stall one window of a pair that runs on two host CPUs, but nothing makes a stacked pair hand a cache
 * line over in a cache's time.
 */
public final class TopologyProber {
    /** Re-measurements, alone, of one pair that looked stacked or was disturbed by guest work. */
    static final int MAX_RECHECKS = 2;

    private final PairProber prober;
    private final long stackedThresholdNs;
    private final Consumer<String> progress;

    /**
     * @param stackedThresholdNs a handoff at least this slow means the pair waited on the hypervisor; pass
     *                           {@code GapThreshold.handoffNs}, derived from this guest's interrupt cost
     */
    public TopologyProber(PairProber prober, long stackedThresholdNs, Consumer<String> progress) {
        if (stackedThresholdNs <= 0) {
            throw new IllegalArgumentException("stacked threshold must be positive, got " + stackedThresholdNs);
        }
        this.prober = prober;
        this.stackedThresholdNs = stackedThresholdNs;
        this.progress = progress;
    }

    public TopologyProber(PairProber prober, long stackedThresholdNs) {
        this(prober, stackedThresholdNs, s -> { });
    }

    /** Full probe of {@code cpus}; {@code guest} may be null when the guest's view is not wanted. */
    public VtopResult probe(List<Integer> cpus, GuestTopology guest) {
        long start = System.nanoTime();
        Map<Long, PairMeasurement> measured = new LinkedHashMap<>();
        Map<Integer, String> unavailable = new TreeMap<>();
        int probes = 0;
        while (true) {
            List<Integer> live = cpus.stream().filter(c -> !unavailable.containsKey(c)).sorted().toList();
            Calibration cal = calibrate(measured, unavailable);
            RelationMatrix matrix = classify(live, measured, cal);
            matrix.infer();
            List<int[]> round = nextRound(live, matrix, measured);
            if (round.isEmpty()) {
                return result(live, measured, cal, matrix, guest, "full", probes, System.nanoTime() - start,
                        unavailable);
            }
            progress.accept("vTOP: probing " + describe(round));
            List<PairMeasurement> results = prober.probe(round);
            probes += results.size();
            for (PairMeasurement m : results) {
                measured.put(key(m.a(), m.b()), m);
                if (m.failed()) {
                    markUnavailable(m, unavailable);
                }
            }
            Calibration now = calibrate(measured, unavailable);
            for (PairMeasurement m : results) {
                // A stacked or guest-disturbed verdict is re-measured alone until a clean window is not
                // stacked. A disturbed window says nothing, so it never replaces a clean one.
                int tries = 0;
                PairMeasurement cur = m;
                PairMeasurement verdict = m;
                while (!cur.failed() && tries < MAX_RECHECKS
                        && (cur.disturbedByGuest() || now.classify(cur) == Relation.STACKED)) {
                    progress.accept("vTOP: re-checking " + cur.a() + "-" + cur.b() + " alone"
                            + (cur.disturbedByGuest() ? " (the guest ran other work on it)" : ""));
                    cur = prober.probe(List.of(new int[] {cur.a(), cur.b()})).getFirst();
                    probes++;
                    tries++;
                    if (cur.failed() || !cur.disturbedByGuest() || verdict.disturbedByGuest()) {
                        verdict = cur;
                    }
                }
                measured.put(key(m.a(), m.b()), verdict);
                if (verdict.failed()) {
                    markUnavailable(verdict, unavailable);
                }
            }
        }
    }

    /**
     * Incremental re-validation: re-measures one representative pair per group of {@code previous}'s tree
     * and compares against its thresholds. If every representative still holds, returns {@code previous}
     * (mode "revalidated"); on any mismatch, or a vCPU set change, probes everything again.
     */
    public VtopResult revalidate(VtopResult previous, List<Integer> cpus, GuestTopology guest) {
        long start = System.nanoTime();
        if (!new TreeSet<>(previous.root().cpus()).equals(new TreeSet<>(cpus))) {
            return probe(cpus, guest);
        }
        List<int[]> checks = new ArrayList<>();
        List<Relation> expected = new ArrayList<>();
        representatives(previous, previous.root(), checks, expected);
        int probes = 0;
        List<int[]> pending = new ArrayList<>(checks);
        Map<Long, Relation> expectedByPair = new TreeMap<>();
        for (int i = 0; i < checks.size(); i++) {
            expectedByPair.put(key(checks.get(i)[0], checks.get(i)[1]), expected.get(i));
        }
        while (!pending.isEmpty()) {
            List<int[]> round = disjoint(pending);
            pending.removeAll(round);
            progress.accept("vTOP: re-validating " + describe(round));
            for (PairMeasurement m : prober.probe(round)) {
                probes++;
                Relation now = previous.thresholds().classify(m);
                if (now != expectedByPair.get(key(m.a(), m.b()))) {
                    progress.accept("vTOP: " + m.a() + "-" + m.b() + " is now " + now.json() + ", was "
                            + expectedByPair.get(key(m.a(), m.b())).json() + ": probing all pairs again");
                    VtopResult full = probe(cpus, guest);
                    return new VtopResult(full.thresholds(), full.pairs(), full.root(), full.guestView(),
                            full.mismatches(), full.mode(), full.probedPairs() + probes,
                            System.nanoTime() - start, full.unavailable());
                }
            }
        }
        return new VtopResult(previous.thresholds(), previous.pairs(), previous.root(), previous.guestView(),
                previous.mismatches(), "revalidated", probes, System.nanoTime() - start, previous.unavailable());
    }

    /** For each inner node: its first two children's first vCPUs, expected to keep their previous relation. */
    private static void representatives(VtopResult previous, VtopResult.Group g, List<int[]> checks,
                                        List<Relation> expected) {
        if (g.children().size() >= 2) {
            int a = g.children().get(0).cpus().getFirst();
            int b = g.children().get(1).cpus().getFirst();
            checks.add(new int[] {Math.min(a, b), Math.max(a, b)});
            expected.add(previous.relation(a, b));
        }
        for (VtopResult.Group c : g.children()) {
            representatives(previous, c, checks, expected);
        }
    }

    private Calibration calibrate(Map<Long, PairMeasurement> measured, Map<Integer, String> unavailable) {
        List<PairMeasurement> usable = measured.values().stream()
                .filter(m -> !unavailable.containsKey(m.a()) && !unavailable.containsKey(m.b()))
                .toList();
        return TopologyClassifier.calibrate(usable, stackedThresholdNs);
    }

    private static RelationMatrix classify(List<Integer> live, Map<Long, PairMeasurement> measured,
                                           Calibration cal) {
        RelationMatrix matrix = new RelationMatrix(live);
        Set<Integer> liveSet = new HashSet<>(live);
        for (PairMeasurement m : measured.values()) {
            if (liveSet.contains(m.a()) && liveSet.contains(m.b())) {
                matrix.set(m.a(), m.b(), cal.classify(m));
            }
        }
        return matrix;
    }

    /** A maximal set of disjoint pairs still unknown, least-known vCPUs first (they gain most from a probe). */
    private static List<int[]> nextRound(List<Integer> live, RelationMatrix matrix,
                                         Map<Long, PairMeasurement> measured) {
        List<int[]> pending = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            for (int j = i + 1; j < live.size(); j++) {
                int a = live.get(i);
                int b = live.get(j);
                if (!matrix.get(a, b).known() && !measured.containsKey(key(a, b))) {
                    pending.add(new int[] {a, b});
                }
            }
        }
        pending.sort(Comparator.comparingInt((int[] p) -> matrix.knownCount(p[0]) + matrix.knownCount(p[1]))
                .thenComparingInt(p -> p[0]).thenComparingInt(p -> p[1]));
        return disjoint(pending);
    }

    private static List<int[]> disjoint(List<int[]> candidates) {
        Set<Integer> used = new HashSet<>();
        List<int[]> round = new ArrayList<>();
        for (int[] p : candidates) {
            if (!used.contains(p[0]) && !used.contains(p[1])) {
                used.add(p[0]);
                used.add(p[1]);
                round.add(p);
            }
        }
        return round;
    }

    private static void markUnavailable(PairMeasurement m, Map<Integer, String> unavailable) {
        if (m.failedCpu() >= 0) {
            unavailable.putIfAbsent(m.failedCpu(), m.error());
        } else {
            // The failure names no vCPU: neither side can be trusted, so both are reported with it.
            unavailable.putIfAbsent(m.a(), m.error());
            unavailable.putIfAbsent(m.b(), m.error());
        }
    }

    private static VtopResult result(List<Integer> live, Map<Long, PairMeasurement> measured, Calibration cal,
                                     RelationMatrix matrix, GuestTopology guest, String mode, int probes,
                                     long elapsed, Map<Integer, String> unavailable) {
        List<VtopResult.PairResult> pairs = new ArrayList<>();
        List<VtopResult.GuestPair> guestView = new ArrayList<>();
        List<VtopResult.Mismatch> mismatches = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            for (int j = i + 1; j < live.size(); j++) {
                int a = live.get(i);
                int b = live.get(j);
                Relation r = matrix.get(a, b);
                PairMeasurement m = measured.get(key(a, b));
                boolean inferred = matrix.inferred(a, b);
                pairs.add(new VtopResult.PairResult(a, b, r, inferred || m == null ? Double.NaN : m.oneWayNs(),
                        inferred));
                if (guest != null) {
                    Relation g = GuestRelations.of(guest, a, b);
                    guestView.add(new VtopResult.GuestPair(a, b, g));
                    if (r.known() && r != g) {
                        mismatches.add(new VtopResult.Mismatch(a, b, r, g));
                    }
                }
            }
        }
        List<VtopResult.Unavailable> gone = new ArrayList<>();
        unavailable.forEach((c, why) -> gone.add(new VtopResult.Unavailable(c, why)));
        return new VtopResult(cal, pairs, TopologyTree.build(live, matrix), guestView, mismatches, mode, probes,
                elapsed, gone);
    }

    static long key(int a, int b) {
        return ((long) Math.min(a, b) << 32) | Math.max(a, b);
    }

    private static String describe(List<int[]> round) {
        StringBuilder sb = new StringBuilder();
        for (int[] p : round) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(p[0]).append('-').append(p[1]);
        }
        return sb.toString();
    }
}
