package dev.vsched.probers.bench;

import dev.vsched.probers.continuous.ContinuousProber;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CPU cost of light continuous probing with the agent's defaults (4 ms window per vCPU every second,
 * SCHED_IDLE), as a share of one vCPU (target: at most 1%). Each invocation runs the prober for 10 s and
 * reports the CPU its threads consumed; cpuPermille / ops is the cost in thousandths of one vCPU.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ContinuousCostBenchmark {
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Cost {
        public double cpuPermille;

        @Setup(Level.Iteration)
        public void reset() {
            cpuPermille = 0;
        }
    }

    @Benchmark
    public void tenSeconds(Cost cost) throws Exception {
        List<Integer> cpus = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            cpus.add(i);
        }
        long start = System.nanoTime();
        long used;
        try (ContinuousProber p = new ContinuousProber(ContinuousProber.Config.defaults(cpus), s -> { }).start()) {
            Thread.sleep(10_000);
            used = p.consumedCpuNs();
        }
        cost.cpuPermille += 1000.0 * used / (System.nanoTime() - start);
    }
}
