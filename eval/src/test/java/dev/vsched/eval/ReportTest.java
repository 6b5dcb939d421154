package dev.vsched.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.vm.GuestResult;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * A report and its plots from the committed fixture (one real default and one real vsched run of the
 * mixed workload), spread into 5 rounds of 3 arms (default, vsched, scx_simple) with the rotating order
 * and sysbench figures scaled per arm and round, as a guest with a peer arm would send them. Written to
 * {@code target/sample-report/} to be looked at.
 */
class ReportTest {

    static final Path SAMPLE = Path.of(System.getProperty("vsched.sample.dir", "target/sample-report"));

    /** Per round, the order of the arms and each arm's scale of the fixture's events/s. */
    private static final String[][] ORDER = {
        {"default", "vsched", "scx_simple"}, {"vsched", "scx_simple", "default"},
        {"scx_simple", "default", "vsched"}, {"default", "vsched", "scx_simple"}, {"vsched", "scx_simple", "default"}};
    private static final double[][] SCALE = {{1.00, 0.97, 1.10}, {1.02, 0.93, 1.12}, {0.98, 0.96, 1.08},
        {1.01, 0.99, 1.11}, {1.00, 0.95, 1.09}};

    static GuestResult threeArmResult() throws IOException {
        Map<String, byte[]> fx = GuestRunTest.fixture();
        Map<String, byte[]> files = new LinkedHashMap<>();
        StringBuilder runs = new StringBuilder();
        int n = 0;
        for (int r = 0; r < ORDER.length; r++) {
            for (String arm : ORDER[r]) {
                n++;
                String dir = String.format("runs/%02d-%s/", n, arm);
                String src = arm.equals("default") ? "runs/01-default/" : "runs/02-vsched/";
                int a = List.of("default", "vsched", "scx_simple").indexOf(arm);
                double eps = 262.12 * SCALE[r][a];
                String sb = new String(fx.get(src + "sysbench.txt"), StandardCharsets.UTF_8)
                        .replaceFirst("events per second:\\s*[0-9.]+", String.format("events per second: %.2f", eps));
                files.put(dir + "sysbench.txt", sb.getBytes(StandardCharsets.UTF_8));
                files.put(dir + "cyclictest.json", fx.get(src + "cyclictest.json"));
                if (arm.equals("vsched")) {
                    files.put(dir + "vsched.txt", fx.get("runs/02-vsched/vsched.txt"));
                    files.put(dir + "status-end.json", fx.get("runs/02-vsched/status-end.json"));
                } else if (!arm.equals("default")) {
                    files.put(dir + "arm.txt", "cpu_ticks=2 clk_tck=100\n".getBytes(StandardCharsets.UTF_8));
                }
                runs.append(String.format("%02d %s rc=0%n", n, arm));
            }
        }
        files.put("runs.txt", runs.toString().getBytes(StandardCharsets.UTF_8));
        return new GuestResult("sched-compare", files, OptionalInt.of(0), List.of());
    }

