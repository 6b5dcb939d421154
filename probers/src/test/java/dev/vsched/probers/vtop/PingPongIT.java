package dev.vsched.probers.vtop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Real cache-line ping-pong on this machine. */
class PingPongIT {
    /** Interrupt noise here is ~25 us, so the derived inactivity threshold is ~50 us. */
    static final long STACKED_NS = 50_000;

    @Test
    void twoVcpusHandOffACacheLineInNanosecondsNotTimeslices() {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return;
        }
        PingPong.warmUp(20_000_000L);
        PairMeasurement m = new PingPong(20_000_000L).probe(List.of(new int[] {0, 1})).getFirst();
        assertFalse(m.failed(), String.valueOf(m.error()));
        assertTrue(m.roundTrips() > 1000, "round trips " + m.roundTrips());
        assertTrue(m.oneWayNs() > 5 && m.oneWayNs() < 20_000, "one-way " + m.oneWayNs() + " ns");
        assertTrue(m.p90OneWayNs() >= m.oneWayNs());
        Calibration cal = TopologyClassifier.calibrate(List.of(m), STACKED_NS);
        assertFalse(cal.classify(m) == Relation.STACKED);
    }

    @Test
    void twoThreadsSharingOneVcpuAreClassifiedStacked() {
        // Both sides on vCPU 0: each handoff needs the (guest) scheduler to switch threads, exactly what
        // stacked vCPUs need from the host. This is the stacked signature, produced for real.
        PingPong.warmUp(20_000_000L);
        PairMeasurement m = PingPong.measure(0, 0, 50_000_000L);
        assertFalse(m.failed(), String.valueOf(m.error()));
        assertTrue(m.noProgress() || m.oneWayNs() >= STACKED_NS, "one-way " + m.oneWayNs() + " ns");
        assertEquals(Relation.STACKED, TopologyClassifier.calibrate(List.of(m), STACKED_NS).classify(m));
    }

    @Test
    void anOfflineVcpuFailsThePairNamingIt() {
        PairMeasurement m = PingPong.measure(0, 1000, 5_000_000L);
        assertTrue(m.failed());
        assertEquals(1000, m.failedCpu());
        assertNotNull(m.error());
        assertTrue(m.error().contains("vCPU 1000"), m.error());
    }
}
