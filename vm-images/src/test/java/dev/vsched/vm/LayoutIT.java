package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.proc.CpuList;
import dev.vsched.probers.sys.Threads;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The harness's shaping itself, measured without the probers: busy loops on every vCPU at once
 * (guest-tests/spin-rates.sh) must run at the imposed relative rates, and a layout change while the
 * guest runs must reach the host threads and cgroups.
 */
class LayoutIT extends VmTestSupport {

    /**
     * Allowed gap between a vCPU's part of its host CPU (loop count over the counts of all vCPUs
     * pinned there, median over the 1 s intervals) and its imposed part of that CPU. What the harness
     * sets is checked exactly beside it (affinity, cgroup, quota: {@link #assertHostState}); this is
     * what the guest sees of it, and that also carries the host machine's own noise. Eight boots when
     * the layout was written gave a worst gap of 0.031; 43 boots on 2026-12-02 (this machine, itself a
     * VM) gave 0.672-0.711 for vCPU 0 (imposed 0.70; 0.619 with a Maven build beside it) and
     * 0.404-0.624 for vCPU 2 (imposed 0.50), and CI 0.379, in runs whose host schedstat showed vCPUs 2 and 3 each given 0.49-0.50 of their CPU:
     * a skew the guest sees that the host does not account (per-second host shares are in the failure
     * message). A wrong pin (parts of 1.0) still fails by far; a missing quota (0.50 instead of
     * 0.70) fails here and, exactly, in the quota check.
     */
    static final double SPLIT_TOLERANCE = 0.15;

    /**
     * Allowed relative difference between the two host CPUs' total loop counts: the vCPUs pinned to
     * each saturate it. Measured 0.90-1.00 in the first eight boots (CPU 0 also runs QEMU's main
     * loop), 0.69-1.00 in the 43 of 2026-12-02; a layout leaving a host CPU half idle fails.
     */
    static final double HOST_CPU_BALANCE_TOLERANCE = 0.35;

    @Test
    void busyLoopRatesMatchTheImposedShares() throws Exception {
        HostLayout layout = Layouts.STANDARD;
        VmSpec spec = VmSpec.of(IMAGES, "7.2", "spin-rates", 4, Duration.ofSeconds(120))
                .withParams(Map.of("spin-seconds", "6")).withLayout(layout);
        AtomicReference<HostSeconds> host = new AtomicReference<>();
        VmRun run = GuestRunner.run(spec, GuestRunner.DEFAULT_INT3_RETRIES, vm -> {
            assertHostState(vm, layout);
            host.set(null);
            if (vm.awaitConsole("spin-rates: loops started")) {
                host.set(HostSeconds.measure(vm, 5));
            }
        });
        assertTrue(run.result().passed(), run.describe());
        SortedMap<Integer, long[]> intervals = spinIntervals(run);
        SortedMap<Integer, Double> expected = layout.expectedTimeshare();
        String context = "running counts per second " + describe(intervals) + ", imposed shares " + expected
                + ", host CPU time of each vCPU thread per second " + host.get()
                + "\n" + run.describe();
        int n = intervals.values().stream().mapToInt(c -> c.length).min().orElse(0);
        assertTrue(n >= 4, "fewer than 4 one-second intervals; " + context);
        SortedMap<Integer, Double> perCpuExpected = new TreeMap<>();
        for (int v : expected.keySet()) {
            perCpuExpected.merge(layout.vcpus().get(v).singleCpu(), expected.get(v), Double::sum);
        }
        for (int v : expected.keySet()) {
            int cpu = layout.vcpus().get(v).singleCpu();
            double[] parts = new double[n];
            for (int k = 0; k < n; k++) {
                double all = 0;
                for (int w : expected.keySet()) {
                    if (layout.vcpus().get(w).singleCpu() == cpu) {
                        all += delta(intervals.get(w), k);
                    }
                }
                parts[k] = delta(intervals.get(v), k) / all;
            }
            assertEquals(expected.get(v) / perCpuExpected.get(cpu), median(parts), SPLIT_TOLERANCE,
                    "vCPU " + v + "'s part of host CPU " + cpu + " (median of " + Arrays.toString(parts) + "); "
                            + context);
        }
        SortedMap<Integer, Double> perCpuCount = new TreeMap<>();
        for (int v : expected.keySet()) {
            long[] c = intervals.get(v);
            perCpuCount.merge(layout.vcpus().get(v).singleCpu(), (double) c[n - 1], Double::sum);
        }
        double min = perCpuCount.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = perCpuCount.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertTrue(min / max >= 1 - HOST_CPU_BALANCE_TOLERANCE, "host CPU totals " + perCpuCount + "; " + context);
    }

