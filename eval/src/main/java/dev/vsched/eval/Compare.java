package dev.vsched.eval;

import dev.vsched.vm.GuestRunner;
import dev.vsched.vm.HostLayout;
import dev.vsched.vm.VmImages;
import dev.vsched.vm.VmFailure;
import dev.vsched.vm.VmRun;
import dev.vsched.vm.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Boots the eval image once per experiment and runs the workload under the default scheduler and
 * under vsched, alternating, then writes a markdown report (and prints it).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "vsched vs the default scheduler, side by side in one guest boot per experiment.")
public final class Compare implements Callable<Integer> {

    @Option(names = "--experiment", split = ",", defaultValue = "unshaped-cpu,throttled-cpu,stacked-mixed",
            description = "Experiments to run (${DEFAULT-VALUE}).")
    List<String> experiments;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds; each runs the workload once per scheduler.")
    int rounds;

    @Option(names = "--seconds", defaultValue = "20", description = "Seconds per workload run.")
    int seconds;

    @Option(names = "--sched", defaultValue = "agent",
            description = "vsched side: agent (vsched agent in sched_ext mode) or loader (the bare scheduler).")
    String sched;

    @Option(names = "--settle", defaultValue = "0",
            description = "Seconds vsched runs before each of its workload runs, so that the agent is past its"
                    + " start-up (JIT, first probes) as a long-running daemon would be (${DEFAULT-VALUE}).")
    int settle;

    @Option(names = "--series", defaultValue = "7.2", description = "Guest kernel series (needs sched_ext).")
    String series;

    @Option(names = "--out", defaultValue = "eval/target/compare.md", description = "Markdown report.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || rounds > 20) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--rounds " + rounds + " outside 1..20");
        }
        if (seconds < 5 || seconds > 600) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--seconds " + seconds + " outside 5..600");
        }
        if (settle < 0 || settle > 600) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--settle " + settle + " outside 0..600");
        }
        if (!sched.equals("agent") && !sched.equals("loader")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--sched '" + sched
                    + "' is neither agent nor loader");
        }
        List<Experiment> chosen = new ArrayList<>();
        for (String e : experiments) {
            try {
                chosen.add(Experiment.named(e.strip()));
            } catch (IllegalArgumentException ex) {
                throw new CommandLine.ParameterException(new CommandLine(this), ex.getMessage());
            }
        }
        VmImages images = VmImages.locate();
        Report report = new Report(Instant.now(), series, images.kernelVersion(series), rounds, seconds, sched,
                settle);
        boolean ok = true;
        for (Experiment e : chosen) {
            System.err.println("compare: " + e.name() + " (" + rounds + " rounds x 2 x " + seconds + " s)");
            Duration hard = e.timeout(rounds, seconds, settle);
            // the guest's /init stops the script a minute and a half before the harness would kill
            // QEMU, so the runs that completed still come back
            Map<String, String> params = new LinkedHashMap<>(e.params(rounds, seconds, sched, settle));
            params.put("timeout", Long.toString(hard.toSeconds() - 90));
            VmSpec spec = VmSpec.ofEval(images, series, "sched-compare", e.vcpus(), hard).withParams(params);
            spec = e.layout() == null ? spec.withTcg(VmSpec.Tcg.MULTI)
                    : spec.withLayout(HostLayout.parse(e.name(), e.layout()));
            try {
                VmRun run = GuestRunner.run(spec);
                try {
                    List<GuestRun> runs = GuestRun.read(run.result(), seconds);
                    Comparison c = new Comparison(Comparison.wholeRounds(runs));
                    report.add(e, run, c);
                    ok &= run.result().rc().orElse(-1) == 0 && c.runs().size() == runs.size() && c.rounds() == rounds;
                } catch (IllegalArgumentException ex) {
                    report.failed(e, ex.getMessage() + "\n" + run.describe());
                    ok = false;
                }
            } catch (VmFailure ex) {
                report.failed(e, ex.getMessage());
                ok = false;
            }
            write(report); // after each experiment: a later failure loses nothing
        }
        System.out.print(report.markdown());
        System.err.println("compare: report in " + out);
        return ok ? 0 : 1;
    }

    private void write(Report report) throws IOException {
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, report.markdown());
    }

    public static void main(String[] args) throws IOException {
        System.exit(new CommandLine(new Compare()).execute(args));
    }
}
