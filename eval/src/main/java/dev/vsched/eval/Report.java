package dev.vsched.eval;

import dev.vsched.eval.Comparison.Metric;
import dev.vsched.eval.Comparison.Summary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The markdown report of one compare invocation: a header (what ran, on what accelerator), a summary
 * matrix per metric (experiment x arm), then per experiment every arm's medians, ratios to default,
 * per-round ratios, bootstrap interval and verdict, each arm's own CPU, the runs, and links to the plots
 * written next to the report.
 */
final class Report {

    /** What one experiment gave; {@code comparison} is null when it failed before a whole round. */
    record Section(Experiment experiment, String boot, Comparison comparison, String failure, List<Path> plots) {
    }

    private final String header;
    private final List<Section> sections = new ArrayList<>();

    /**
     * @param guest what the guest was: kernel, series
     * @param accel the accelerator and why it was chosen
     * @param vsched what the vsched arm was (agent or loader, settling)
     */
    Report(Instant when, String guest, String accel, int rounds, int seconds, String vsched, long seed) {
        header = "# vsched vs default and peers: side by side\n\n" + String.format(Locale.ROOT,
                "%s; guest %s, eval image; accelerator: %s.%n%n%d rounds of one %d s run per arm, the order rotating"
                        + " from round to round; vsched = %s. Intervals: 95%% bootstrap over rounds (%d resamples,"
                        + " seed %d).%n%n", when, guest, accel, rounds, seconds, vsched, Bootstrap.RESAMPLES, seed);
    }

    static String vschedDescription(String sched, int settle) {
        return (sched.equals("agent") ? "`vsched agent` in sched_ext mode (probing, feeding the scheduler, RWC)"
                : "the bare scheduler from vsched-loader, no vCPU state")
                + (settle > 0 ? ", started " + settle + " s before each of its workload runs (past its start-up)"
                        : ", started right before each of its workload runs");
    }

    void add(Experiment e, String boot, Comparison c, String failure, List<Path> plots) {
        sections.add(new Section(e, boot, c, failure, List.copyOf(plots)));
    }

    void failed(Experiment e, String why) {
        sections.add(new Section(e, null, null, why, List.of()));
    }

    String markdown() {
        StringBuilder sb = new StringBuilder(header);
        matrix(sb);
        for (Section s : sections) {
            section(sb, s);
        }
        return sb.toString();
    }

    /** One table per metric: a row per experiment, a column per arm other than default. */
    private void matrix(StringBuilder sb) {
        Set<String> arms = new LinkedHashSet<>();
        for (Section s : sections) {
            if (s.comparison != null) {
                arms.addAll(s.comparison.challengers());
            }
        }
        if (arms.isEmpty()) {
            return;
        }
        sb.append("## Summary\n\nEach cell: an arm's ratio to default (geometric mean of the per-round ratios),"
                + " its 95% interval, and whether the difference is resolved (faster = better on the metric).\n\n");
        for (Metric m : Metric.values()) {
            List<Section> rows = sections.stream().filter(s -> s.comparison != null
                    && s.comparison.challengers().stream().anyMatch(a -> s.comparison.summary(m, a).isPresent())).toList();
            if (rows.isEmpty()) {
                continue;
            }
            sb.append("**").append(m.label).append("** (").append(m.higherIsBetter ? "higher" : "lower")
                    .append(" is better)\n\n| experiment |");
            arms.forEach(a -> sb.append(' ').append(a).append(" |"));
            sb.append("\n|---|");
            arms.forEach(a -> sb.append("---|"));
            sb.append('\n');
            for (Section s : rows) {
                sb.append("| ").append(s.experiment.name()).append(" |");
                for (String a : arms) {
                    Optional<Summary> su = s.comparison.challengers().contains(a) ? s.comparison.summary(m, a)
                            : Optional.empty();
                    sb.append(' ').append(su.map(Report::cell).orElse("-")).append(" |");
                }
                sb.append('\n');
            }
            sb.append('\n');
        }
        List<Section> failed = sections.stream().filter(s -> s.failure != null).toList();
        if (!failed.isEmpty()) {
            sb.append("Failed: ");
            for (int i = 0; i < failed.size(); i++) {
                sb.append(i == 0 ? "" : "; ").append(failed.get(i).experiment.name()).append(" (")
                        .append(failed.get(i).failure.lines().findFirst().orElse("")).append(')');
            }
            sb.append("\n\n");
        }
    }

    private static String cell(Summary s) {
        Bootstrap.Interval ci = s.interval();
        return String.format(Locale.ROOT, "%.3f %s %s", ci.estimate(), interval(ci), verdictWord(s));
    }

    private static String verdictWord(Summary s) {
        return switch (s.interval().verdict(s.metric().higherIsBetter)) {
            case BETTER -> "**faster**";
            case WORSE -> "**slower**";
            case NOT_RESOLVED -> "not resolved";
            case TOO_FEW_ROUNDS -> "(too few rounds)";
        };
    }

    private static String interval(Bootstrap.Interval ci) {
        return ci.present() ? String.format(Locale.ROOT, "[%.3f, %.3f]", ci.lo(), ci.hi()) : "[-]";
    }

