package dev.vsched.probers.probe;

import dev.vsched.probers.proc.CpuList;
import dev.vsched.probers.proc.GuestTopology;
import dev.vsched.probers.proc.ProcStat;
import dev.vsched.probers.proc.SchedExtSysfs;
import dev.vsched.probers.report.HostInfo;
import dev.vsched.probers.report.ProbeOptions;
import dev.vsched.probers.report.ProbeReport;
import dev.vsched.probers.report.Verdict;
import dev.vsched.probers.sys.NativeCallException;
import dev.vsched.probers.timeline.ClassifiedTimeline;
import dev.vsched.probers.timeline.GapThreshold;
import dev.vsched.probers.timeline.TimelineSample;
import dev.vsched.probers.timeline.VcpuTimeline;
import dev.vsched.probers.vact.VactResult;
import dev.vsched.probers.vcap.CapacityModel;
import dev.vsched.probers.vcap.VcapResult;
import dev.vsched.probers.vtop.PingPong;
import dev.vsched.probers.vtop.TopologyProber;
import dev.vsched.probers.vtop.VtopResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One probe of this VM: the vCAP/vACT timeline on all chosen vCPUs at once, then vTOP, then the report.
 * The timeline threads start together behind a gate so every vCPU is measured over the same wall window.
 * A vCPU that cannot be used (offline at start, or lost mid-probe) is reported unavailable; the rest completes.
 * Nothing outside the probe's own threads is changed, so there is nothing to restore.
 * What it finds is a {@link ProbeReport}; rendering it is the {@code report} package's job.
 */
public final class ProbeSession {
    static final long TIMELINE_CALIBRATION_NS = 50_000_000L;
    static final long VTOP_WARMUP_NS = 20_000_000L;
    /** When only vTOP runs, a short timeline pass still calibrates the stacked threshold. */
    static final long CALIBRATION_DURATION_NS = 200_000_000L;

    private final ProbeOptions options;
    private final ProgressListener progress;

    /** Receives progress as the probe runs (the CLI draws it on a terminal). */
    public interface ProgressListener {
        void phase(String description, long expectedNs);

        void message(String text);

        ProgressListener NONE = new ProgressListener() {
            @Override
            public void phase(String description, long expectedNs) {
            }

            @Override
            public void message(String text) {
            }
        };
    }

    public ProbeSession(ProbeOptions options, ProgressListener progress) {
        this.options = options;
        this.progress = progress;
    }

    /**
     * Checks the requested vCPUs against the online ones. Throws {@link IllegalArgumentException} naming
     * the first one that is not online.
     */
    public static void checkOnline(List<Integer> cpus, GuestTopology guest) {
        for (int cpu : cpus) {
            if (!guest.online().get(cpu)) {
                throw new IllegalArgumentException("vCPU " + cpu + " is not online (online: "
                        + CpuList.format(guest.online()) + ")");
            }
        }
    }

