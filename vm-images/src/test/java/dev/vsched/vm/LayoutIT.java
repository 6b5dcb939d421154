package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.proc.CpuList;
import dev.vsched.probers.sys.Threads;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The harness's shaping itself, measured without the probers: busy loops on every vCPU at once
 * (guest-tests/spin-rates.sh) must run at the imposed relative rates, and a layout change while the
 * guest runs must reach the host threads and cgroups.
 */
class LayoutIT extends VmTestSupport {

    /**
     * Allowed gap between a vCPU's part of its host CPU's loop count and its imposed part of that CPU.
     * Eight boots with the standard layout while other users' builds ran (load average 3.6-6.5) gave
     * vCPU 0 a part of 0.669-0.713 (imposed 0.70) and vCPU 2 0.497-0.504 (imposed 0.50): worst gap 0.031.
     * A missing quota (0.50 instead of 0.70) or a wrong pin (parts of 1.0) fails by far.
     */
    static final double SPLIT_TOLERANCE = 0.05;

    /**
     * Allowed relative difference between the two host CPUs' total loop counts: the vCPUs pinned to
     * each saturate it. Measured 0.90-1.00 in the same eight boots (CPU 0 also runs QEMU's main
     * loop and, here, other users' work); a layout leaving a host CPU half idle fails.
     */
    static final double HOST_CPU_BALANCE_TOLERANCE = 0.15;

    @Test
    void busyLoopRatesMatchTheImposedShares() throws Exception {
        HostLayout layout = Layouts.STANDARD;
        VmSpec spec = VmSpec.of(IMAGES, "7.2", "spin-rates", 4, Duration.ofSeconds(120))
                .withParams(Map.of("spin-seconds", "6")).withLayout(layout);
        VmRun run = GuestRunner.run(spec, GuestRunner.DEFAULT_INT3_RETRIES, vm -> assertHostState(vm, layout));
        assertTrue(run.result().passed(), run.describe());
        SortedMap<Integer, Double> counts = spinCounts(run);
        SortedMap<Integer, Double> expected = layout.expectedTimeshare();
        SortedMap<Integer, Double> perCpuCount = new TreeMap<>();
        SortedMap<Integer, Double> perCpuExpected = new TreeMap<>();
        for (int v : expected.keySet()) {
            int cpu = layout.vcpus().get(v).singleCpu();
            perCpuCount.merge(cpu, counts.get(v), Double::sum);
            perCpuExpected.merge(cpu, expected.get(v), Double::sum);
        }
        String context = "loop counts " + counts + ", imposed shares " + expected + "\n" + run.describe();
        for (int v : expected.keySet()) {
            int cpu = layout.vcpus().get(v).singleCpu();
            assertEquals(expected.get(v) / perCpuExpected.get(cpu), counts.get(v) / perCpuCount.get(cpu),
                    SPLIT_TOLERANCE, "vCPU " + v + "'s part of host CPU " + cpu + "; " + context);
        }
        double min = perCpuCount.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = perCpuCount.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertTrue(min / max >= 1 - HOST_CPU_BALANCE_TOLERANCE, "host CPU totals " + perCpuCount + "; " + context);
    }

    @Test
    void layoutChangesWhileTheGuestRuns() throws Exception {
        VmSpec spec = VmSpec.of(IMAGES, "7.2", "spin-rates", 4, Duration.ofSeconds(120))
                .withParams(Map.of("spin-seconds", "4")).withLayout(Layouts.STANDARD);
        VmRun run = GuestRunner.run(spec, GuestRunner.DEFAULT_INT3_RETRIES, vm -> {
            assertHostState(vm, Layouts.STANDARD);
            Thread.sleep(2000);
            vm.applyLayout(Layouts.SWAPPED);
            assertHostState(vm, Layouts.SWAPPED);
        });
        assertTrue(run.result().passed(), run.describe());
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

    static SortedMap<Integer, Double> spinCounts(VmRun run) {
        SortedMap<Integer, Double> counts = new TreeMap<>();
        for (String line : run.result().text("spin.txt").orElseThrow().split("\n")) {
            // cpu=<n> count=<loops>
            String[] f = line.trim().split("\\s+");
            counts.put(Integer.parseInt(f[0].substring(4)), Double.parseDouble(f[1].substring(6)));
        }
        return counts;
    }
}
