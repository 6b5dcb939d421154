package dev.vsched.eval;

import dev.vsched.eval.Comparison.Metric;
import dev.vsched.vm.VmRun;
import java.time.Instant;
import java.util.Locale;

/** The markdown report of one compare invocation. */
final class Report {
    private final StringBuilder sb = new StringBuilder();

    Report(Instant when, String series, String kernel, int rounds, int seconds, String sched, int settle) {
        sb.append("# vsched vs default: side by side\n\n");
        sb.append(String.format(Locale.ROOT, "%s; guest kernel %s (%s), eval image, TCG thread=multi; %d rounds of"
                + " one %d s run per scheduler, order alternating (default first in odd rounds); vsched = %s%s.%n%n",
                when, kernel, series, rounds, seconds,
                sched.equals("agent") ? "`vsched agent` in sched_ext mode (probing, feeding the scheduler, RWC)"
                        : "the bare scheduler from vsched-loader, no vCPU state",
                settle > 0 ? ", started " + settle + " s before each of its workload runs (past its start-up)"
                        : ", started right before each of its workload runs"));
    }

    void add(Experiment e, VmRun run, Comparison c) {
        sb.append("## ").append(e.name()).append("\n\n").append(e.what()).append(". ").append(e.vcpus())
                .append(" vCPUs, layout `").append(e.layout() == null ? "none" : e.layout()).append("`. Boot took ")
                .append(run.elapsed().toSeconds()).append(" s, attempt ").append(run.attempt())
                .append(", guest rc ").append(run.result().rc().orElse(-1)).append(", ").append(c.rounds())
                .append(" whole rounds.\n\n");
        sb.append("| metric | default (median) | vsched (median) | ratio vsched/default | median per-round ratio"
                + " | per-round ratios |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (Metric m : Metric.values()) {
            c.summary(m).ifPresent(s -> {
                StringBuilder rr = new StringBuilder();
                for (double r : s.roundRatios()) {
                    rr.append(rr.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", r));
                }
                sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | **%.3f** | **%.3f** | %s |%n", m.label,
                        s.defaultMedian(), s.vschedMedian(), s.ratio(), s.medianRoundRatio(), rr));
            });
        }
        c.vschedCpu().ifPresent(x -> sb.append(String.format(Locale.ROOT,
                "%nvsched's own CPU time during its runs: %.2f%% of one vCPU (median).%n", 100 * x)));
        sb.append("\n| run | scheduler | rc | events/s | event p95 ms | wake-up p95 us | wake-up p99 us | wake-up max us |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (GuestRun r : c.runs()) {
            CyclictestHistogram h = r.cyclictest();
            sb.append(String.format(Locale.ROOT, "| %d | %s | %d | %.2f | %.2f | %s | %s | %s |%n", r.index(),
                    r.mode().name().toLowerCase(Locale.ROOT), r.rc(), r.sysbench().eventsPerSecond(),
                    r.sysbench().latencyP95Ms(), h == null ? "-" : pct(h, 0.95), h == null ? "-" : pct(h, 0.99),
                    h == null ? "-" : Long.toString(h.maxUs())));
        }
        sb.append("\nScheduler counters at the end of each vsched run (from its attach):\n\n");
        for (GuestRun r : c.runs()) {
            if (r.countersProblem() != null) {
                sb.append("- run ").append(r.index()).append(": no counters: ").append(r.countersProblem()).append('\n');
            }
            if (!r.counters().isEmpty()) {
                StringBuilder kv = new StringBuilder();
                r.counters().forEach((k, v) -> kv.append(kv.isEmpty() ? "" : " ").append(k).append('=').append(v));
                sb.append("- run ").append(r.index()).append(": `").append(kv).append("`\n");
            }
        }
        sb.append('\n');
    }

    private static String pct(CyclictestHistogram h, double q) {
        var p = h.percentileUs(q);
        return p.isPresent() ? Long.toString(p.getAsLong()) : "> histogram";
    }

    void failed(Experiment e, String why) {
        sb.append("## ").append(e.name()).append("\n\nFAILED:\n\n```\n").append(why).append("\n```\n\n");
    }

    String markdown() {
        return sb.toString();
    }
}