    @Test
    void rendersTheMatrixTheArmsAndThePlots() throws IOException {
        GuestRun.Runs runs = GuestRun.read(threeArmResult(), 5);
        Comparison c = new Comparison(runs.runs(), null, 1);
        assertEquals(List.of("default", "vsched", "scx_simple"), c.arms());
        assertEquals(5, c.rounds());
        ExperimentFile f = new ExperimentFile().read(ExperimentFileTest.repoFile());
        Experiment e = f.experiment("stacked-mixed");
        Path out = SAMPLE.resolve("compare.md");
        Files.createDirectories(SAMPLE);
        List<Path> plots = Report.plots(out, e.name(), c);
        assertEquals(2, plots.size(), plots.toString());
        for (Path p : plots) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertEquals(Plots.WIDTH, img.getWidth(), p.toString());
            assertEquals(Plots.HEIGHT, img.getHeight(), p.toString());
        }
        Report r = new Report(Instant.parse("2026-12-06T04:00:00Z"), "7.2.13+deb14-cloud-amd64 (7.2)",
                "TCG thread=multi: auto: KVM probe boot failed: KVM internal error. Suberror: 1", 5, 5,
                Report.vschedDescription("agent", 0), 1);
        r.add(e, "Boot took 300 s, attempt 1, guest rc 0, tcg thread=multi.", c, null, plots);
        r.failed(new ExperimentFile().read(ExperimentFileTest.repoFile()).experiment("overcommit-cpu"),
                "arm scx_central did not attach (run 03): scx_central: failed to load");
        String md = r.markdown();
        Files.writeString(out, md);
        assertTrue(md.contains("accelerator: TCG thread=multi: auto: KVM probe boot failed"), md);
        assertTrue(md.contains("| experiment | vsched | scx_simple |"), md);
        // throughput: scx_simple 8-10% above default in every round, vsched 1-7% below
        String row = md.lines().filter(l -> l.startsWith("| stacked-mixed |")).findFirst().orElseThrow();
        assertTrue(row.matches("\\| stacked-mixed \\| 0\\.9\\d\\d \\[0\\.9\\d\\d, 0\\.9\\d\\d] \\*\\*slower\\*\\*"
                + " \\| 1\\.0\\d\\d \\[1\\.0\\d\\d, 1\\.1\\d\\d] \\*\\*faster\\*\\* \\|"), row);
        // the fixture's default run had a 10 ms histogram its p95 overflowed: no wake-up ratio, said so
        assertTrue(!md.contains("**cyclictest wake-up latency p95 (us)**"), md);
        assertTrue(md.contains("No ratio for cyclictest wake-up latency p95 (us): in at least one run"), md);
        assertTrue(md.contains("Failed: overcommit-cpu (arm scx_central did not attach (run 03)"), md);
        assertTrue(md.contains("Each arm's own CPU time during its runs (its scheduler's process; median, share of"
                + " one vCPU): vsched 25.80%, scx_simple 0.40%."), md);
        assertTrue(md.contains("![compare-stacked-mixed-ratios.png](compare-stacked-mixed-ratios.png)"), md);
        assertTrue(md.contains("| 6 | default | 0 |"), md);
        assertTrue(md.contains("| 15 | default | 0 |"), md);
    }

    @Test
    void ratiosSpanningMoreThan3xRenderOnALogAxis() throws IOException {
        // the smoke run's rounds on a loaded host: 12.5, 3.1, 2.9 times default's throughput
        Comparison c = new Comparison(List.of(ComparisonTest.run(1, "default", 30, 200),
                ComparisonTest.run(2, "vsched", 374, 15), ComparisonTest.run(3, "vsched", 280, 18),
                ComparisonTest.run(4, "default", 90, 120), ComparisonTest.run(5, "default", 97, 200),
                ComparisonTest.run(6, "vsched", 281, 29)));
        Path dir = Files.createDirectories(SAMPLE.resolve("wide"));
        Path p = Plots.ratios("unshaped-cpu", c, dir.resolve("wide-ratios.png")).orElseThrow();
        assertEquals(Plots.WIDTH, ImageIO.read(p.toFile()).getWidth());
    }

    @Test
    void aCpuWorkloadHasNoCdf() throws IOException {
        GuestResult res = threeArmResult();
        Map<String, byte[]> files = new LinkedHashMap<>(res.files());
        files.keySet().removeIf(k -> k.endsWith("cyclictest.json"));
        Comparison c = new Comparison(GuestRun.read(new GuestResult("sched-compare", files, OptionalInt.of(0),
                List.of()), 5).runs());
        Path dir = Files.createDirectories(SAMPLE.resolve("cpu"));
        List<Path> plots = Report.plots(dir.resolve("cpu.md"), "unshaped-cpu", c);
        assertEquals(List.of(dir.toAbsolutePath().resolve("cpu-unshaped-cpu-ratios.png")), plots);
    }
}
