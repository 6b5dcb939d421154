package dev.vsched.vm;

import dev.vsched.probers.proc.CpuList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.StringJoiner;

/**
 * Ground truth vs measured: boots the 7.2 guest under a few host layouts, runs {@code vsched probe
 * --json} in each, and writes a markdown table of imposed vs probed capacity and topology per vCPU.
 *
 * <pre>
 * vm-images/ground-truth [--out FILE] [--runs N] [--duration 2s] [--series 7.2] [name='v0=0; v1=0@30; ...' ...]
 * </pre>
 */
public final class GroundTruth {

    /** Default layouts for 4 vCPUs on this 2-CPU host; every imposed share is known (no floating vCPU). */
    static final Map<String, String> DEFAULT_LAYOUTS = new LinkedHashMap<>();

    static {
        DEFAULT_LAYOUTS.put("standard", "v0=0; v1=0@30; v2=1; v3=1; rest=0");
        DEFAULT_LAYOUTS.put("three-stacked", "v0=0; v1=1; v2=1; v3=1; rest=0");
        DEFAULT_LAYOUTS.put("quotas", "v0=0@50; v1=0@25; v2=1@20; v3=1; rest=0");
    }

    private GroundTruth() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of("vm-images/target/ground-truth.md");
        int runs = 1;
        String duration = "2s";
        String series = "7.2";
        Map<String, String> layouts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--runs" -> runs = Integer.parseInt(value(args, ++i, a));
                case "--duration" -> duration = value(args, ++i, a);
                case "--series" -> series = value(args, ++i, a);
                case "-h", "--help" -> {
                    System.out.println("usage: ground-truth [--out FILE] [--runs N] [--duration 2s] [--series 7.2]"
                            + " [name='v0=0; v1=0@30; v2=1; v3=1; rest=0' ...]");
                    return;
                }
                default -> {
                    int eq = a.indexOf('=');
                    if (a.startsWith("-") || eq <= 0) {
                        throw new IllegalArgumentException("unknown argument '" + a + "' (see --help)");
                    }
                    layouts.put(a.substring(0, eq), a.substring(eq + 1));
                }
            }
        }
        if (runs < 1 || runs > 20) {
            throw new IllegalArgumentException("--runs " + runs + " out of range 1..20");
        }
        if (layouts.isEmpty()) {
            layouts.putAll(DEFAULT_LAYOUTS);
        }
        // Parse and validate every layout before booting anything.
        List<HostLayout> parsed = new ArrayList<>();
        for (Map.Entry<String, String> e : layouts.entrySet()) {
            HostLayout l = HostLayout.parse(e.getKey(), e.getValue());
            l.validate(4, QemuVm.onlineCpus());
            parsed.add(l);
        }
        VmImages images = VmImages.locate();
        StringBuilder md = new StringBuilder();
        md.append("# vsched ground truth: imposed vs probed\n\n");
        md.append("Generated ").append(Instant.now()).append(" by `vm-images/ground-truth`. Guest: ")
                .append(images.kernelVersion(series)).append(", 4 vCPUs, QEMU TCG thread=multi; host: ")
                .append(QemuVm.onlineCpus().cardinality()).append(" CPUs, load average at start ")
                .append(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]).append(". Probe: `vsched probe --json --duration ")
                .append(duration).append("`.\n\n");
        md.append("Imposed share: the vCPU thread's share of its host CPU when every vCPU is busy (max-min fair split "
                + "of equal cgroup weights, capped by the quota); imposed capacity = 1024 x share (TCG runs every vCPU "
                + "at the same speed). Stacked: pinned to the same single host CPU.\n\n");
        double worst = 0;
        int topoChecked = 0;
        int topoWrong = 0;
        for (HostLayout l : parsed) {
            for (int r = 1; r <= runs; r++) {
                VmSpec spec = VmSpec.of(images, series, "probe", 4, Duration.ofSeconds(300))
                        .withParams(Map.of("probe_args", "--duration " + duration)).withLayout(l);
                md.append("## ").append(l.name()).append(runs > 1 ? " (run " + r + ")" : "").append("\n\n`")
                        .append(l.describe()).append("`\n\n");
                VmRun run;
                ProbeReport report;
                try {
                    run = GuestRunner.run(spec);
                    report = ProbeReport.parse(run.result().text("probe.json").orElse(""));
                } catch (VmFailure | IllegalArgumentException e) {
                    md.append("**Run failed:** ").append(e.getMessage().lines().findFirst().orElse("")).append("\n\n");
                    System.err.println(e.getMessage());
                    continue;
                }
                md.append("| vCPU | host CPU | quota | imposed share | imposed capacity | probed timeshare | probed speed"
                        + " | probed capacity | capacity error | imposed stacked with | probed stacked with |\n");
                md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
                SortedMap<Integer, Double> share = l.expectedTimeshare();
                for (int v = 0; v < 4; v++) {
                    HostLayout.Placement p = l.vcpus().get(v);
                    double imposed = share.getOrDefault(v, Double.NaN);
                    double cap = report.capacity(v).orElse(Double.NaN);
                    double err = cap / 1024 - imposed;
                    if (!Double.isNaN(err)) {
                        worst = Math.max(worst, Math.abs(err));
                    }
                    StringJoiner imposedStack = new StringJoiner(",");
                    StringJoiner probedStack = new StringJoiner(",");
                    for (int w = 0; w < 4; w++) {
                        if (w == v) {
                            continue;
                        }
                        if (l.stacked(v, w)) {
                            imposedStack.add(Integer.toString(w));
                        }
                        if (report.relation(v, w).map("stacked"::equals).orElse(false)) {
                            probedStack.add(Integer.toString(w));
                        }
                        if (w > v) {
                            topoChecked++;
                            if (l.stacked(v, w) != report.relation(v, w).map("stacked"::equals).orElse(false)) {
                                topoWrong++;
                            }
                        }
                    }
                    md.append(String.format(Locale.ROOT, "| %d | %s | %s | %.3f | %.0f | %s | %s | %s | %+.3f | %s | %s |%n",
                            v, p == null ? "any" : CpuList.format(p.hostCpus()),
                            p != null && p.quotaPercent().isPresent() ? p.quotaPercent().getAsInt() + "%" : "-",
                            imposed, 1024 * imposed, num(report.timeshare(v).orElse(Double.NaN), "%.3f"),
                            num(report.speed(v).orElse(Double.NaN), "%.3f"), num(cap, "%.0f"), err,
                            dash(imposedStack.toString()), dash(probedStack.toString())));
                }
                md.append("\nAttempts: ").append(run.attempt()).append(", boot-to-poweroff ")
                        .append(run.elapsed().toMillis() / 1000.0).append(" s. Verdict: ")
                        .append(String.join("; ", report.verdict())).append("\n\n");
            }
        }
        md.append(String.format(Locale.ROOT, "**Summary:** largest |probed - imposed| share %.3f (capacity %.0f);"
                + " stacked/not-stacked wrong for %d of %d vCPU pairs.%n", worst, worst * 1024, topoWrong, topoChecked));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md);
        System.out.print(md);
        System.err.println("ground truth table written to " + out.toAbsolutePath());
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static String num(double v, String fmt) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, fmt, v);
    }

    private static String dash(String s) {
        return s.isEmpty() ? "-" : s;
    }
}
