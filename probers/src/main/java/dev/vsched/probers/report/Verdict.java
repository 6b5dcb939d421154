package dev.vsched.probers.report;

import dev.vsched.probers.vact.VactResult;
import dev.vsched.probers.vcap.CapacityModel;
import dev.vsched.probers.vcap.VcapResult;
import dev.vsched.probers.vtop.Relation;
import dev.vsched.probers.vtop.VtopResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The report's findings in plain words, most consequential first. */
public final class Verdict {
    /** A vCPU running less than this share of the time is worth a sentence. */
    static final double NOTABLE_TIMESHARE = 0.90;
    /** A vCPU slower than this fraction of the fastest, when it runs, is worth a sentence. */
    static final double NOTABLE_SPEED = 0.80;
    /** Steal above this share is worth a sentence. */
    static final double NOTABLE_STEAL = 0.05;

    private Verdict() {
    }

    public static List<String> of(ProbeReport r) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Integer, String> e : r.unavailable().entrySet()) {
            out.add("vCPU " + e.getKey() + " could not be probed completely: " + e.getValue());
        }
        if (r.vtop() != null) {
            stackedGroups(r.vtop().root(), out, r.vtop());
        }
        for (VcapResult c : r.vcap()) {
            if (c.straggler()) {
                out.add("vCPU " + c.cpu() + " is a straggler: capacity " + c.capacity() + " of 1024, under "
                        + Units.percent(CapacityModel.STRAGGLER_FRACTION) + " of the best vCPU");
            }
        }
        for (int cpu : r.options().cpus()) {
            Optional<VcapResult> cap = r.vcap(cpu);
            Optional<VactResult> act = r.vact(cpu);
            double ran = cap.map(VcapResult::timeshare).orElse(act.map(VactResult::activeFraction).orElse(1.0));
            if (ran < NOTABLE_TIMESHARE && (cap.isPresent() || act.isPresent())) {
                StringBuilder sb = new StringBuilder("vCPU " + cpu + " ran " + Units.percent(ran) + " of the time");
                act.filter(a -> a.inactive().count() > 0).ifPresent(a -> sb.append("; p99 inactive period ")
                        .append(Units.duration(a.inactive().p99())).append(", ")
                        .append(String.format(java.util.Locale.ROOT, "%.0f", a.preemptionsPerSecond()))
                        .append(" preemptions/s"));
                out.add(sb.toString());
            }
            cap.filter(c -> c.speed() < NOTABLE_SPEED).ifPresent(c -> out.add("vCPU " + cpu + " computes at "
                    + Units.percent(c.speed()) + " of the fastest vCPU's speed while it runs"
                    + " (a busy SMT sibling or a slower core)"));
            cap.filter(c -> c.stealFraction() > NOTABLE_STEAL).ifPresent(c -> out.add("vCPU " + cpu
                    + ": the hypervisor reports " + Units.percent(c.stealFraction()) + " steal"));
        }
        if (r.vtop() != null) {
            for (VtopResult.Mismatch m : r.vtop().mismatches()) {
                if (m.probed() != Relation.STACKED) {
                    out.add("The guest kernel believes vCPUs " + m.a() + " and " + m.b() + " are "
                            + words(m.guest()) + "; probing says " + words(m.probed()));
                }
            }
        }
        if (out.isEmpty()) {
            out.add(allClear(r));
        }
        return out;
    }

    private static void stackedGroups(VtopResult.Group g, List<String> out, VtopResult vtop) {
        if ("stacked".equals(g.level())) {
            List<Integer> cpus = g.cpus();
            int first = cpus.getFirst();
            String others = cpus.subList(1, cpus.size()).stream().map(String::valueOf)
                    .collect(Collectors.joining(", "));
            double handoff = vtop.pairs().stream()
                    .filter(p -> cpus.contains(p.a()) && cpus.contains(p.b()) && !Double.isNaN(p.oneWayNs()))
                    .mapToDouble(VtopResult.PairResult::oneWayNs).min().orElse(Double.NaN);
            out.add("vCPU " + others + (cpus.size() > 2 ? " are" : " is") + " stacked with vCPU " + first
                    + ": they share one physical CPU and never run at the same time"
                    + (Double.isNaN(handoff) ? " (no cache-line handoff completed)"
                    : " (cache-line handoff " + Units.duration(handoff) + ")"));
            return;
        }
        for (VtopResult.Group c : g.children()) {
            stackedGroups(c, out, vtop);
        }
    }

    static String words(Relation r) {
        return switch (r) {
            case STACKED -> "stacked on one physical CPU";
            case SMT -> "SMT siblings";
            case SAME_SOCKET -> "cores of one socket";
            case CROSS_SOCKET -> "on different sockets";
            case UNKNOWN -> "of unknown relation";
        };
    }

    private static String allClear(ProbeReport r) {
        List<String> parts = new ArrayList<>();
        int n = r.options().cpus().size();
        if (!r.vcap().isEmpty() || !r.vact().isEmpty()) {
            parts.add("all " + n + " vCPUs ran at least " + Units.percent(NOTABLE_TIMESHARE) + " of the time");
        }
        if (r.vtop() != null) {
            parts.add("none is stacked and the topology matches what the guest kernel believes");
        }
        String s = String.join("; ", parts);
        return s.isEmpty() ? "Nothing notable." : Character.toUpperCase(s.charAt(0)) + s.substring(1) + ".";
    }
}
