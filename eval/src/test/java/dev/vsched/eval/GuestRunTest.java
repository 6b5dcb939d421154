package dev.vsched.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.vm.GuestResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Reads files a real sched-compare.sh run sent (7.2 guest, mixed workload, 1 round of 5 s, agent);
 * status-end.json is from a later run of the same script (the first kept no agent status).
 */
class GuestRunTest {
    private static final String DIR = "compare-mixed/";
    private static final List<String> FILES = List.of("runs.txt", "runs/01-default/sysbench.txt",
            "runs/01-default/cyclictest.json", "runs/02-vsched/sysbench.txt", "runs/02-vsched/cyclictest.json",
            "runs/02-vsched/vsched.txt", "runs/02-vsched/status-end.json");

    static Map<String, byte[]> fixture() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String f : FILES) {
            try (InputStream in = GuestRunTest.class.getResourceAsStream(DIR + f)) {
                files.put(f, in.readAllBytes());
            }
        }
        return files;
    }

    private static GuestResult result(Map<String, byte[]> files) {
        return new GuestResult("sched-compare", files, OptionalInt.of(0), List.of());
    }

    @Test
    void readsEveryRunOfARealGuest() throws IOException {
        List<GuestRun> runs = GuestRun.read(result(fixture()), 5).runs();
        assertEquals(2, runs.size());
        GuestRun d = runs.get(0);
        GuestRun v = runs.get(1);
        assertEquals("default", d.arm());
        assertEquals("vsched", v.arm());
        assertEquals(262.12, d.sysbench().eventsPerSecond(), 1e-9);
        assertEquals(1318, d.sysbench().totalEvents());
        assertEquals(23.10, d.sysbench().latencyP95Ms(), 1e-9);
        assertEquals(58.80, d.sysbench().latencyMaxMs(), 1e-9);
        assertEquals(254.22, v.sysbench().eventsPerSecond(), 1e-9);
        assertTrue(d.armCpu().isEmpty());
        assertTrue(d.counters().isEmpty());
        assertEquals(1647L, v.counters().get("bvs_pick").longValue());
        assertEquals(3L, v.counters().get("ivh_move").longValue());
        assertEquals(0L, v.counters().get("rwc_avoid").longValue());
        // 129 ticks at 100 Hz over a 5 s run
        assertEquals(1.29 / 5, v.armCpu().orElseThrow(), 1e-9);
        // two threads at 1 ms for 5 s under TCG: 2081 cycles, 245 of them past the 10 ms histogram
        CyclictestHistogram h = d.cyclictest();
        assertEquals(2081, h.samples());
        assertEquals(60969, h.maxUs());
        assertEquals(245, h.overflows());
        assertEquals(1963, h.percentileUs(0.5).orElseThrow());
        Comparison c = new Comparison(runs);
        assertEquals(254.22 / 262.12, c.summary(Comparison.Metric.THROUGHPUT, "vsched").orElseThrow().ratio(), 1e-9);
    }

    @Test
    void aStatusACrashedJvmOverwroteCostsOnlyThatRunsCounters() throws IOException {
        Map<String, byte[]> files = fixture();
        files.put("runs/02-vsched/status-end.json", ("#\n# A fatal error has been detected by the Java Runtime"
                + " Environment:\n#\n#  SIGSEGV (0xb) at pc=0x00007fbe05810700, pid=726, tid=727\n").getBytes());
        List<GuestRun> runs = GuestRun.read(result(files), 5).runs();
        GuestRun v = runs.get(1);
        assertEquals(254.22, v.sysbench().eventsPerSecond(), 1e-9);
        assertTrue(v.counters().isEmpty());
        assertTrue(v.countersProblem().contains("runs/02-vsched/status-end.json does not parse (first line '#')"),
                v.countersProblem());
        assertEquals(null, runs.get(0).countersProblem());
    }

    @Test
    void aMissingOrMalformedFileIsNamed() throws IOException {
        Map<String, byte[]> files = fixture();
        files.remove("runs/02-vsched/sysbench.txt");
        String msg = assertThrows(IllegalArgumentException.class, () -> GuestRun.read(result(files), 5)).getMessage();
        assertTrue(msg.contains("runs/02-vsched/sysbench.txt"), msg);

        Map<String, byte[]> cut = fixture();
        cut.put("runs/01-default/sysbench.txt", "sysbench 1.0.20\nCPU speed:\n".getBytes());
        msg = assertThrows(IllegalArgumentException.class, () -> GuestRun.read(result(cut), 5)).getMessage();
        assertTrue(msg.contains("runs/01-default/sysbench.txt") && msg.contains("events per second"), msg);

        // a cut status costs that run its counters only, and says so (see the test above)
        Map<String, byte[]> json = fixture();
        json.put("runs/02-vsched/status-end.json", "{\"scheduler\": ".getBytes());
        msg = GuestRun.read(result(json), 5).runs().get(1).countersProblem();
        assertTrue(msg.contains("runs/02-vsched/status-end.json does not parse"), msg);

        Map<String, byte[]> stopped = fixture();
        stopped.put("runs.txt", "01 default rc=0\n02 vsched rc=start-failed\n".getBytes());
        GuestRun.Runs r = GuestRun.read(result(stopped), 5);
        assertEquals(1, r.runs().size(), "the runs before a failed start stand");
        assertTrue(r.startFailure().orElseThrow().startsWith("arm vsched did not attach (run 02): "),
                r.startFailure().orElseThrow());

        Map<String, byte[]> bad = fixture();
        bad.put("runs.txt", "01 default rc=0\n02 Turbo! rc=0\n".getBytes());
        msg = assertThrows(IllegalArgumentException.class, () -> GuestRun.read(result(bad), 5)).getMessage();
        assertTrue(msg.contains("02 Turbo!"), msg);

        Map<String, byte[]> noRuns = fixture();
        noRuns.remove("runs.txt");
        msg = assertThrows(IllegalArgumentException.class, () -> GuestRun.read(result(noRuns), 5)).getMessage();
        assertTrue(msg.contains("no runs.txt"), msg);
    }

    /** Every file of the peers fixture (one boot, 9 arms, 5 workloads; see fixtures/README.md). */
    static Map<String, byte[]> peersFixture() throws Exception {
        java.nio.file.Path root = java.nio.file.Path.of(GuestRunTest.class.getResource("fixtures/compare-peers/runs.txt")
                .toURI()).getParent();
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (var s = java.nio.file.Files.walk(root)) {
            for (java.nio.file.Path p : s.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
                files.put(root.relativize(p).toString(), java.nio.file.Files.readAllBytes(p));
            }
        }
        return files;
    }

    @Test
    void readsTheNineArmsAndFiveWorkloadsOfThePeersFixture() throws Exception {
        GuestRun.Runs r = GuestRun.read(result(peersFixture()), 3);
        assertTrue(r.startFailure().isEmpty());
        assertEquals(45, r.runs().size());
        assertEquals(List.of("default", "vsched", "scx_simple", "scx_central", "scx_flatcg", "scx_cpu0", "scx_pair",
                "scx_sdt", "scx_userland"), Comparison.armsOf(r.runs()));
        Map<String, List<GuestRun>> byW = Comparison.byWorkload(r.runs());
        assertEquals(List.of("hackbench", "perf-sched", "stress-ng-ipc", "rrbench", "service"), List.copyOf(byW.keySet()));
        for (List<GuestRun> w : byW.values()) {
            Comparison c = new Comparison(w);
            assertEquals(1, c.rounds());
            assertEquals(9, c.arms().size());
        }
        GuestRun simple = r.runs().get(2);
        assertEquals("scx_simple", simple.arm());
        assertEquals(null, simple.sysbench(), "hackbench is not sysbench");
        assertEquals(0.0, simple.armCpu().orElseThrow(), 1e-12); // sched_cpu_ticks=0 in its sched.txt
        assertTrue(r.runs().get(1).armCpu().isPresent(), "vsched's CPU from sched.txt");
        // the report of such a boot: a section per workload, the runs listed, no sysbench metric
        Comparison hb = new Comparison(byW.get("hackbench"));
        assertTrue(hb.summary(Comparison.Metric.THROUGHPUT, "vsched").isEmpty());
        Report rep = new Report(java.time.Instant.EPOCH, "7.2", "TCG", 1, 3, "loader", 1);
        Experiment e = new ExperimentFile().read(ExperimentFileTest.repoFile()).experiment("unshaped-cpu");
        rep.add(e, "boot", hb, null, List.of());
        String md = rep.markdown();
        assertTrue(md.contains("No metric of this workload is read yet"), md);
        assertTrue(md.contains("| 3 | scx_simple | 0 | - | - | - | - | - |"), md);
        assertTrue(md.contains("scx_simple 0.00%"), md);
    }

    @Test
    void aWorkloadThatPrintedNothingIsNamed() throws IOException {
        Map<String, byte[]> files = fixture();
        files.put("runs/02-vsched/sysbench.txt", new byte[0]);
        String msg = assertThrows(IllegalArgumentException.class, () -> GuestRun.read(result(files), 5)).getMessage();
        assertEquals("runs/02-vsched/sysbench.txt: sysbench printed nothing (empty output)", msg);
        Map<String, byte[]> cyc = fixture();
        cyc.put("runs/01-default/cyclictest.json", "\n".getBytes());
        msg = assertThrows(IllegalArgumentException.class, () -> GuestRun.read(result(cyc), 5)).getMessage();
        assertEquals("runs/01-default/cyclictest.json: cyclictest printed nothing (empty JSON)", msg);
    }

    @Test
    void aPeerSchedulerThatFailedToAttachIsNamedWithItsReason() throws IOException {
        Map<String, byte[]> files = fixture();
        files.put("runs.txt", "01 default rc=0\n02 vsched rc=0\n03 scx_central rc=start-failed\n".getBytes());
        files.put("runs/03-scx_central/start-failed.txt", ("scx_central: libbpf: failed to load object\n"
                + "scx_central: sched_ext state stayed disabled for 10 s\n").getBytes());
        GuestRun.Runs r = GuestRun.read(result(files), 5);
        assertEquals(2, r.runs().size());
        assertEquals("arm scx_central did not attach (run 03): scx_central: libbpf: failed to load object |"
                + " scx_central: sched_ext state stayed disabled for 10 s (runs/03-scx_central/start-failed.txt)",
                r.startFailure().orElseThrow());
        files.remove("runs/03-scx_central/start-failed.txt");
        assertEquals("arm scx_central did not attach (run 03): the guest left no reason in runs/03-scx_central/"
                + " (see the guest log)", GuestRun.read(result(files), 5).startFailure().orElseThrow());
    }

    @Test
    void peerArmsAreReadWithTheirOwnCpu() throws IOException {
        Map<String, byte[]> files = fixture();
        files.put("runs.txt", "01 default rc=0\n02 vsched rc=0\n03 scx_simple rc=0\n".getBytes());
        files.put("runs/03-scx_simple/sysbench.txt", files.get("runs/02-vsched/sysbench.txt"));
        files.put("runs/03-scx_simple/arm.txt", "cpu_ticks=5 clk_tck=100\n".getBytes());
        List<GuestRun> runs = GuestRun.read(result(files), 5).runs();
        assertEquals("scx_simple", runs.get(2).arm());
        assertEquals(0.05 / 5, runs.get(2).armCpu().orElseThrow(), 1e-12);
        assertTrue(runs.get(2).counters().isEmpty());
        assertEquals(null, runs.get(2).countersProblem());
        assertEquals(List.of("default", "vsched", "scx_simple"), new Comparison(runs).arms());
    }
}
