package dev.vsched.eval;

import dev.vsched.vm.GuestRunner;
import dev.vsched.vm.QemuVm;
import dev.vsched.vm.VmFailure;
import dev.vsched.vm.VmImages;
import dev.vsched.vm.VmRun;
import dev.vsched.vm.VmSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Boots the eval image once per experiment and runs the workload under every arm (default, vsched and
 * whatever peers the guest runs), the order rotating, then writes a markdown report with plots next to
 * it (and prints the report).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "vsched vs the default scheduler (and peers), side by side in one guest boot per experiment.")
public final class Compare implements Callable<Integer> {

    /** The experiments file in the repository: today's experiments and layouts. */
    static final String DEFAULT_FILE = "eval/experiments.conf";

    /** --quick: the experiments marked quick = yes, with these unless given. */
    static final int QUICK_ROUNDS = 3;
    static final int QUICK_SECONDS = 5;
    static final String QUICK_SCHED = "loader";

    @Option(names = "--experiment", split = ",",
            description = "Experiments to run (default: every one in the files; --quick: those marked quick).")
    List<String> experiments;

    @Option(names = "--experiments", paramLabel = "FILE",
            description = "An experiments file whose layouts and experiments add to " + DEFAULT_FILE + ".")
    List<Path> experimentFiles = new ArrayList<>();

    @Option(names = "--quick", description = "A small subset meant to finish in under 10 minutes: the experiments"
            + " marked quick, " + QUICK_ROUNDS + " rounds of " + QUICK_SECONDS + " s, vsched = " + QUICK_SCHED
            + " (each overridable).")
    boolean quick;

    @Option(names = "--rounds", description = "Rounds; each runs the workload once per arm (default 3).")
    Integer rounds;

    @Option(names = "--seconds", description = "Seconds per workload run (default 20).")
    Integer seconds;

    @Option(names = "--sched",
            description = "vsched arm: agent (vsched agent in sched_ext mode, default) or loader (the bare scheduler).")
    String sched;

    @Option(names = "--settle", defaultValue = "0",
            description = "Seconds vsched runs before each of its workload runs, so that the agent is past its"
                    + " start-up (JIT, first probes) as a long-running daemon would be (${DEFAULT-VALUE}).")
    int settle;

    @Option(names = "--arms", split = ",",
            description = "Arms the guest runs, passed as vsched.arms (e.g. default,vsched,scx_simple,scx_central);"
                    + " default: the guest's own choice. The report reads the arms from the guest's runs.txt.")
    List<String> arms;

