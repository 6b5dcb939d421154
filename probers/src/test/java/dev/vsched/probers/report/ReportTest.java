package dev.vsched.probers.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vsched.probers.stats.LatencySummary;
import dev.vsched.probers.timeline.GapThreshold;
import dev.vsched.probers.timeline.VcpuTimeline;
import dev.vsched.probers.vact.VactResult;
import dev.vsched.probers.vcap.VcapResult;
import dev.vsched.probers.vtop.Calibration;
import dev.vsched.probers.vtop.Relation;
import dev.vsched.probers.vtop.VtopResult;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    static final long S = 1_000_000_000L;

    /** A 4-vCPU VM: vCPU 1 throttled to 48%, vCPUs 2 and 3 stacked (each ~50%), vCPU 3 gone mid-probe. */
    static ProbeReport sample(Map<Integer, String> unavailable) {
        ProbeOptions options = new ProbeOptions(List.of(0, 1, 2, 3), EnumSet.allOf(ProbeOptions.Prober.class),
                2 * S, 20_000_000L, VcpuTimeline.Mode.HEAVY);
        List<VcapResult> vcap = List.of(
                new VcapResult(0, 0.99, 1.0, 1014, false, 0.0, 2 * S, 2 * S),
                new VcapResult(1, 0.48, 1.0, 492, false, 0.0, 2 * S, S),
                new VcapResult(2, 0.51, 0.98, 512, false, 0.0, 2 * S, S));
        List<VactResult> vact = List.of(
                new VactResult(0, 0.99, 2, 60_000, 28_000, new LatencySummary(4, 70_000, 90_000, 90_000, 90_000,
                        300_000), 0),
                new VactResult(1, 0.48, 10, 60_000, 28_000, new LatencySummary(20, 50_000_000, 6_000_000,
                        6_100_000, 70_000_000, S), 1),
                new VactResult(2, 0.51, 300, 60_000, 28_000, new LatencySummary(600, 3_000_000, 3_500_000,
                        4_000_000, 5_000_000, S), 0));
        VtopResult.Group stacked = new VtopResult.Group("stacked", List.of(2, 3), List.of(
                new VtopResult.Group("vcpu", List.of(2), List.of()), new VtopResult.Group("vcpu", List.of(3), List.of())));
        VtopResult.Group root = new VtopResult.Group("machine", List.of(0, 1, 2, 3), List.of(
                new VtopResult.Group("same_socket", List.of(0, 1, 2, 3), List.of(
                        new VtopResult.Group("vcpu", List.of(0), List.of()),
                        new VtopResult.Group("vcpu", List.of(1), List.of()), stacked))));
        VtopResult vtop = new VtopResult(new Calibration(60_000, 0, 0),
                List.of(new VtopResult.PairResult(0, 1, Relation.SAME_SOCKET, 1500, false),
                        new VtopResult.PairResult(2, 3, Relation.STACKED, 2_900_000, false)),
                root, List.of(new VtopResult.GuestPair(0, 1, Relation.SMT),
                        new VtopResult.GuestPair(2, 3, Relation.SAME_SOCKET)),
                List.of(new VtopResult.Mismatch(0, 1, Relation.SAME_SOCKET, Relation.SMT),
                        new VtopResult.Mismatch(2, 3, Relation.STACKED, Relation.SAME_SOCKET)),
                "full", 6, 120_000_000L, List.of());
        ProbeReport r = new ProbeReport(ProbeReport.SCHEMA, Instant.parse("2026-11-22T06:00:00Z"),
                new HostInfo("7.2.13+deb14-cloud-amd64", "guest", List.of(0, 1, 2, 3), true), options,
                new GapThreshold(28_000, 60_000, 0, 56_000), vcap, vact, vtop, unavailable, List.of());
        return r.withVerdict(Verdict.of(r));
    }

    @Test
    void verdictSaysWhatIsWrongInPlainWords() {
        Map<Integer, String> gone = new LinkedHashMap<>();
        gone.put(3, "the probe thread was moved off vCPU 3");
        List<String> v = sample(gone).verdict();
        assertTrue(v.contains("vCPU 3 could not be probed completely: the probe thread was moved off vCPU 3"), v.toString());
        assertTrue(v.stream().anyMatch(l -> l.startsWith("vCPU 3 is stacked with vCPU 2")), v.toString());
        assertTrue(v.contains("vCPU 1 ran 48% of the time; p99 inactive period 6.1 ms, 10 preemptions/s"),
                v.toString());
        assertTrue(v.stream().anyMatch(l -> l.contains("believes vCPUs 0 and 1 are SMT siblings; probing says "
                + "cores of one socket")), v.toString());
        assertFalse(v.stream().anyMatch(l -> l.contains("vCPU 0 ran")), "vCPU 0 is fine: " + v);
        assertTrue(v.stream().noneMatch(l -> l.contains("believes vCPUs 2 and 3")),
                "stacking is said once, as stacking, not as a guest mismatch");
    }

    @Test
    void jsonFollowsSchemaV1() throws Exception {
        Map<Integer, String> gone = new LinkedHashMap<>();
        gone.put(3, "lost");
        JsonNode j = new ObjectMapper().readTree(JsonReport.render(sample(gone)));
        // the schema's one spelling in a test: a changed tag is a format change and must be deliberate
        assertEquals("vsched.probe/1", j.get("schema").asText());
        assertTrue(j.get("host").get("sched_ext").asBoolean());
        assertEquals(4, j.get("vcpus").size());
        JsonNode v1 = j.get("vcpus").get(1);
        assertEquals(1, v1.get("cpu").asInt());
        assertTrue(v1.get("available").asBoolean());
        assertTrue(v1.get("error").isNull());
        assertEquals(492, v1.get("vcap").get("capacity").asInt());
        assertEquals(0.48, v1.get("vcap").get("timeshare").asDouble(), 1e-9);
        assertEquals(6_100_000, v1.get("vact").get("inactive_ns").get("p99").asLong());
        JsonNode v3 = j.get("vcpus").get(3);
        assertFalse(v3.get("available").asBoolean());
        assertEquals("lost", v3.get("error").asText());
        assertTrue(v3.get("vcap").isNull());
        JsonNode vtop = j.get("vtop");
        assertEquals(60_000, vtop.get("thresholds_ns").get("stacked").asLong());
        assertEquals("stacked", vtop.get("pairs").get(1).get("relation").asText());
        assertEquals("machine", vtop.get("groups").get(0).get("level").asText());
        assertEquals("stacked", vtop.get("groups").get(0).get("children").get(0).get("children").get(2)
                .get("level").asText());
        assertEquals("smt", vtop.get("guest_view").get(0).get("relation").asText());
        assertEquals(2, vtop.get("mismatches").size());
        assertTrue(j.get("verdict").size() >= 3);
    }

    @Test
    void textReportShowsTableTreeAndVerdict() {
        String t = TextReport.render(sample(Map.of()));
        assertTrue(t.contains("stacked [2, 3]"), t);
        assertTrue(t.contains("48.0%"), t);
        assertTrue(t.contains("<- mismatch"), t);
        assertTrue(t.contains("Verdict"), t);
    }

    @Test
    void aHealthyVmGetsOneAllClearLine() {
        ProbeReport r = sample(Map.of());
        ProbeReport healthy = new ProbeReport(r.schema(), r.generatedAt(), r.host(),
                new ProbeOptions(List.of(0), EnumSet.of(ProbeOptions.Prober.VCAP), S, 20_000_000L,
                        VcpuTimeline.Mode.HEAVY),
                r.gapThreshold(), List.of(r.vcap().getFirst()), List.of(), null, Map.of(), List.of());
        assertEquals(List.of("All 1 vCPUs ran at least 90% of the time."), Verdict.of(healthy));
    }
}
