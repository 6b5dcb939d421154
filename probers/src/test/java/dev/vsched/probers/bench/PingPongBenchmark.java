package dev.vsched.probers.bench;

import dev.vsched.probers.vtop.PairMeasurement;
import dev.vsched.probers.vtop.PingPong;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Wall time of one vTOP pair measurement (target: at most 50 ms) between vCPUs 0 and 1, with the
 * measured one-way transfer time reported beside it as a secondary result.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PingPongBenchmark {
    @Param({"20"})
    public long windowMs;

    PingPong prober;

    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Transfer {
        /** Sum of one-way ns over invocations; divide by the op count for the mean. */
        public double oneWayNsSum;
        public long roundTrips;
    }

    @Setup(Level.Trial)
    public void setUp() {
        prober = new PingPong(TimeUnit.MILLISECONDS.toNanos(windowMs));
        PingPong.warmUp(50_000_000L);
    }

    @Benchmark
    public PairMeasurement onePair(Transfer t) {
        PairMeasurement m = prober.probe(List.of(new int[] {0, 1})).getFirst();
        t.oneWayNsSum += m.oneWayNs();
        t.roundTrips += m.roundTrips();
        return m;
    }
}