    private static void section(StringBuilder sb, Section s) {
        Experiment e = s.experiment;
        sb.append("## ").append(e.name()).append("\n\n").append(e.what()).append(". Layout `")
                .append(e.layout().name()).append("`: ").append(e.layout().describe()).append(". Workload ")
                .append(String.join(",", e.workloads())).append(", ").append(e.threads()).append(" threads.");
        if (s.boot != null) {
            sb.append(' ').append(s.boot);
        }
        sb.append("\n\n");
        if (s.failure != null) {
            sb.append("FAILED:\n\n```\n").append(s.failure).append("\n```\n\n");
        }
        Comparison c = s.comparison;
        if (c == null) {
            return;
        }
        sb.append(c.rounds()).append(" whole rounds of ").append(c.arms().size()).append(" arms (")
                .append(String.join(", ", c.arms())).append(").\n\n");
        sb.append("| metric | arm | default (median) | arm (median) | ratio of medians | median per-round ratio"
                + " | per-round ratios | geometric mean [95% interval] | resolves +- | verdict |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Metric m : Metric.values()) {
            for (String arm : c.challengers()) {
                c.summary(m, arm).ifPresent(su -> {
                    StringBuilder rr = new StringBuilder();
                    for (double r : su.roundRatios()) {
                        rr.append(rr.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", r));
                    }
                    Bootstrap.Interval ci = su.interval();
                    sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.3f | %.3f | %s | **%.3f** %s | %s | %s |%n",
                            m.label, arm, su.defaultMedian(), su.armMedian(), su.ratio(), su.medianRoundRatio(), rr,
                            ci.estimate(), interval(ci), ci.present() ? String.format(Locale.ROOT, "%.1f%%",
                                    100 * ci.halfWidth()) : "-", su.word()));
                });
            }
        }
        if (java.util.Arrays.stream(Metric.values()).noneMatch(m -> c.challengers().stream()
                .anyMatch(a -> c.summary(m, a).isPresent()))) {
            sb.append("No metric of this workload is read yet (compare parses sysbench and cyclictest): the runs"
                    + " and each arm's CPU only.\n");
        }
        for (Metric m : Metric.values()) {
            boolean measured = c.runs().stream().anyMatch(r -> r.cyclictest() != null || m.of(r).isPresent());
            boolean ratio = c.challengers().stream().anyMatch(a -> c.summary(m, a).isPresent());
            if (measured && !ratio && c.runs().stream().anyMatch(r -> r.cyclictest() != null)) {
                sb.append("\nNo ratio for ").append(m.label).append(": in at least one run of default or the arm the")
                        .append(" value lies past cyclictest's histogram (see the runs below and the CDF).\n");
            }
        }
        sb.append("\nEach arm's own CPU time during its runs (its scheduler's process; median, share of one vCPU): ");
        List<String> cpu = new ArrayList<>();
        for (String arm : c.challengers()) {
            var x = c.armCpu(arm);
            cpu.add(arm + " " + (x.isPresent() ? String.format(Locale.ROOT, "%.2f%%", 100 * x.getAsDouble())
                    : "not measured"));
        }
        sb.append(String.join(", ", cpu)).append(".\n\n");
        for (Path p : s.plots) {
            sb.append("![").append(p.getFileName()).append("](").append(p.getFileName()).append(")\n");
        }
        if (!s.plots.isEmpty()) {
            sb.append('\n');
        }
        sb.append("| run | arm | rc | events/s | event p95 ms | wake-up p95 us | wake-up p99 us | wake-up max us |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (GuestRun r : c.runs()) {
            CyclictestHistogram h = r.cyclictest();
            SysbenchOutput sy = r.sysbench();
            sb.append(String.format(Locale.ROOT, "| %d | %s | %d | %s | %s | %s | %s | %s |%n", r.index(), r.arm(),
                    r.rc(), sy == null ? "-" : String.format(Locale.ROOT, "%.2f", sy.eventsPerSecond()),
                    sy == null ? "-" : String.format(Locale.ROOT, "%.2f", sy.latencyP95Ms()),
                    h == null ? "-" : pct(h, 0.95), h == null ? "-" : pct(h, 0.99),
                    h == null ? "-" : Long.toString(h.maxUs())));
        }
        StringBuilder counters = new StringBuilder();
        for (GuestRun r : c.runs()) {
            if (r.countersProblem() != null) {
                counters.append("- run ").append(r.index()).append(" (").append(r.arm()).append("): no counters: ")
                        .append(r.countersProblem()).append('\n');
            }
            if (!r.counters().isEmpty()) {
                StringBuilder kv = new StringBuilder();
                r.counters().forEach((k, v) -> kv.append(kv.isEmpty() ? "" : " ").append(k).append('=').append(v));
                counters.append("- run ").append(r.index()).append(" (").append(r.arm()).append("): `").append(kv)
                        .append("`\n");
            }
        }
        if (!counters.isEmpty()) {
            sb.append("\nScheduler counters at the end of each run (from its attach):\n\n").append(counters);
        }
        sb.append('\n');
    }

    private static String pct(CyclictestHistogram h, double q) {
        var p = h.percentileUs(q);
        return p.isPresent() ? Long.toString(p.getAsLong()) : "> histogram";
    }

    /** Writes the plots of one experiment next to {@code report}; returns those written. */
    static List<Path> plots(Path report, String experiment, Comparison c) throws IOException {
        Path dir = report.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String base = report.getFileName().toString().replaceFirst("\\.md$", "");
        List<Path> out = new ArrayList<>();
        Plots.ratios(experiment, c, dir.resolve(base + "-" + experiment + "-ratios.png")).ifPresent(out::add);
        Plots.wakeupCdf(experiment, c, dir.resolve(base + "-" + experiment + "-wakeup-cdf.png")).ifPresent(out::add);
        return out;
    }
}
