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
 * Steady-state CPU cost of light continuous probing with the agent's defaults (a short SCHED_IDLE window
 * per vCPU every second, a 50 ms calibration window per vCPU every minute), as a share of one vCPU
 * (target: at most 1%). Each invocation starts the prober, lets its start-up calibration pass (5 s), then
 * measures the CPU its threads consume over the next 60 s (one calibration round included);
 * cpuPermille / ops is the cost in thousandths of one vCPU.
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
    public void steadyMinute(Cost cost) throws Exception {
        List<Integer> cpus = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            cpus.add(i);
        }
        long used;
        long wall;
        try (ContinuousProber p = new ContinuousProber(ContinuousProber.Config.defaults(cpus), s -> { }).start()) {
            Thread.sleep(5_000);
            long cpu0 = p.consumedCpuNs();
            long t0 = System.nanoTime();
            Thread.sleep(60_000);
            used = p.consumedCpuNs() - cpu0;
            wall = System.nanoTime() - t0;
        }
        cost.cpuPermille += 1000.0 * used / wall;
    }
}
