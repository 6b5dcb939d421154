package dev.vsched.cli;

import dev.vsched.probers.probe.ProbeSession;
import dev.vsched.probers.proc.GuestTopology;
import dev.vsched.probers.report.JsonReport;
import dev.vsched.probers.report.ProbeOptions;
import dev.vsched.probers.report.ProbeReport;
import dev.vsched.probers.report.TextReport;
import dev.vsched.probers.timeline.VcpuTimeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vsched probe}: measure what each vCPU of this VM really is, and report it. */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Probes this VM's vCPUs: capacity (vCAP), activity and vCPU latency (vACT), and hidden topology",
            "(vTOP: stacked vCPUs, SMT siblings, sockets), and prints a report with a plain-words verdict."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every vCPU probed",
            "1:some vCPU went offline or could not be used; the rest is reported",
            "2:bad arguments",
            "3:environment error"})
final class ProbeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the versioned JSON document (schema " + ProbeReport.SCHEMA + ") instead of text.")
    boolean json;

    @Option(names = {"-d", "--duration"}, converter = Converters.Duration.class, paramLabel = "TIME",
            description = "Timeline window for vCAP/vACT, e.g. 1500ms, 3s (default: 1500ms; 50ms to 1h).")
    Long durationNs;

    @Option(names = {"-c", "--cpus"}, converter = Converters.Cpus.class, paramLabel = "LIST",
            description = "vCPUs to probe, kernel list form, e.g. 0-3,6 (default: all online).")
    List<Integer> cpus;

    @Option(names = {"-p", "--probers"}, converter = Converters.Probers.class, paramLabel = "LIST",
            description = "Which probers run: any of vcap,vact,vtop (default: all).")
    Set<ProbeOptions.Prober> probers;

    @Option(names = "--pair-window", converter = Converters.Duration.class, paramLabel = "TIME",
            description = "vTOP ping-pong time per vCPU pair (default: 20ms; 1ms to 10s).")
    Long pairWindowNs;

    @Option(names = "--mode", paramLabel = "MODE",
            description = "heavy: probe threads at normal priority (default); light: SCHED_IDLE, yields to all work.")
    VcpuTimeline.Mode mode = VcpuTimeline.Mode.HEAVY;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the report to FILE instead of standard output.")
    Path output;

    @Override
    public Integer call() throws IOException, InterruptedException {
        GuestTopology guest;
        try {
            guest = GuestTopology.read();
        } catch (IOException e) {
            spec.commandLine().getErr().println("vsched: cannot read the CPU topology from /sys: " + e.getMessage());
            return ExitCodes.ENVIRONMENT;
        }
        List<Integer> chosen = cpus != null ? cpus : online(guest);
        ProbeSession.checkOnline(chosen, guest);
        ProbeOptions options = new ProbeOptions(chosen,
                probers != null ? probers : EnumSet.allOf(ProbeOptions.Prober.class),
                durationNs != null ? durationNs : ProbeOptions.DEFAULT_DURATION_NS,
                pairWindowNs != null ? pairWindowNs : ProbeOptions.DEFAULT_PAIR_WINDOW_NS, mode);
        if (output != null && output.getParent() != null && !Files.isDirectory(output.getParent())) {
            throw new IllegalArgumentException("cannot write " + output + ": " + output.getParent()
                    + " is not a directory");
        }
        ProbeReport report;
        try (TerminalProgress progress = TerminalProgress.forStderr()) {
            report = new ProbeSession(options, progress).run();
        }
        String text = json ? JsonReport.render(report) + "\n" : TextReport.render(report);
        if (output != null) {
            Files.writeString(output, text, StandardCharsets.UTF_8);
        } else {
            PrintWriter out = spec.commandLine().getOut();
            out.print(text);
            out.flush();
        }
        return report.complete() ? ExitCodes.OK : ExitCodes.PARTIAL;
    }

    private static List<Integer> online(GuestTopology guest) {
        List<Integer> out = new ArrayList<>();
        for (int c = guest.online().nextSetBit(0); c >= 0; c = guest.online().nextSetBit(c + 1)) {
            out.add(c);
        }
        return out;
    }
}