    public ProbeReport run() throws IOException, InterruptedException {
        Instant started = Instant.now();
        GuestTopology guest = GuestTopology.read();
        checkOnline(options.cpus(), guest);

        Map<Integer, String> unavailable = new LinkedHashMap<>();
        boolean measures = options.runs(ProbeOptions.Prober.VCAP) || options.runs(ProbeOptions.Prober.VACT);
        long window = measures ? options.durationNs() : CALIBRATION_DURATION_NS;
        progress.phase(measures ? "vCAP/vACT timeline" : "timeline calibration", window);
        ProcStat before = ProcStat.readOrNull();
        List<TimelineSample> samples = runTimelines(options.cpus(), window, unavailable);
        ProcStat after = ProcStat.readOrNull();

        List<TimelineSample> good = samples.stream().filter(TimelineSample::available).toList();
        GapThreshold threshold = GapThreshold.derive(good);
        List<ClassifiedTimeline> classified = good.stream().map(s -> ClassifiedTimeline.classify(s, threshold))
                .toList();

        List<VcapResult> vcap = List.of();
        if (options.runs(ProbeOptions.Prober.VCAP)) {
            vcap = CapacityModel.compute(classified, stealFractions(before, after, good));
        }
        List<VactResult> vact = List.of();
        if (options.runs(ProbeOptions.Prober.VACT)) {
            vact = classified.stream().map(VactResult::of).toList();
        }

        VtopResult vtop = null;
        if (options.runs(ProbeOptions.Prober.VTOP)) {
            List<Integer> live = options.cpus().stream().filter(c -> !unavailable.containsKey(c)).toList();
            if (live.size() >= 2) {
                progress.phase("vTOP ping-pong", (long) live.size() * (live.size() - 1) / 2 * options.pairWindowNs());
                PingPong.warmUp(VTOP_WARMUP_NS);
                vtop = new TopologyProber(new PingPong(options.pairWindowNs()), threshold.handoffNs(),
                        progress::message).probe(live, guest);
                for (VtopResult.Unavailable u : vtop.unavailable()) {
                    unavailable.putIfAbsent(u.cpu(), u.reason());
                }
            } else {
                progress.message("vTOP needs at least two available vCPUs; skipped");
            }
        }
        progress.phase("done", 0);
        HostInfo host = readHost(guest);
        ProbeReport report = new ProbeReport(ProbeReport.SCHEMA, started, host, options, threshold, vcap, vact,
                vtop, unavailable, List.of());
        return report.withVerdict(Verdict.of(report));
    }

    private List<TimelineSample> runTimelines(List<Integer> cpus, long durationNs, Map<Integer, String> unavailable)
            throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(cpus.size());
        CountDownLatch go = new CountDownLatch(1);
        List<FutureTask<TimelineSample>> tasks = new ArrayList<>();
        for (int cpu : cpus) {
            VcpuTimeline timeline = new VcpuTimeline(cpu, options.mode());
            FutureTask<TimelineSample> task = new FutureTask<>(() -> {
                long floor;
                try {
                    timeline.prepare();
                    floor = timeline.calibrate(TIMELINE_CALIBRATION_NS);
                } finally {
                    ready.countDown();
                }
                go.await();
                return timeline.run(durationNs, floor);
            });
            Thread.ofPlatform().name("vsched-timeline-" + cpu).daemon().start(task);
            tasks.add(task);
        }
        ready.await();
        go.countDown();
        List<TimelineSample> out = new ArrayList<>();
        long deadline = System.nanoTime() + durationNs + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < cpus.size(); i++) {
            int cpu = cpus.get(i);
            try {
                TimelineSample s = tasks.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (!s.available()) {
                    unavailable.put(cpu, s.lostCpu());
                }
                out.add(s);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                String why = cause instanceof NativeCallException n
                        ? "cannot run on vCPU " + cpu + ": " + n.getMessage()
                        : "probe thread for vCPU " + cpu + " failed: " + cause;
                unavailable.put(cpu, why);
            } catch (TimeoutException e) {
                tasks.get(i).cancel(true);
                unavailable.put(cpu, "probe thread for vCPU " + cpu + " did not finish within 30 s of its window");
            }
        }
        return out;
    }


    static Map<Integer, Double> stealFractions(ProcStat before, ProcStat after, List<TimelineSample> samples) {
        Map<Integer, Double> out = new HashMap<>();
        for (TimelineSample s : samples) {
            double f = ProcStat.stealFraction(before, after, s.cpu(), s.wallNs());
            if (f >= 0) {
                out.put(s.cpu(), f);
            }
        }
        return out;
    }

    /** Facts about the machine for the report header. */
    static HostInfo readHost(GuestTopology guest) {
        List<Integer> online = new ArrayList<>();
        BitSet on = guest.online();
        for (int c = on.nextSetBit(0); c >= 0; c = on.nextSetBit(c + 1)) {
            online.add(c);
        }
        return new HostInfo(firstLine(Path.of("/proc/sys/kernel/osrelease")),
                firstLine(Path.of("/proc/sys/kernel/hostname")), online,
                SchedExtSysfs.present());
    }

    private static String firstLine(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
