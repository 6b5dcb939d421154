package dev.vsched.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vsched.agent.backend.Backend;
import dev.vsched.agent.backend.Round;
import dev.vsched.agent.rwc.UsablePlan;
import dev.vsched.agent.status.StatusServer;
import dev.vsched.probers.continuous.ContinuousProber;
import dev.vsched.probers.vtop.VtopResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The agent's status document, schema {@value StatusServer#SCHEMA} (documented in guest-agent/README.md): mode,
 * per-vCPU state, topology, RWC plan, and the probe's own CPU cost.
 */
final class AgentStatus {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AgentStatus() {
    }

    /** What does not change while the agent runs. */
    record Info(long pid, Instant started, List<Integer> cpus, boolean rwcEnabled, List<String> repaired) {
    }

    /** Renders the last round's view; {@code probeCpuNs} is the probers' CPU time so far. */
    static String render(Info info, AgentView view, long probeCpuNs) {
        Backend backend = view.backend();
        Round r = view.round();
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", StatusServer.SCHEMA);
        root.put("pid", info.pid());
        root.put("mode", backend.mode().name().toLowerCase(java.util.Locale.ROOT));
        root.put("started_at", info.started().toString());
        long uptimeNs = Duration.between(info.started(), Instant.now()).toNanos();
        root.put("uptime_s", uptimeNs / 1_000_000_000L);
        root.put("rwc_backend", backend.name());
        ArrayNode rep = root.putArray("repaired_at_start");
        info.repaired().forEach(rep::add);
        ContinuousProber.Snapshot s = r == null ? null : r.probe();
        root.put("round", s == null ? -1 : s.round());
        // the probe period, or the longer steady one while no vCPU changes
        root.put("probe_cadence_ms", s == null ? 0 : s.cadenceNs() / 1_000_000L);
        root.put("gap_threshold_ns", s == null ? 0 : s.threshold().thresholdNs());
        // false: only a floor multiple so far, and vTOP waits for a measured one
        root.put("gap_threshold_measured", s != null && s.threshold().measured());
        root.put("probe_cpu_fraction", uptimeNs > 0 ? Math.round(1e6 * probeCpuNs / uptimeNs) / 1e6 : 0);
        UsablePlan plan = r == null ? null : r.plan();
        ObjectNode rwc = root.putObject("rwc");
        rwc.put("enabled", info.rwcEnabled());
        rwc.put("usable", plan == null ? null : plan.usableList());
        rwc.put("applied", backend.applied());
        rwc.put("plan_changes", view.planChanges());
        rwc.put("last_problem", view.lastProblem());
        root.set("scheduler", scheduler(view));
        ArrayNode vcpus = root.putArray("vcpus");
        for (int cpu : info.cpus()) {
            ObjectNode v = vcpus.addObject();
            v.put("cpu", cpu);
            Round.Vcpu rv = r == null ? null : r.vcpus().stream().filter(x -> x.cpu() == cpu).findFirst()
                    .orElse(null);
            ContinuousProber.VcpuState st = rv == null ? null : rv.probed();
            if (st == null) {
                // Its SCHED_IDLE probe thread has not had a window yet: the vCPU is busy, not gone.
                v.put("available", true);
                v.putNull("error");
                v.put("fresh", false);
                v.put("sampled", false);
                v.put("usable", plan != null && plan.usable().get(cpu));
                v.put("hidden", hidden(plan, cpu));
                continue;
            }
            v.put("sampled", true);
            v.put("available", st.available());
            v.put("error", st.error());
            v.put("fresh", st.fresh());
            // what the agent acts on; the probe's own estimate and vACT's share under load beside it
            v.put("capacity", rv.capacity());
            v.put("probed_capacity", st.smoothedCapacity());
            v.put("last_capacity", st.capacity());
            OptionalDouble load = rv.loadShare();
            if (load.isPresent()) {
                v.put("load_share", Math.round(load.getAsDouble() * 10_000) / 10_000.0);
            } else {
                v.putNull("load_share");
            }
            v.put("timeshare", Math.round(st.timeshare() * 10_000) / 10_000.0);
            v.put("speed", Math.round(st.speed() * 10_000) / 10_000.0);
            v.put("inactive_p99_ns", st.inactive().p99());
            v.put("inactive_count", st.inactive().count());
            v.put("usable", plan != null && plan.usable().get(cpu));
            v.put("hidden", hidden(plan, cpu));
        }
        VtopResult t = r == null ? null : r.topology();
        ObjectNode topo = root.putObject("topology");
        if (t == null) {
            topo.put("state", "not probed yet");
        } else {
            topo.put("state", t.mode());
            ArrayNode stacked = topo.putArray("stacked_groups");
            r.stacked().forEach(g -> {
                ArrayNode n = stacked.addArray();
                g.forEach(n::add);
            });
            ArrayNode mism = topo.putArray("mismatches");
            for (VtopResult.Mismatch m : t.mismatches()) {
                mism.add(m.a() + "-" + m.b() + " " + m.probed().json() + " (guest: " + m.guest().json() + ")");
            }
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The sched_ext scheduler: null when the agent never attached it; else its sysfs state, counters summed
     * over CPUs, exit info, and why it stopped if the agent fell back.
     */
    private static JsonNode scheduler(AgentView view) {
        Backend.SchedulerState sn = view.backend().scheduler();
        String stopped = view.schedExtStopped();
        if (sn == null && stopped == null) {
            return JSON.nullNode();
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("attached", sn != null);
        o.put("state", sn != null ? sn.state() : null);
        o.put("ops", sn != null ? sn.ops() : null);
        o.put("cpu_cfg_seq", sn != null ? sn.cpuCfgSeq() : 0);
        ObjectNode st = o.putObject("stats");
        if (sn != null) {
            sn.stats().forEach(st::put);
        }
        ObjectNode ex = o.putObject("exit");
        if (sn != null && sn.exit() != null) {
            ex.put("kind", sn.exit().kind());
            ex.put("code", sn.exit().exitCode());
            ex.put("reason", sn.exit().reason());
            ex.put("msg", sn.exit().msg());
        }
        o.put("stopped", stopped);
        return o;
    }

    private static String hidden(UsablePlan plan, int cpu) {
        UsablePlan.Hidden h = plan == null ? null : plan.hidden().get(cpu);
        return h == null ? null : h.why();
    }
}
