package dev.vsched.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vsched.agent.AgentConfig;
import dev.vsched.agent.status.StatusServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vsched status}: what the running agent sees and does. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows the running agent's mode, per-vCPU state, topology and RWC plan.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:status shown", "2:bad arguments", "3:no agent running or it does not answer"})
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the agent's status document (schema " + StatusServer.SCHEMA + ").")
    boolean json;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "The agent's run directory (default: /run/vsched).")
    Path runDir = Path.of(AgentConfig.DEFAULTS.get("agent.run_dir"));

    @Override
    public Integer call() throws Exception {
        String doc = StatusServer.fetch(runDir.resolve(StatusServer.SOCKET));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.print(doc);
            out.flush();
            return ExitCodes.OK;
        }
        JsonNode s = new ObjectMapper().readTree(doc);
        out.printf(Locale.ROOT, "vsched agent (pid %d): mode %s, up %ds, round %d (every %d ms), RWC through %s%n",
                s.get("pid").asLong(), s.get("mode").asText(), s.get("uptime_s").asLong(), s.get("round").asLong(),
                s.path("probe_cadence_ms").asLong(), s.get("rwc_backend").asText());
        JsonNode rwc = s.get("rwc");
        out.printf(Locale.ROOT, "usable vCPUs: %s (applied: %s, %d change(s))%s%n", text(rwc.get("usable")),
                text(rwc.get("applied")), rwc.get("plan_changes").asLong(),
                rwc.get("last_problem").isNull() ? "" : "; last problem: " + rwc.get("last_problem").asText());
        JsonNode sched = s.get("scheduler");
        if (sched != null && !sched.isNull()) {
            StringBuilder line = new StringBuilder("scheduler: ");
            if (sched.get("attached").asBoolean()) {
                line.append(text(sched.get("ops"))).append(' ').append(text(sched.get("state")))
                        .append(", cpu_cfg_seq ").append(sched.get("cpu_cfg_seq").asLong());
                sched.get("stats").properties().forEach(e -> line.append(' ').append(e.getKey()).append('=')
                        .append(e.getValue().asLong()));
            } else {
                line.append("stopped: ").append(text(sched.get("stopped")));
            }
            out.println(line);
        }
        out.printf(Locale.ROOT, "probe cost: %.2f%% of one vCPU; inactivity threshold %d us%s%n",
                100 * s.get("probe_cpu_fraction").asDouble(), s.get("gap_threshold_ns").asLong() / 1000,
                s.path("gap_threshold_measured").asBoolean(true) ? "" : " (not measured yet)");
        out.printf(Locale.ROOT, "%5s %9s %8s %8s %7s %7s %12s  %s%n", "vCPU", "capacity", "ran", "loaded",
                "speed", "usable", "inact p99", "note");
        for (JsonNode v : s.get("vcpus")) {
            if (!v.get("available").asBoolean()) {
                out.printf(Locale.ROOT, "%5d  unavailable: %s%n", v.get("cpu").asInt(), text(v.get("error")));
                continue;
            }
            if (!v.get("sampled").asBoolean()) {
                out.printf(Locale.ROOT, "%5d  not sampled yet (busy vCPU) %7s  %s%n", v.get("cpu").asInt(),
                        v.get("usable").asBoolean() ? "yes" : "no", text(v.get("hidden")));
                continue;
            }
            JsonNode load = v.get("load_share");
            out.printf(Locale.ROOT, "%5d %9d %7.1f%% %8s %7.2f %7s %9.1f ms  %s%n", v.get("cpu").asInt(),
                    v.get("capacity").asInt(), 100 * v.get("timeshare").asDouble(),
                    load == null || load.isNull() ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * load.asDouble()),
                    v.get("speed").asDouble(),
                    v.get("usable").asBoolean() ? "yes" : "no", v.get("inactive_p99_ns").asLong() / 1e6,
                    v.get("hidden").isNull() ? "" : v.get("hidden").asText());
        }
        JsonNode t = s.get("topology");
        out.printf(Locale.ROOT, "topology: %s%s%n", t.get("state").asText(),
                t.has("stacked_groups") && !t.get("stacked_groups").isEmpty()
                        ? "; stacked: " + t.get("stacked_groups") : "");
        out.flush();
        return ExitCodes.OK;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "-" : n.asText();
    }
}
