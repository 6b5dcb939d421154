package dev.vsched.probers.bench;

import dev.vsched.probers.sys.Threads;
import dev.vsched.probers.timeline.VcpuTimeline;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What light continuous probing costs the VM's own work (target: at most 1% of one vCPU). A CPU-bound
 * loop runs pinned to vCPU 0 while, with {@code probe=light}, a SCHED_IDLE timeline prober cycles on the
 * same vCPU the way the agent runs it (a 100 ms window every second). Compare the two throughputs in one
 * run: their ratio is the overhead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LightModeOverheadBenchmark {
    @Param({"none", "light"})
    public String probe;

    private volatile boolean running;
    private Thread prober;

    @State(Scope.Thread)
    public static class Pinned {
        long x = 0x2545F4914F6CDD1DL;

        @Setup(Level.Trial)
        public void pin() {
            Threads.pin(0, 0);
        }
    }

    @Setup(Level.Trial)
    public void start() {
        if (!"light".equals(probe)) {
            return;
        }
        running = true;
        prober = Thread.ofPlatform().daemon().name("light-prober").start(() -> {
            VcpuTimeline t = new VcpuTimeline(0, VcpuTimeline.Mode.LIGHT);
            t.prepare();
            long floor = t.calibrate(20_000_000L);
            while (running) {
                t.run(100_000_000L, floor);
                try {
                    Thread.sleep(900);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        running = false;
        if (prober != null) {
            prober.interrupt();
            prober.join();
        }
    }

    @Benchmark
    public long work(Pinned p) {
        p.x = VcpuTimeline.work(p.x);
        return p.x;
    }
}
