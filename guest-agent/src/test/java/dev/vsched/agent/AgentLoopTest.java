package dev.vsched.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vsched.agent.backend.Backend;
import dev.vsched.agent.backend.Mode;
import dev.vsched.agent.backend.ProbeOnlyBackend;
import dev.vsched.agent.backend.Round;
import dev.vsched.agent.status.StatusServer;
import dev.vsched.probers.continuous.ContinuousProber;
import dev.vsched.probers.stats.LatencySummary;
import dev.vsched.probers.timeline.GapThreshold;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's loop without threads or probers: rounds in, what the backend is handed and what status shows
 * out. The backend here stands in for the scheduler's (whose real ejection the 7.2 guest tests cover).
 */
class AgentLoopTest {
    @TempDir
    Path runDir;

    /** Records every round; reports itself stopped or failing on request. */
    private static final class Recording implements Backend {
        final List<Round> rounds = new ArrayList<>();
        String stopped;
        IOException failure;
        boolean closed;

        @Override
        public Mode mode() {
            return Mode.SCHED_EXT;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public List<String> apply(Round round) throws IOException {
            if (failure != null) {
                throw failure;
            }
            rounds.add(round);
            return List.of();
        }

        @Override
        public String applied() {
            return null;
        }

        @Override
        public String stopped() {
            return stopped;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private AgentLoop loop(Backend b, List<Integer> cpus) throws IOException {
        AgentConfig cfg = AgentConfig.parse("agent.run_dir=" + runDir + "\n", "test.conf");
        return new AgentLoop(cfg, cpus, AgentState.begin(runDir, b.mode().name()), b);
    }

    /** A round whose gap threshold is not measured yet, so vTOP does not run. */
    private static ContinuousProber.Snapshot snapshot(long round, Map<Integer, ContinuousProber.VcpuState> v) {
        return new ContinuousProber.Snapshot(round, 0, new GapThreshold(10_000, 40_000, -1, 0), v,
                1_000_000_000L, "");
    }

    private static ContinuousProber.VcpuState vcpu(int cpu, int smoothed, long p95) {
        LatencySummary inactive = p95 == 0 ? LatencySummary.EMPTY
                : new LatencySummary(5, p95 / 2, p95, p95, p95, 5 * p95);
        return new ContinuousProber.VcpuState(cpu, true, null, true, smoothed, smoothed, 0.5, 1.0, 0.5, inactive);
    }

    @Test
    void aRoundCarriesEachVcpuOnceAndHidesNothingBeforeTopologyIsKnown() throws IOException {
        Recording b = new Recording();
        AgentLoop loop = loop(b, List.of(0, 1));
        loop.handle(snapshot(1, Map.of(0, vcpu(0, 500, 2_000_000))));
        assertEquals(1, b.rounds.size());
        Round r = b.rounds.get(0);
        assertFalse(r.act(), "two vCPUs and no vTOP yet: stacked duplicates are unknown");
        assertEquals(500, r.vcpus().get(0).capacity());
        assertEquals(2_000_000, r.vcpus().get(0).latencyNs());
        // vCPU 1's probe thread had no window (busy): available at full capacity, unknown latency
        assertFalse(r.vcpus().get(1).sampled());
        assertTrue(r.vcpus().get(1).available());
        assertEquals(AgentLoop.UNKNOWN_CAPACITY, r.vcpus().get(1).capacity());
        assertEquals(0, r.vcpus().get(1).latencyNs());
        assertEquals(r, loop.view().round());
        assertEquals(1, loop.view().planChanges());
    }

    @Test
    void oneVcpuNeedsNoTopologyToAct() throws IOException {
        Recording b = new Recording();
        loop(b, List.of(0)).handle(snapshot(1, Map.of(0, vcpu(0, 900, 0))));
        assertTrue(b.rounds.get(0).act());
    }

    @Test
    void aStoppedBackendIsClosedAndTheFallbackTakesTheRound() throws IOException {
        Recording b = new Recording();
        AgentLoop loop = loop(b, List.of(0, 1));
        loop.handle(snapshot(1, Map.of()));
        b.stopped = "sched_ext state disabled, ops ''";
        loop.handle(snapshot(2, Map.of()));
        assertTrue(b.closed, "the stopped scheduler is unloaded");
        assertEquals(1, b.rounds.size(), "the stopped backend gets no more rounds");
        AgentView v = loop.view();
        assertInstanceOf(ProbeOnlyBackend.class, v.backend(), "no slices configured: probing only");
        assertEquals("sched_ext state disabled, ops ''", v.schedExtStopped());
        assertEquals(2, v.round().probe().round());
        assertEquals("PROBE_ONLY", AgentState.find(runDir).orElseThrow().mode(), "the state file follows");
    }

    @Test
    void aFailingRoundIsReportedAndTheLastGoodRoundStays() throws IOException {
        Recording b = new Recording();
        AgentLoop loop = loop(b, List.of(0, 1));
        loop.handle(snapshot(1, Map.of()));
        assertNull(loop.view().lastProblem());
        b.failure = new IOException("cannot write the scheduler's maps: EPERM");
        loop.handle(snapshot(2, Map.of()));
        assertTrue(loop.view().lastProblem().contains("EPERM"), loop.view().lastProblem());
        assertEquals(2, loop.view().round().probe().round(), "the round was planned, only applying failed");
    }

    @Test
    void statusRendersTheViewAsIs() throws IOException {
        Recording b = new Recording();
        AgentLoop loop = loop(b, List.of(0, 1));
        loop.handle(snapshot(7, Map.of(0, vcpu(0, 640, 1_000_000))));
        AgentStatus.Info info = new AgentStatus.Info(42, Instant.now(), List.of(0, 1), true, List.of());
        JsonNode doc = new ObjectMapper().readTree(AgentStatus.render(info, loop.view(), 0));
        assertEquals(StatusServer.SCHEMA, doc.get("schema").asText());
        assertEquals("sched_ext", doc.get("mode").asText());
        assertEquals(7, doc.get("round").asLong());
        assertEquals("0-1", doc.at("/rwc/usable").asText());
        assertEquals(640, doc.at("/vcpus/0/capacity").asInt());
        assertTrue(doc.at("/vcpus/0/sampled").asBoolean());
        assertFalse(doc.at("/vcpus/1/sampled").asBoolean());
        assertEquals("not probed yet", doc.at("/topology/state").asText());
    }
}
