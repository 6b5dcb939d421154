package dev.vsched.probers.vtop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * A synthetic VM for vTOP tests: a ground-truth relation per pair and a latency per relation, with
 * multiplicative noise. It records every probe so tests can count them and check parallel rounds.
 */
class SyntheticVm implements PairProber {
    final int n;
    final Relation[][] truth;
    double smtNs = 15;
    double socketNs = 60;
    double crossNs = 180;
    double noise = 0.0;
    /** Stacked pairs answer this slowly (or not at all if NaN). */
    double stackedNs = 3_000_000;
    final Random random = new Random(42);
    final List<List<int[]>> rounds = new ArrayList<>();
    int probes;
    /** Per scripted pair: what its n-th window (0 first) measures, null for the truth. */
    private final Map<Long, IntFunction<PairMeasurement>> scripts = new HashMap<>();
    private final Map<Long, Integer> windows = new HashMap<>();

    SyntheticVm(int n) {
        this.n = n;
        this.truth = new Relation[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                truth[i][j] = Relation.SAME_SOCKET;
            }
        }
    }

    /** Sets every pair within {@code cpus} to {@code r}. */
    SyntheticVm group(Relation r, int... cpus) {
        for (int a : cpus) {
            for (int b : cpus) {
                if (a != b) {
                    truth[a][b] = r;
                }
            }
        }
        return this;
    }

    /** Sockets of consecutive vCPUs; pairs across them are cross socket. */
    SyntheticVm sockets(int perSocket) {
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (a != b && a / perSocket != b / perSocket) {
                    truth[a][b] = Relation.CROSS_SOCKET;
                }
            }
        }
        return this;
    }

    SyntheticVm smtPairs() {
        for (int a = 0; a + 1 < n; a += 2) {
            group(Relation.SMT, a, a + 1);
        }
        return this;
    }

    SyntheticVm noise(double relative) {
        this.noise = relative;
        return this;
    }

    @Override
    public List<PairMeasurement> probe(List<int[]> pairs) {
        rounds.add(pairs);
        List<PairMeasurement> out = new ArrayList<>();
        for (int[] p : pairs) {
            probes++;
            out.add(measure(p[0], p[1]));
        }
        return out;
    }

    /** Pair {@code a}-{@code b}'s n-th window (0 first) measures {@code window.apply(n)}, or the truth if null. */
    SyntheticVm script(int a, int b, IntFunction<PairMeasurement> window) {
        scripts.put(TopologyProber.key(a, b), window);
        return this;
    }

    /** Windows pair {@code a}-{@code b} was measured in so far. */
    int windows(int a, int b) {
        return windows.getOrDefault(TopologyProber.key(a, b), 0);
    }

    PairMeasurement measure(int a, int b) {
        long key = TopologyProber.key(a, b);
        int window = windows.merge(key, 1, Integer::sum) - 1;
        IntFunction<PairMeasurement> script = scripts.get(key);
        PairMeasurement scripted = script == null ? null : script.apply(window);
        return scripted != null ? scripted : truth(a, b);
    }

    private PairMeasurement truth(int a, int b) {
        double base = switch (truth[a][b]) {
            case SMT -> smtNs;
            case SAME_SOCKET -> socketNs;
            case CROSS_SOCKET -> crossNs;
            case STACKED -> stackedNs;
            case UNKNOWN -> throw new IllegalStateException();
        };
        if (Double.isNaN(base)) {
            return PairMeasurement.stalled(a, b);
        }
        double factor = 1 + noise * (2 * random.nextDouble() - 1);
        return PairMeasurement.of(a, b, base * factor);
    }

    List<Integer> cpus() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }
}
