package dev.vsched.probers.bench;

import dev.vsched.probers.probe.ProbeSession;
import dev.vsched.probers.report.ProbeOptions;
import dev.vsched.probers.report.ProbeReport;
import dev.vsched.probers.timeline.VcpuTimeline;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Wall time of one whole probe round on all online vCPUs: the agent's light round (100 ms timeline, no
 * vTOP) and the default report (1.5 s timeline plus vTOP). The difference from the window is the cost
 * of thread start, pinning, calibration, classification and vTOP.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ProbeRoundBenchmark {
    @Param({"light-100ms", "report-1500ms"})
    public String round;

    @Benchmark
    public ProbeReport oneRound() throws Exception {
        List<Integer> cpus = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            cpus.add(i);
        }
        ProbeOptions o = round.startsWith("light")
                ? new ProbeOptions(cpus, EnumSet.of(ProbeOptions.Prober.VCAP, ProbeOptions.Prober.VACT),
                        100_000_000L, ProbeOptions.DEFAULT_PAIR_WINDOW_NS, VcpuTimeline.Mode.LIGHT)
                : new ProbeOptions(cpus, EnumSet.allOf(ProbeOptions.Prober.class), ProbeOptions.DEFAULT_DURATION_NS,
                        ProbeOptions.DEFAULT_PAIR_WINDOW_NS, VcpuTimeline.Mode.HEAVY);
        return new ProbeSession(o, ProbeSession.ProgressListener.NONE).run();
    }
}