    private static double delta(long[] running, int k) {
        return running[k] - (k == 0 ? 0 : running[k - 1]);
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String describe(SortedMap<Integer, long[]> intervals) {
        StringBuilder sb = new StringBuilder("{");
        intervals.forEach((v, c) -> sb.append(sb.length() > 1 ? ", " : "").append(v).append('=').append(Arrays.toString(c)));
        return sb.append('}').toString();
    }

    /**
     * Standard layout first, then, 4 s after the guest's loops started, the swapped layout (vCPU 0
     * and 1 move to host CPU 1, neither with a quota). The host side must follow at once, and in the
     * guest vCPU 1's loop rate relative to vCPU 0's must rise from about 0.43 (30% vs 70%; before the
     * switch vCPU 0's part of the two is judged within {@link #SPLIT_TOLERANCE}, as above: CI once saw
     * 0.62 there, a rate of 0.61): the last three seconds' median at least 0.15 above the first
     * three's. (Measured after the switch: 0.66-0.72, once 1.33, not the 1.0 an equal split of host
     * CPU 1 would give; see the README.)
     */
    @Test
    void layoutChangesWhileTheGuestRuns() throws Exception {
        VmSpec spec = VmSpec.of(IMAGES, "7.2", "spin-rates", 4, Duration.ofSeconds(120))
                .withParams(Map.of("spin-seconds", "9")).withLayout(Layouts.STANDARD);
        VmRun run = GuestRunner.run(spec, GuestRunner.DEFAULT_INT3_RETRIES, vm -> {
            assertHostState(vm, Layouts.STANDARD);
            assertTrue(vm.awaitConsole("spin-rates: loops started"), "the guest's loops never started");
            Thread.sleep(4000);
            vm.applyLayout(Layouts.SWAPPED);
            assertHostState(vm, Layouts.SWAPPED);
        });
        assertTrue(run.result().passed(), run.describe());
        SortedMap<Integer, long[]> intervals = spinIntervals(run);
        String context = "running counts per second " + describe(intervals) + "\n" + run.describe();
        long[] v0 = intervals.get(0);
        long[] v1 = intervals.get(1);
        // A loop may miss the last signal before it is stopped: use the intervals both have.
        int n = Math.min(v0.length, v1.length);
        assertTrue(n >= 8, "fewer than 8 intervals; " + context);
        double[] before = new double[3];
        double[] after = new double[3];
        for (int k = 0; k < 3; k++) {
            before[k] = delta(v1, k) / delta(v0, k);
            after[k] = delta(v1, n - 3 + k) / delta(v0, n - 3 + k);
        }
        // vCPU 0's part of host CPU 0 before the switch, judged as in busyLoopRatesMatchTheImposedShares
        double part = 1 / (1 + median(before));
        assertEquals(0.7, part, SPLIT_TOLERANCE, "vCPU 0's part of host CPU 0 before the switch (vCPU 1/vCPU 0 rate "
                + Arrays.toString(before) + "); " + context);
        assertTrue(median(after) >= median(before) + 0.15, "vCPU 1/vCPU 0 rate after the switch "
                + Arrays.toString(after) + " vs before " + Arrays.toString(before) + "; " + context);
    }

    /** What the kernel reports for each vCPU thread: affinity, cgroup membership and quota. */
    private static void assertHostState(QemuVm vm, HostLayout layout) throws IOException {
        for (Map.Entry<Integer, HostLayout.Placement> e : layout.vcpus().entrySet()) {
            int tid = vm.vcpuThreads().get(e.getKey());
            assertEquals(CpuList.format(e.getValue().hostCpus()), CpuList.format(Threads.affinity(tid)),
                    "affinity of vCPU " + e.getKey() + " thread " + tid);
            String group = "vcpu" + e.getKey();
            assertEquals(java.util.List.of(tid), vm.cgroups().threadsIn(group), "threads in cgroup " + group);
            long quota = e.getValue().quotaPercent().isPresent()
                    ? (long) layout.quotaPeriodUs() * e.getValue().quotaPercent().getAsInt() / 100 : -1;
            assertEquals(quota, vm.cgroups().quotaUs(group), "quota of " + group);
        }
        for (int tid : vm.otherThreads()) {
            assertEquals(CpuList.format(layout.restCpus()), CpuList.format(Threads.affinity(tid)),
                    "affinity of QEMU helper thread " + tid);
        }
    }

    /** Running loop counts per vCPU, one per second, from spin-intervals.txt ("cpu=<n> counts=<c1>,<c2>,..."). */
    static SortedMap<Integer, long[]> spinIntervals(VmRun run) {
        SortedMap<Integer, long[]> out = new TreeMap<>();
        for (String line : run.result().text("spin-intervals.txt").orElseThrow().split("\n")) {
            String[] f = line.trim().split("\\s+");
            String counts = f.length > 1 ? f[1].substring("counts=".length()) : "";
            out.put(Integer.parseInt(f[0].substring("cpu=".length())),
                    counts.isEmpty() ? new long[0] : Arrays.stream(counts.split(",")).mapToLong(Long::parseLong).toArray());
        }
        return out;
    }
}
