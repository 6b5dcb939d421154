package dev.vsched.probers.report;

import dev.vsched.probers.vact.VactResult;
import dev.vsched.probers.vcap.VcapResult;
import dev.vsched.probers.vtop.Calibration;
import dev.vsched.probers.vtop.VtopResult;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The human-readable report: a per-vCPU table, the topology tree, and the verdict. */
public final class TextReport {
    private TextReport() {
    }

    public static String render(ProbeReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "vsched probe: %d vCPU%s on %s (kernel %s, sched_ext %s)%n",
                r.options().cpus().size(), r.options().cpus().size() == 1 ? "" : "s", r.host().hostname(),
                r.host().kernel(), r.host().schedExt() ? "available" : "not available"));
        sb.append(String.format(Locale.ROOT, "window %s per vCPU, %s mode; inactive = timeline gap >= %s (%s)%n%n",
                Units.duration(r.options().durationNs()), r.options().mode().name().toLowerCase(Locale.ROOT),
                Units.duration(r.gapThreshold().thresholdNs()),
                r.gapThreshold().basis() >= 0
                        ? "from the interrupt cost measured on vCPU " + r.gapThreshold().basis() + ", "
                        + Units.duration(r.gapThreshold().noiseNs())
                        : "too few gaps to measure the noise: a multiple of the loop floor"));
        if (!r.vcap().isEmpty() || !r.vact().isEmpty()) {
            table(sb, r);
        }
        if (r.vtop() != null) {
            topology(sb, r.vtop());
        }
        sb.append("Verdict\n");
        for (String line : r.verdict()) {
            sb.append("  - ").append(line).append('\n');
        }
        return sb.toString();
    }

    private static void table(StringBuilder sb, ProbeReport r) {
        sb.append(String.format(Locale.ROOT, "%5s %6s %6s %9s %6s %9s %9s %9s %9s %9s%n", "vCPU", "ran", "speed",
                "capacity", "steal", "preempt/s", "inact p50", "p95", "p99", "max"));
        for (int cpu : r.options().cpus()) {
            String why = r.unavailable().get(cpu);
            Optional<VcapResult> cap = r.vcap(cpu);
            Optional<VactResult> act = r.vact(cpu);
            if (cap.isEmpty() && act.isEmpty()) {
                sb.append(String.format(Locale.ROOT, "%5d  unavailable: %s%n", cpu, why));
                continue;
            }
            double ran = cap.map(VcapResult::timeshare).orElseGet(() -> act.get().activeFraction());
            sb.append(String.format(Locale.ROOT, "%5d %6s %6s %9s %6s %9s %9s %9s %9s %9s%s%n", cpu,
                    Units.percent1(ran),
                    cap.map(c -> String.format(Locale.ROOT, "%.2f", c.speed())).orElse("-"),
                    cap.map(c -> c.capacity() + (c.straggler() ? "!" : "")).orElse("-"),
                    cap.map(c -> Units.percent1(c.stealFraction())).orElse("-"),
                    act.map(a -> String.format(Locale.ROOT, "%.1f", a.preemptionsPerSecond())).orElse("-"),
                    act.map(a -> a.inactive().count() == 0 ? "-" : Units.duration(a.inactive().p50())).orElse("-"),
                    act.map(a -> a.inactive().count() == 0 ? "-" : Units.duration(a.inactive().p95())).orElse("-"),
                    act.map(a -> a.inactive().count() == 0 ? "-" : Units.duration(a.inactive().p99())).orElse("-"),
                    act.map(a -> a.inactive().count() == 0 ? "-" : Units.duration(a.inactive().max())).orElse("-"),
                    why == null ? "" : "  (partial: " + why + ")"));
        }
        sb.append("  ran = share of wall time the vCPU really ran; speed = relative to the fastest vCPU; "
                + "capacity = 1024 x ran x speed (! = straggler)\n\n");
    }

    private static void topology(StringBuilder sb, VtopResult t) {
        Calibration c = t.thresholds();
        sb.append(String.format(Locale.ROOT, "Topology (vTOP: cache-line ping-pong, %d pair measurement%s in %s; "
                        + "stacked >= %s%s%s)%n", t.probedPairs(), t.probedPairs() == 1 ? "" : "s",
                Units.duration(t.elapsedNs()), Units.duration(c.stackedNs()),
                c.smtNs() > 0 ? ", smt < " + Units.duration(c.smtNs()) : "",
                c.sameSocketNs() > 0 ? ", cross socket >= " + Units.duration(c.sameSocketNs()) : ""));
        tree(sb, t.root(), "", true, true);
        for (VtopResult.PairResult p : t.pairs()) {
            String guest = t.guestView().stream().filter(g -> g.a() == p.a() && g.b() == p.b()).findFirst()
                    .map(g -> g.relation().json()).orElse("?");
            sb.append(String.format(Locale.ROOT, "  %d-%d  %-12s %10s  guest believes %s%s%n", p.a(), p.b(),
                    p.relation().json(), p.inferred() ? "(inferred)" : Units.duration(p.oneWayNs()), guest,
                    p.relation().known() && !p.relation().json().equals(guest) ? "  <- mismatch" : ""));
        }
        sb.append('\n');
    }

    private static void tree(StringBuilder sb, VtopResult.Group g, String indent, boolean last, boolean root) {
        String label = "vcpu".equals(g.level()) ? "vCPU " + g.cpus().getFirst()
                : g.level() + " " + g.cpus();
        sb.append("  ").append(indent).append(root ? "" : last ? "`-- " : "|-- ").append(label).append('\n');
        List<VtopResult.Group> kids = g.children();
        for (int i = 0; i < kids.size(); i++) {
            tree(sb, kids.get(i), root ? indent : indent + (last ? "    " : "|   "), i == kids.size() - 1, false);
        }
    }
}
