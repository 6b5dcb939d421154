package dev.vsched.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.eval.Bootstrap.Interval;
import dev.vsched.eval.Bootstrap.Verdict;
import org.junit.jupiter.api.Test;

class BootstrapTest {

    /** Ratios spread as the throttled-cpu rounds were: 0.64 to 1.48. */
    private static final double[] NOISY = {0.64, 1.48, 0.95, 1.10, 0.81};
    /** Ten rounds of a steady 5% loss, +-1%. */
    private static final double[] STEADY_LOSS = {0.95, 0.94, 0.96, 0.95, 0.955, 0.945, 0.95, 0.96, 0.94, 0.95};

    @Test
    void knownDataGiveTheirPercentileInterval() {
        // two values, many rounds: the resampled geometric mean is exp(mean of k draws of ln 0.9 / ln 1.1);
        // its 95% interval lies inside [0.9, 1.1] and about the estimate
        double[] r = new double[20];
        for (int i = 0; i < r.length; i++) {
            r[i] = i % 2 == 0 ? 0.9 : 1.1;
        }
        Interval ci = Bootstrap.ratioInterval(r, 42);
        assertEquals(Math.sqrt(0.99), ci.estimate(), 1e-12);
        assertTrue(ci.lo() > 0.9 && ci.lo() < ci.estimate(), ci.toString());
        assertTrue(ci.hi() < 1.1 && ci.hi() > ci.estimate(), ci.toString());
        // the sd of the mean log is ln(1.1/0.9)/2/sqrt(20) = 0.0224; the expanded interval for 20 rounds
        // is +-sqrt(20/19) t(0.975, 19) = +-2.147 of that (the plain percentile one would be +-1.96)
        double halfLog = (Math.log(ci.hi()) - Math.log(ci.lo())) / 2;
        assertEquals(2.147 * Math.log(1.1 / 0.9) / 2 / Math.sqrt(20), halfLog, 0.003);
        // identical rounds: no spread, the interval is the value
        Interval flat = Bootstrap.ratioInterval(new double[] {1.2, 1.2, 1.2}, 1);
        assertEquals(1.2, flat.lo(), 1e-12);
        assertEquals(1.2, flat.hi(), 1e-12);
    }

    @Test
    void aSeededRunIsReproducibleAndTheSeedMatters() {
        Interval a = Bootstrap.ratioInterval(NOISY, 1234);
        Interval b = Bootstrap.ratioInterval(NOISY, 1234);
        assertEquals(a, b);
        Interval s1 = Bootstrap.ratioInterval(STEADY_LOSS, 1234);
        Interval s2 = Bootstrap.ratioInterval(STEADY_LOSS, 99);
        assertEquals(s1, Bootstrap.ratioInterval(STEADY_LOSS, 1234));
        assertTrue(s1.lo() != s2.lo() || s1.hi() != s2.hi(), s1 + " " + s2);
        assertEquals(Bootstrap.seedFor(1, "THROUGHPUT", "vsched"), Bootstrap.seedFor(1, "THROUGHPUT", "vsched"));
        assertNotEquals(Bootstrap.seedFor(1, "THROUGHPUT", "vsched"), Bootstrap.seedFor(1, "THROUGHPUT", "scx_simple"));
    }

    @Test
    void aSteadyLossIsResolvedNoiseIsNot() {
        Interval loss = Bootstrap.ratioInterval(STEADY_LOSS, 1);
        assertTrue(loss.hi() < 1, loss.toString());
        assertEquals(Verdict.WORSE, loss.verdict(true));
        assertEquals("vsched slower", loss.word("vsched", true));
        // the same ratios of a latency: lower is better
        assertEquals(Verdict.BETTER, loss.verdict(false));
        assertEquals("vsched faster", loss.word("vsched", false));
        assertTrue(loss.halfWidth() < 0.01, "ten steady rounds resolve about 1%: " + loss.halfWidth());

        Interval noise = Bootstrap.ratioInterval(NOISY, 1);
        assertTrue(noise.lo() < 1 && noise.hi() > 1, noise.toString());
        assertEquals(Verdict.NOT_RESOLVED, noise.verdict(true));
        assertEquals("not resolved", noise.word("vsched", true));
    }

    @Test
    void tooFewRoundsGiveNoIntervalOrNoVerdict() {
        Interval two = Bootstrap.ratioInterval(new double[] {0.5, 0.6}, 1);
        assertFalse(two.present());
        assertEquals(Math.sqrt(0.3), two.estimate(), 1e-12);
        assertEquals(Verdict.TOO_FEW_ROUNDS, two.verdict(true));
        assertEquals("too few rounds (2 < 5)", two.word("vsched", true));
        // three rounds all below 1: an interval (about their range), but one time in 4 that is chance
        Interval three = Bootstrap.ratioInterval(new double[] {0.90, 0.93, 0.96}, 1);
        assertTrue(three.present() && three.hi() < 1, three.toString());
        assertEquals(0.90, three.lo(), 0.005);
        assertEquals(0.96, three.hi(), 0.005);
        assertEquals(Verdict.TOO_FEW_ROUNDS, three.verdict(true));
        // five such rounds: resolved
        Interval five = Bootstrap.ratioInterval(new double[] {0.90, 0.93, 0.96, 0.92, 0.95}, 1);
        assertEquals(Verdict.WORSE, five.verdict(true));
    }

    @Test
    void theExpandedTailWidensTheIntervalForFewRounds() {
        assertEquals(0.975, Bootstrap.normalCdf(1.959964), 1e-6);
        assertEquals(0.5, Bootstrap.normalCdf(0), 1e-7);
        assertEquals(0.025, Bootstrap.expandedTail(1000), 0.0005);
        // 5 rounds: Phi(-sqrt(5/4) 2.776) = Phi(-3.104)
        assertEquals(0.000955, Bootstrap.expandedTail(5), 0.00002);
        assertEquals(0.0159, Bootstrap.expandedTail(20), 0.0003);
        assertTrue(Bootstrap.expandedTail(3) < Bootstrap.expandedTail(5));
    }

    @Test
    void badRatiosAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.ratioInterval(new double[0], 1));
        String msg = assertThrows(IllegalArgumentException.class,
                () -> Bootstrap.ratioInterval(new double[] {1, 0, 1}, 1)).getMessage();
        assertTrue(msg.contains("ratio 0.0"), msg);
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.ratioInterval(new double[] {1, Double.NaN, 1}, 1));
    }

    @Test
    void quantileInterpolates() {
        assertEquals(2.5, Bootstrap.quantile(new double[] {1, 2, 3, 4}, 0.5), 1e-12);
        assertEquals(1, Bootstrap.quantile(new double[] {1, 2, 3, 4}, 0), 1e-12);
        assertEquals(4, Bootstrap.quantile(new double[] {1, 2, 3, 4}, 1), 1e-12);
    }
}
