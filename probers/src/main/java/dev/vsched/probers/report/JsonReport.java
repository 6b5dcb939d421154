package dev.vsched.probers.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vsched.probers.stats.LatencySummary;
import dev.vsched.probers.vact.VactResult;
import dev.vsched.probers.vcap.VcapResult;
import dev.vsched.probers.vtop.Calibration;
import dev.vsched.probers.vtop.VtopResult;
import java.util.Optional;

/**
 * Renders a {@link ProbeReport} as the versioned {@value ProbeReport#SCHEMA} JSON document described in
 * guest-agent/README.md. The tree is built field by field so the schema is visible here and no Java
 * rename changes it by accident.
 */
public final class JsonReport {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    public static String render(ProbeReport r) {
        try {
            return MAPPER.writeValueAsString(tree(r));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise probe report", e);
        }
    }

    public static ObjectNode tree(ProbeReport r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schema", r.schema());
        root.put("generated_at", r.generatedAt().toString());
        ObjectNode host = root.putObject("host");
        host.put("kernel", r.host().kernel());
        host.put("hostname", r.host().hostname());
        ArrayNode online = host.putArray("online_cpus");
        r.host().onlineCpus().forEach(online::add);
        host.put("sched_ext", r.host().schedExt());

        ObjectNode config = root.putObject("config");
        config.put("duration_ms", r.options().durationNs() / 1_000_000);
        config.put("pair_window_ms", r.options().pairWindowNs() / 1_000_000);
        config.put("mode", r.options().mode().name().toLowerCase(java.util.Locale.ROOT));
        ArrayNode cpus = config.putArray("cpus");
        r.options().cpus().forEach(cpus::add);
        ArrayNode probers = config.putArray("probers");
        r.options().probers().forEach(p -> probers.add(p.json()));

        ArrayNode vcpus = root.putArray("vcpus");
        for (int cpu : r.options().cpus()) {
            ObjectNode v = vcpus.addObject();
            v.put("cpu", cpu);
            String why = r.unavailable().get(cpu);
            v.put("available", why == null);
            if (why == null) {
                v.putNull("error");
            } else {
                v.put("error", why);
            }
            Optional<VcapResult> cap = r.vcap(cpu);
            if (cap.isPresent()) {
                VcapResult c = cap.get();
                ObjectNode o = v.putObject("vcap");
                o.put("timeshare", round4(c.timeshare()));
                o.put("speed", round4(c.speed()));
                o.put("capacity", c.capacity());
                o.put("straggler", c.straggler());
                o.put("steal_fraction", round4(c.stealFraction()));
                o.put("wall_ns", c.wallNs());
                o.put("active_ns", c.activeNs());
            } else {
                v.putNull("vcap");
            }
            Optional<VactResult> act = r.vact(cpu);
            if (act.isPresent()) {
                VactResult a = act.get();
                ObjectNode o = v.putObject("vact");
                o.put("active_fraction", round4(a.activeFraction()));
                o.put("preemptions_per_s", round4(a.preemptionsPerSecond()));
                o.put("gap_threshold_ns", a.gapThresholdNs());
                o.put("tick_noise_ns", a.tickNoiseNs());
                latency(o.putObject("inactive_ns"), a.inactive());
                o.put("guest_preemptions", a.guestPreemptions());
            } else {
                v.putNull("vact");
            }
        }

        if (r.vtop() == null) {
            root.putNull("vtop");
        } else {
            vtop(root.putObject("vtop"), r.vtop());
        }
        ArrayNode verdict = root.putArray("verdict");
        r.verdict().forEach(verdict::add);
        return root;
    }

    private static void vtop(ObjectNode o, VtopResult t) {
        o.put("mode", t.mode());
        o.put("probed_pairs", t.probedPairs());
        o.put("elapsed_ns", t.elapsedNs());
        Calibration c = t.thresholds();
        ObjectNode th = o.putObject("thresholds_ns");
        th.put("stacked", c.stackedNs());
        th.put("smt", c.smtNs());
        th.put("same_socket", c.sameSocketNs());
        ArrayNode pairs = o.putArray("pairs");
        for (VtopResult.PairResult p : t.pairs()) {
            ObjectNode n = pairs.addObject();
            n.put("a", p.a());
            n.put("b", p.b());
            n.put("relation", p.relation().json());
            if (Double.isNaN(p.oneWayNs())) {
                n.putNull("one_way_ns");
            } else {
                n.put("one_way_ns", Math.round(p.oneWayNs() * 10) / 10.0);
            }
            n.put("inferred", p.inferred());
        }
        group(o.putArray("groups").addObject(), t.root());
        ArrayNode guest = o.putArray("guest_view");
        for (VtopResult.GuestPair g : t.guestView()) {
            ObjectNode n = guest.addObject();
            n.put("a", g.a());
            n.put("b", g.b());
            n.put("relation", g.relation().json());
        }
        ArrayNode mism = o.putArray("mismatches");
        for (VtopResult.Mismatch m : t.mismatches()) {
            ObjectNode n = mism.addObject();
            n.put("a", m.a());
            n.put("b", m.b());
            n.put("probed", m.probed().json());
            n.put("guest", m.guest().json());
        }
    }

    private static void group(ObjectNode o, VtopResult.Group g) {
        o.put("level", g.level());
        ArrayNode cpus = o.putArray("cpus");
        g.cpus().forEach(cpus::add);
        ArrayNode children = o.putArray("children");
        for (VtopResult.Group c : g.children()) {
            group(children.addObject(), c);
        }
    }

    private static void latency(ObjectNode o, LatencySummary s) {
        o.put("count", s.count());
        o.put("p50", s.p50());
        o.put("p95", s.p95());
        o.put("p99", s.p99());
        o.put("max", s.max());
        o.put("total", s.total());
    }

    private static double round4(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
