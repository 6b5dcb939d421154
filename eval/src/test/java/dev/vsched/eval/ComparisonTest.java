package dev.vsched.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.eval.Comparison.Metric;
import dev.vsched.eval.GuestRun.Mode;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ComparisonTest {

    private static GuestRun run(int i, Mode m, double eps, double p95) {
        return new GuestRun(i, m, 0, new SysbenchOutput(eps, (long) eps * 20, p95, p95 * 3), null,
                m == Mode.VSCHED ? OptionalDouble.of(0.01) : OptionalDouble.empty(), java.util.Map.of(), null);
    }

    @Test
    void ratiosArePerRoundWhateverTheOrder() {
        Comparison c = new Comparison(List.of(
                run(1, Mode.DEFAULT, 100, 2.0), run(2, Mode.VSCHED, 99, 1.0),
                run(3, Mode.VSCHED, 110, 1.5), run(4, Mode.DEFAULT, 100, 3.0),
                run(5, Mode.DEFAULT, 200, 2.0), run(6, Mode.VSCHED, 100, 2.0)));
        Comparison.Summary t = c.summary(Metric.THROUGHPUT).orElseThrow();
        assertArrayEquals(new double[] {0.99, 1.10, 0.50}, t.roundRatios(), 1e-9);
        assertEquals(0.99, t.medianRoundRatio(), 1e-9);
        assertEquals(100, t.defaultMedian(), 1e-9);
        assertEquals(100, t.vschedMedian(), 1e-9);
        assertEquals(1.0, t.ratio(), 1e-9);
        assertEquals(0.5, t.minRoundRatio(), 1e-9);
        assertEquals(1.1, t.maxRoundRatio(), 1e-9);
        Comparison.Summary l = c.summary(Metric.EVENT_P95_MS).orElseThrow();
        assertEquals(0.75, l.ratio(), 1e-9);
        assertTrue(c.summary(Metric.WAKEUP_P95_US).isEmpty(), "no cyclictest in a cpu workload");
        assertEquals(0.01, c.vschedCpu().orElseThrow(), 1e-12);
    }

    @Test
    void refusesRoundsThatAreNotOneRunPerScheduler() {
        assertThrows(IllegalArgumentException.class, () -> new Comparison(List.of(run(1, Mode.DEFAULT, 1, 1))));
        String msg = assertThrows(IllegalArgumentException.class, () -> new Comparison(List.of(
                run(1, Mode.DEFAULT, 1, 1), run(2, Mode.DEFAULT, 1, 1)))).getMessage();
        assertTrue(msg.contains("round 1"), msg);
    }

    @Test
    void aRoundCutShortByTheTimeoutIsDropped() {
        List<GuestRun> runs = List.of(run(1, Mode.DEFAULT, 1, 1), run(2, Mode.VSCHED, 1, 1), run(3, Mode.VSCHED, 1, 1));
        assertEquals(runs.subList(0, 2), Comparison.wholeRounds(runs));
        assertEquals(List.of(), Comparison.wholeRounds(runs.subList(0, 1)));
    }

    @Test
    void medianOfEvenCountAveragesTheMiddle() {
        assertEquals(2.5, Comparison.median(List.of(4.0, 1.0, 3.0, 2.0)), 1e-12);
        assertEquals(3.0, Comparison.median(List.of(5.0, 3.0, 1.0)), 1e-12);
    }
}
