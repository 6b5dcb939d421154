package dev.vsched.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.eval.Comparison.Metric;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ComparisonTest {

    static GuestRun run(int i, String arm, double eps, double p95) {
        return new GuestRun(i, arm, 0, new SysbenchOutput(eps, (long) eps * 20, p95, p95 * 3), null,
                arm.equals("default") ? OptionalDouble.empty() : OptionalDouble.of(0.01 * arm.length()),
                java.util.Map.of(), null);
    }

    @Test
    void ratiosArePerRoundWhateverTheOrder() {
        Comparison c = new Comparison(List.of(
                run(1, "default", 100, 2.0), run(2, "vsched", 99, 1.0),
                run(3, "vsched", 110, 1.5), run(4, "default", 100, 3.0),
                run(5, "default", 200, 2.0), run(6, "vsched", 100, 2.0)));
        assertEquals(List.of("default", "vsched"), c.arms());
        Comparison.Summary t = c.summary(Metric.THROUGHPUT, "vsched").orElseThrow();
        assertArrayEquals(new double[] {0.99, 1.10, 0.50}, t.roundRatios(), 1e-9);
        assertEquals(0.99, t.medianRoundRatio(), 1e-9);
        assertEquals(100, t.defaultMedian(), 1e-9);
        assertEquals(100, t.armMedian(), 1e-9);
        assertEquals(1.0, t.ratio(), 1e-9);
        assertEquals(0.5, t.minRoundRatio(), 1e-9);
        assertEquals(1.1, t.maxRoundRatio(), 1e-9);
        assertEquals(Math.cbrt(0.99 * 1.10 * 0.50), t.interval().estimate(), 1e-9);
        Comparison.Summary l = c.summary(Metric.EVENT_P95_MS, "vsched").orElseThrow();
        assertEquals(0.75, l.ratio(), 1e-9);
        assertTrue(c.summary(Metric.WAKEUP_P95_US, "vsched").isEmpty(), "no cyclictest in a cpu workload");
        assertEquals(0.06, c.armCpu("vsched").orElseThrow(), 1e-12);
        assertTrue(c.armCpu("default").isEmpty());
    }

    @Test
    void nArmsRotatingEachComparedWithDefaultOfItsRound() {
        Comparison c = new Comparison(List.of(
                run(1, "default", 100, 1), run(2, "vsched", 90, 1), run(3, "scx_simple", 110, 1),
                run(4, "vsched", 180, 1), run(5, "scx_simple", 220, 1), run(6, "default", 200, 1),
                run(7, "scx_simple", 55, 1), run(8, "default", 50, 1), run(9, "vsched", 45, 1)), null, 7);
        assertEquals(List.of("default", "vsched", "scx_simple"), c.arms());
        assertEquals(List.of("vsched", "scx_simple"), c.challengers());
        assertEquals(3, c.rounds());
        assertArrayEquals(new double[] {0.9, 0.9, 0.9}, c.summary(Metric.THROUGHPUT, "vsched").orElseThrow()
                .roundRatios(), 1e-9);
        Comparison.Summary s = c.summary(Metric.THROUGHPUT, "scx_simple").orElseThrow();
        assertArrayEquals(new double[] {1.1, 1.1, 1.1}, s.roundRatios(), 1e-9);
        // identical rounds: the interval collapses on the ratio and resolves it
        assertEquals(1.1, s.interval().lo(), 1e-9);
        assertEquals(1.1, s.interval().hi(), 1e-9);
        // three rounds: an interval but no verdict
        assertEquals("too few rounds (3 < 5)", s.word());
        assertEquals(110, c.median(Metric.THROUGHPUT, "scx_simple").orElseThrow(), 1e-9);
    }

    @Test
    void fiveRoundsGiveAVerdictPerArm() {
        List<GuestRun> runs = new java.util.ArrayList<>();
        double[] vs = {0.90, 0.93, 0.96, 0.92, 0.95};
        double[] peer = {1.05, 0.95, 1.10, 0.97, 1.02};
        String[][] order = {{"default", "vsched", "scx_simple"}, {"vsched", "scx_simple", "default"},
            {"scx_simple", "default", "vsched"}};
        int n = 0;
        for (int r = 0; r < 5; r++) {
            for (String arm : order[r % 3]) {
                double eps = arm.equals("default") ? 100 : 100 * (arm.equals("vsched") ? vs[r] : peer[r]);
                runs.add(run(++n, arm, eps, 1));
            }
        }
        Comparison c = new Comparison(runs, List.of("default", "vsched", "scx_simple"), 1);
        assertEquals("vsched slower", c.summary(Metric.THROUGHPUT, "vsched").orElseThrow().word());
        assertEquals("not resolved", c.summary(Metric.THROUGHPUT, "scx_simple").orElseThrow().word());
        assertArrayEquals(peer, c.summary(Metric.THROUGHPUT, "scx_simple").orElseThrow().roundRatios(), 1e-9);
    }

    @Test
    void refusesRoundsThatAreNotOneRunPerArm() {
        assertThrows(IllegalArgumentException.class, () -> new Comparison(List.of(run(1, "default", 1, 1))));
        String msg = assertThrows(IllegalArgumentException.class, () -> new Comparison(List.of(
                run(1, "default", 1, 1), run(2, "default", 1, 1)), List.of("default", "vsched"), 1)).getMessage();
        assertTrue(msg.contains("round 1") && msg.contains("default twice"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> new Comparison(List.of(
                run(1, "vsched", 1, 1), run(2, "scx_simple", 1, 1)), List.of("vsched", "scx_simple"), 1)).getMessage();
        assertTrue(msg.contains("no 'default' arm"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> new Comparison(List.of(
                run(1, "default", 1, 1), run(2, "turbo", 1, 1)), List.of("default", "vsched"), 1)).getMessage();
        assertTrue(msg.contains("'turbo'"), msg);
    }

    @Test
    void aRoundCutShortByTheTimeoutIsDropped() {
        List<GuestRun> runs = List.of(run(1, "default", 1, 1), run(2, "vsched", 1, 1), run(3, "vsched", 1, 1));
        assertEquals(runs.subList(0, 2), Comparison.wholeRounds(runs, 2));
        assertEquals(List.of(), Comparison.wholeRounds(runs.subList(0, 1), 2));
        assertEquals(List.of(), Comparison.wholeRounds(runs.subList(0, 2), 3));
    }

    @Test
    void medianOfEvenCountAveragesTheMiddle() {
        assertEquals(2.5, Comparison.median(List.of(4.0, 1.0, 3.0, 2.0)), 1e-12);
        assertEquals(3.0, Comparison.median(List.of(5.0, 3.0, 1.0)), 1e-12);
    }
}
