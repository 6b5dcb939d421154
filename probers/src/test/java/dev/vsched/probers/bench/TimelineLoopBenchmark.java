package dev.vsched.probers.bench;

import dev.vsched.probers.timeline.VcpuTimeline;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of one timeline iteration (work chunk + timestamp + compare) against the work chunk alone: the
 * difference is what the probe's own bookkeeping adds to each measured interval.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TimelineLoopBenchmark {
    long x = 0x9E3779B97F4A7C15L;
    long prev = System.nanoTime();
    long loop;

    @Benchmark
    public long chunkOnly() {
        x = VcpuTimeline.work(x);
        return x;
    }

    @Benchmark
    public long chunkWithTimestamp() {
        x = VcpuTimeline.work(x);
        long now = System.nanoTime();
        long d = now - prev;
        if (d <= 2_000) {
            loop += d;
        }
        prev = now;
        return x ^ loop;
    }
}
