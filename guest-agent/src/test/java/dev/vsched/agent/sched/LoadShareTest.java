package dev.vsched.agent.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.agent.bpf.VschedIntf;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadShareTest {
    static final long S = 1_000_000_000L;
    static final long TICK = 4_000_000L;

    static VschedIntf.VactCpu vact(long ticks, long lostNs) {
        return new VschedIntf.VactCpu(0, ticks, 0, 0, 0, 0, 0, 0, 0, 0, lostNs, 0, 0, 0, 0, 0, 0, TICK,
                new long[VschedIntf.VSCHED_HIST_BUCKETS], 0, new long[4]);
    }

    @Test
    void aBusyVcpuTheHostStopsHalfTheTimeGetsHalfItsCapacity() {
        LoadShare l = new LoadShare();
        l.update(Map.of(0, vact(1000, 0), 1, vact(1000, 0)), 0);
        // vCPU 0: 125 ticks and 500 ms lost in a second (a 50% quota); vCPU 1: 250 ticks, nothing lost
        l.update(Map.of(0, vact(1125, 500_000_000L), 1, vact(1250, 0)), S);
        assertEquals(0.5, l.share(0).getAsDouble(), 1e-9);
        assertEquals(1.0, l.share(1).getAsDouble(), 1e-9);
        assertEquals(461, l.capacity(0, 900, 0.9), "1024 x 0.5 x speed 0.9, below the probed 900");
        assertEquals(900, l.capacity(1, 900, 1.0), "never above what the probe measured");
    }

    @Test
    void anIdleVcpuGivesNoReadingAndKeepsTheProbedCapacity() {
        LoadShare l = new LoadShare();
        l.update(Map.of(0, vact(1000, 0)), 0);
        // tickless idle: 20 ticks in a second, one long gap while busy would be lost time but it was idle
        l.update(Map.of(0, vact(1020, 0)), S);
        assertTrue(l.share(0).isEmpty());
        assertEquals(700, l.capacity(0, 700, 1.0));
    }

    @Test
    void readingsAreSmoothedAndExpireWithoutNewOnes() {
        LoadShare l = new LoadShare();
        l.update(Map.of(0, vact(0, 0)), 0);
        l.update(Map.of(0, vact(50, 800_000_000L)), S);             // 200 of 1000 ms: 0.2
        l.update(Map.of(0, vact(300, 800_000_000L)), 2 * S);        // 1.0
        assertEquals(0.6, l.share(0).getAsDouble(), 1e-9);
        long t = 2 * S;
        for (int i = 1; i <= 10; i++) {                              // idle for 10 s: no readings
            l.update(Map.of(0, vact(300 + i, 800_000_000L)), t + i * S);
        }
        assertTrue(l.share(0).isPresent(), "kept for " + LoadShare.EXPIRE_NS / S + " s");
        l.update(Map.of(0, vact(312, 800_000_000L)), t + 11 * S);
        assertTrue(l.share(0).isEmpty(), "dropped after " + LoadShare.EXPIRE_NS / S + " s without a reading");
    }

    @Test
    void countersThatWentBackGiveNoReading() {
        LoadShare l = new LoadShare();
        l.update(Map.of(0, vact(5000, 900_000_000L)), 0);
        l.update(Map.of(0, vact(100, 0)), S);                        // the scheduler was reloaded
        assertTrue(l.share(0).isEmpty());
        l.update(Map.of(0, vact(350, 0)), 2 * S);                    // and reads again from there
        assertEquals(1.0, l.share(0).getAsDouble(), 1e-9);
    }
}