    @Option(names = "--accel", defaultValue = "auto",
            description = "tcg, kvm, or auto: KVM if a probe boot under /dev/kvm reaches the guest's /init (${DEFAULT-VALUE}).")
    String accel;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the bootstrap intervals (${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--series", defaultValue = "7.2", description = "Guest kernel series (needs sched_ext).")
    String series;

    @Option(names = "--out", defaultValue = "eval/target/compare.md",
            description = "Markdown report; the plots go next to it.")
    Path out;

    private CommandLine.ParameterException bad(String msg) {
        return new CommandLine.ParameterException(new CommandLine(this), msg);
    }

    /** The experiments to run, from the repository's file and any given with --experiments. */
    List<Experiment> chosen(Path repoRoot) throws IOException {
        ExperimentFile f = new ExperimentFile();
        try {
            f.read(repoRoot.resolve(DEFAULT_FILE));
            for (Path p : experimentFiles) {
                f.read(p);
            }
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw bad("no experiments file " + e.getFile());
        }
        List<Experiment> chosen = new ArrayList<>();
        if (experiments == null) {
            f.experiments().stream().filter(e -> !quick || e.quick()).forEach(chosen::add);
        } else {
            for (String e : experiments) {
                try {
                    chosen.add(f.experiment(e.strip()));
                } catch (IllegalArgumentException ex) {
                    throw bad(ex.getMessage());
                }
            }
        }
        if (chosen.isEmpty()) {
            throw bad("no experiment to run" + (quick ? " (none is marked quick = yes)" : ""));
        }
        return chosen;
    }

    @Override
    public Integer call() throws Exception {
        rounds = Objects.requireNonNullElse(rounds, quick ? QUICK_ROUNDS : 3);
        seconds = Objects.requireNonNullElse(seconds, quick ? QUICK_SECONDS : 20);
        sched = Objects.requireNonNullElse(sched, quick ? QUICK_SCHED : "agent");
        if (rounds < 1 || rounds > 50) {
            throw bad("--rounds " + rounds + " outside 1..50");
        }
        if (seconds < 5 || seconds > 600) {
            throw bad("--seconds " + seconds + " outside 5..600");
        }
        if (settle < 0 || settle > 600) {
            throw bad("--settle " + settle + " outside 0..600");
        }
        if (!sched.equals("agent") && !sched.equals("loader")) {
            throw bad("--sched '" + sched + "' is neither agent nor loader");
        }
        if (arms != null && !arms.contains(GuestRun.DEFAULT)) {
            throw bad("--arms " + arms + " lacks 'default': every ratio is to the default scheduler");
        }
        AccelChoice.Mode mode;
        try {
            mode = AccelChoice.Mode.parse(accel);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        VmImages images = VmImages.locate();
        List<Experiment> chosen = chosen(images.repoRoot());
        AccelChoice.Choice choice = new AccelChoice(mode, () -> AccelChoice.probe(images, series)).choice();
        System.err.println("compare: accelerator " + choice.describe());
        int armCount = arms == null ? 2 : arms.size();
        int vschedArms = arms == null ? 1 : (int) arms.stream().filter(a -> a.startsWith("vsched")).count();
        Report report = new Report(Instant.now(), images.kernelVersion(series) + " (" + series + ")",
                choice.describe(), rounds, seconds, Report.vschedDescription(sched, settle), seed);
        boolean ok = true;
        for (Experiment e : chosen) {
            Duration hard = e.timeout(rounds, seconds, settle, armCount, vschedArms);
            System.err.println("compare: " + e.name() + " (" + rounds + " rounds x " + armCount + " arms x " + seconds
                    + " s; at most " + Progress.human(hard) + ")");
            // the guest's /init stops the script a minute and a half before the harness would kill
            // QEMU, so the runs that completed still come back
            Map<String, String> params = new LinkedHashMap<>(e.params(rounds, seconds, sched, settle));
            params.put("timeout", Long.toString(hard.toSeconds() - 90));
            if (arms != null) {
                params.put("arms", String.join(",", arms));
            }
            VmSpec spec = VmSpec.ofEval(images, series, "sched-compare", e.vcpus(), hard).withParams(params)
                    .withAccel(choice.accel());
            spec = e.layout().host() == null ? spec.withTcg(VmSpec.Tcg.MULTI) : spec.withLayout(e.layout().hostLayout());
            Duration perRun = Duration.ofSeconds(seconds + 30L + (sched.equals("agent") ? 60L : 0L));
            try {
                VmRun run = GuestRunner.run(spec, GuestRunner.DEFAULT_INT3_RETRIES,
                        vm -> watch(vm, e.name(), armCount, perRun));
                String boot = "Boot took " + run.elapsed().toSeconds() + " s, attempt " + run.attempt() + ", guest rc "
                        + run.result().rc().orElse(-1) + ", " + spec.accelDescription() + ".";
                ok &= read(e, run, boot, report);
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

    /**
     * Adds what one boot gave to the report: the comparison of its whole rounds (with the reason if an
     * arm did not attach), or why there is none. True if the experiment ran in full.
     */
    private boolean read(Experiment e, VmRun run, String boot, Report report) throws IOException {
        GuestRun.Runs runs;
        try {
            runs = GuestRun.read(run.result(), seconds);
        } catch (IllegalArgumentException ex) {
            report.failed(e, ex.getMessage() + "\n" + run.describe());
            return false;
        }
        String failure = runs.startFailure().orElse(null);
        int n = arms == null ? Comparison.armsOf(runs.runs()).size() : arms.size();
        boolean ok = failure == null && run.result().rc().orElse(-1) == 0;
        // a guest running several workloads (run.txt names each run's): one section per workload
        for (Map.Entry<String, List<GuestRun>> w : Comparison.byWorkload(runs.runs()).entrySet()) {
            Experiment part = w.getKey() == null ? e : new Experiment(e.name() + "/" + w.getKey(), e.what(),
                    e.layout(), List.of(w.getKey()), e.threads(), e.params(), e.timeoutSeconds(), e.quick());
            List<GuestRun> whole = Comparison.wholeRounds(w.getValue(), n);
            try {
                if (whole.isEmpty()) {
                    throw new IllegalArgumentException("no whole round of " + n + " arms");
                }
                Comparison c = new Comparison(whole, arms, seed);
                report.add(part, boot, c, failure, Report.plots(out, part.name().replace('/', '-'), c));
                ok &= c.runs().size() == w.getValue().size() && c.rounds() == rounds;
            } catch (IllegalArgumentException ex) {
                // the reason an arm did not attach says more than "only the default arm ran"
                report.failed(part, (failure != null ? failure + "\n" : "") + ex.getMessage() + "\n" + run.describe());
                ok = false;
            }
        }
        if (runs.runs().isEmpty()) {
            report.failed(e, (failure != null ? failure : "the guest listed no run") + "\n" + run.describe());
            ok = false;
        }
        return ok;
    }

    /**
     * While the guest runs: a progress line on stderr each time the console shows a new run start; a
     * guest that prints none (a sched-compare.sh older than its progress line) gets a line a minute.
     */
    private void watch(QemuVm vm, String experiment, int armCount, Duration perRun) throws InterruptedException {
        int seen = 0;
        long firstStart = 0;
        long t0 = System.nanoTime();
        long lastBeat = t0;
        while (!vm.exitsWithin(Duration.ofSeconds(5))) {
            if (seen == 0 && System.nanoTime() - lastBeat > Duration.ofMinutes(1).toNanos()) {
                lastBeat = System.nanoTime();
                System.err.println("compare: " + experiment + " running for " + Progress.human(Duration.ofNanos(
                        lastBeat - t0)) + ", at most " + Progress.human(vm.remaining()) + " left (no run has"
                        + " started on the console yet)");
            }
            String console;
            try {
                console = Files.exists(vm.consoleLog()) ? Files.readString(vm.consoleLog(), StandardCharsets.ISO_8859_1) : "";
            } catch (IOException ex) {
                continue;
            }
            List<Progress.Start> starts = Progress.starts(console);
            if (starts.size() > seen) {
                if (seen == 0) {
                    firstStart = System.nanoTime();
                }
                seen = starts.size();
                System.err.println(Progress.line(experiment, starts, rounds, rounds * armCount,
                        Duration.ofNanos(System.nanoTime() - firstStart), perRun));
            }
        }
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
