package dev.vsched.probers.report;

import dev.vsched.probers.timeline.GapThreshold;
import dev.vsched.probers.vact.VactResult;
import dev.vsched.probers.vcap.VcapResult;
import dev.vsched.probers.vtop.VtopResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one probe found, before rendering as text ({@link TextReport}) or JSON ({@link JsonReport}).
 *
 * @param unavailable vCPUs that could not be probed (fully or partly), with the reason
 * @param verdict     plain-language findings, most important first
 */
public record ProbeReport(String schema, Instant generatedAt, HostInfo host, ProbeOptions options,
                          GapThreshold gapThreshold, List<VcapResult> vcap, List<VactResult> vact, VtopResult vtop,
                          Map<Integer, String> unavailable, List<String> verdict) {
    /** Version of the JSON schema; bump on any incompatible change (see guest-agent/README.md). */
    public static final String SCHEMA = "vsched.probe/1";

    public ProbeReport withVerdict(List<String> lines) {
        return new ProbeReport(schema, generatedAt, host, options, gapThreshold, vcap, vact, vtop, unavailable,
                List.copyOf(lines));
    }

    public Optional<VcapResult> vcap(int cpu) {
        return vcap.stream().filter(r -> r.cpu() == cpu).findFirst();
    }

    public Optional<VactResult> vact(int cpu) {
        return vact.stream().filter(r -> r.cpu() == cpu).findFirst();
    }

    /** True if every requested vCPU was probed completely. */
    public boolean complete() {
        return unavailable.isEmpty();
    }
}
