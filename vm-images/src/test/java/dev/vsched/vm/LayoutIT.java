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
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The harness's shaping itself, measured without the probers: busy loops on every vCPU at once
 * (guest-tests/spin-rates.sh) must run at the relative rates the host gives them, the host must give
 * them the imposed shares (its own per-thread accounting, schedstat), and a layout change while the
 * guest runs must reach the host threads and cgroups. One boot serves both tests: the standard layout
 * for {@link #STANDARD_SECONDS}, then the swapped one.
 */
@Order(10)
@ResourceLock(value = VmTestSupport.HOST_CPUS, mode = ResourceAccessMode.READ_WRITE)
class LayoutIT extends VmTestSupport {
    private static final System.Logger LOG = System.getLogger(LayoutIT.class.getName());

    /**
     * Allowed gap between a vCPU's part of its host CPU as the host accounted it (its thread's run time
     * over the run time of all vCPU threads pinned there, median over the 1 s intervals) and its imposed
     * part. Host work outside the guest takes time from every vCPU of a host CPU alike, so this stays near
     * the imposed split on a busy machine; a missing quota (0.50 instead of 0.70) fails, a wrong pin (1.0)
     * fails by far. What the harness sets is checked exactly beside it (affinity, cgroup, quota:
     * {@link #assertHostState}).
     */
    static final double HOST_SPLIT_TOLERANCE = 0.10;

    /**
     * Allowed gap between a vCPU's part of its host CPU as the guest sees it (its loop count over the
     * counts of all vCPUs pinned there, median over the 1 s intervals) and as the host accounted it. What
     * the guest sees also carries the host machine's own noise: 43 boots on 2026-12-02 gave loop parts of
     * 0.404-0.624 for vCPU 2 (imposed 0.50), and CI 0.379, in runs whose host schedstat showed vCPUs 2 and
     * 3 each given 0.49-0.50 of their CPU.
     */
    static final double SPLIT_TOLERANCE = 0.15;

    /**
     * Least part of each host CPU the vCPU threads pinned there must get (host accounting, median over
     * the intervals; the standard layout saturates both CPUs): a layout leaving a host CPU half idle
     * fails. Their cgroups' weight (16384 each) keeps other users' work to a few percent. This replaces a
     * comparison of the two CPUs' guest loop totals, which measured the host's noise: a vCPU thread given
     * its full share emulated 35% fewer loops than its neighbour on the other CPU (totals 640412 vs
     * 403785 in a fresh-clone run whose host accounting showed the imposed shares 0.68/0.30/0.49/0.50).
     */
    static final double HOST_BUSY_FLOOR = 0.65;

    /**
     * Least rise of vCPU 1's loop rate relative to vCPU 0's (guest) from the standard to the swapped
     * layout: 0.30/0.70 = 0.43 before; measured after the switch 0.66-0.72, once 1.33 (not the 1.0 an
     * equal split of host CPU 1 gives; see the README).
     */
    static final double GUEST_RISE = 0.15;

    /** Least rise of the same ratio in the host's accounting: 0.43 imposed before, 1.0 after. */
    static final double HOST_RISE = 0.30;

    /** Seconds the host measures under the standard layout before it switches; then under the swapped one. */
    static final int STANDARD_SECONDS = 5;
    static final int SWAPPED_SECONDS = 4;
    /**
     * The guest's loop intervals judged as standard: the host switches {@link #STANDARD_SECONDS} after it
     * saw the loops start, and the guest's intervals run a little longer than a second (sleep 1, then
     * signal), so interval 4 may already hold the switch; intervals 4 and 5 are judged as neither.
     */
    static final int GUEST_STANDARD = STANDARD_SECONDS - 1;
    /** Guest loop seconds: the standard part, two that may hold the switch, the swapped part and one spare. */
    static final int SPIN_SECONDS = GUEST_STANDARD + 2 + SWAPPED_SECONDS + 1;

    /** The boot both tests judge, with what the host measured under each layout. */
    private record Switched(VmRun run, HostSeconds standard, HostSeconds swapped) {
    }

    private static Switched switched;
    private static Throwable bootFailure;

    /**
     * Boots once (for whichever test runs first): the standard layout until the guest's loops have run
     * {@link #STANDARD_SECONDS} host-measured seconds, then the swapped one, the host side checked after
     * each.
     */
    private static synchronized Switched boot() throws Exception {
        if (bootFailure != null) {
            throw new AssertionError("the shared boot failed in an earlier test", bootFailure);
        }
        if (switched == null) {
            VmSpec spec = VmSpec.of(IMAGES, "7.2", "spin-rates", 4, Duration.ofSeconds(120))
                    .withParams(Map.of("spin-seconds", Integer.toString(SPIN_SECONDS))).withLayout(Layouts.STANDARD);
            AtomicReference<HostSeconds> standard = new AtomicReference<>();
            AtomicReference<HostSeconds> swapped = new AtomicReference<>();
            try {
                VmRun run = GuestRunner.run(spec, GuestRunner.DEFAULT_INT3_RETRIES, vm -> {
                    assertHostState(vm, Layouts.STANDARD);
                    assertTrue(vm.awaitConsole("spin-rates: loops started"), "the guest's loops never started");
                    standard.set(HostSeconds.measure(vm, STANDARD_SECONDS));
                    vm.applyLayout(Layouts.SWAPPED);
                    assertHostState(vm, Layouts.SWAPPED);
                    swapped.set(HostSeconds.measure(vm, SWAPPED_SECONDS));
                });
                assertTrue(run.result().passed(), run.describe());
                switched = new Switched(run, standard.get(), swapped.get());
            } catch (Exception | AssertionError e) {
                bootFailure = e;
                throw e;
            }
        }
        return switched;
    }

    @Test
    void busyLoopRatesMatchTheImposedShares() throws Exception {
        Switched s = boot();
        HostLayout layout = Layouts.STANDARD;
        SortedMap<Integer, long[]> intervals = spinIntervals(s.run());
        SortedMap<Integer, Double> expected = layout.expectedTimeshare();
        HostSeconds host = s.standard();
        String context = "running counts per second " + describe(intervals) + ", imposed shares " + expected
                + ", host CPU time of each vCPU thread per second under the standard layout " + host
                + "\n" + s.run().describe();
        int n = intervals.values().stream().mapToInt(c -> c.length).min().orElse(0);
        assertTrue(n >= SPIN_SECONDS - 1, "fewer than " + (SPIN_SECONDS - 1) + " one-second intervals; " + context);
        assertEquals(STANDARD_SECONDS, host.intervals(), "host intervals measured; " + context);
        SortedMap<Integer, Double> perCpuExpected = new TreeMap<>();
        for (int v : expected.keySet()) {
            perCpuExpected.merge(layout.vcpus().get(v).singleCpu(), expected.get(v), Double::sum);
        }
        for (int v : expected.keySet()) {
            int cpu = layout.vcpus().get(v).singleCpu();
            double[] guestParts = new double[GUEST_STANDARD];
            for (int k = 0; k < GUEST_STANDARD; k++) {
                double all = 0;
                for (int w : expected.keySet()) {
                    if (layout.vcpus().get(w).singleCpu() == cpu) {
                        all += delta(intervals.get(w), k);
                    }
                }
                guestParts[k] = delta(intervals.get(v), k) / all;
            }
            double[] hostParts = new double[STANDARD_SECONDS];
            for (int k = 0; k < STANDARD_SECONDS; k++) {
                double all = 0;
                for (int w : expected.keySet()) {
                    if (layout.vcpus().get(w).singleCpu() == cpu) {
                        all += host.shares().get(w)[k];
                    }
                }
                hostParts[k] = host.shares().get(v)[k] / all;
            }
            double hostPart = median(hostParts);
            LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT,
                    "vCPU %d's part of host CPU %d: imposed %.3f, host %.3f, guest loops %.3f", v, cpu,
                    expected.get(v) / perCpuExpected.get(cpu), hostPart, median(guestParts)));
            assertEquals(expected.get(v) / perCpuExpected.get(cpu), hostPart, HOST_SPLIT_TOLERANCE,
                    "vCPU " + v + "'s part of host CPU " + cpu + " in the host's accounting (median of "
                            + Arrays.toString(hostParts) + "); " + context);
            assertEquals(hostPart, median(guestParts), SPLIT_TOLERANCE,
                    "vCPU " + v + "'s part of host CPU " + cpu + " as the guest's loops saw it (median of "
                            + Arrays.toString(guestParts) + ") vs the host's " + hostPart + "; " + context);
        }
        for (int cpu : perCpuExpected.keySet()) {
            double[] busy = new double[STANDARD_SECONDS];
            for (int k = 0; k < STANDARD_SECONDS; k++) {
                for (int w : expected.keySet()) {
                    if (layout.vcpus().get(w).singleCpu() == cpu) {
                        busy[k] += host.shares().get(w)[k];
                    }
                }
            }
            LOG.log(System.Logger.Level.INFO, "host CPU " + cpu + " given to its vCPU threads per second "
                    + Arrays.toString(busy));
            assertTrue(median(busy) >= HOST_BUSY_FLOOR * perCpuExpected.get(cpu), "host CPU " + cpu
                    + " given to its vCPU threads per second " + Arrays.toString(busy) + ", imposed "
                    + perCpuExpected.get(cpu) + "; " + context);
        }
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
     * After {@link #STANDARD_SECONDS} under the standard layout, the swapped one (vCPU 0 and 1 move to
     * host CPU 1, neither with a quota): the host side must follow at once (checked in the boot), the
     * host's accounting must show vCPU 1's share relative to vCPU 0's rise by {@link #HOST_RISE}, and the
     * guest's loop rates must show it too: the swapped intervals' median ratio at least {@link #GUEST_RISE}
     * above the standard intervals'. (vCPU 0's part of host CPU 0 before the switch is judged in
     * {@link #busyLoopRatesMatchTheImposedShares}, from the same intervals.)
     */
    @Test
    void layoutChangesWhileTheGuestRuns() throws Exception {
        Switched s = boot();
        SortedMap<Integer, long[]> intervals = spinIntervals(s.run());
        String context = "running counts per second " + describe(intervals) + ", host CPU time of each vCPU thread"
                + " per second, standard " + s.standard() + ", swapped " + s.swapped() + "\n" + s.run().describe();
        long[] v0 = intervals.get(0);
        long[] v1 = intervals.get(1);
        // A loop may miss the last signal before it is stopped: use the intervals both have.
        int n = Math.min(v0.length, v1.length);
        assertTrue(n >= SPIN_SECONDS - 1, "fewer than " + (SPIN_SECONDS - 1) + " intervals; " + context);
        assertEquals(SWAPPED_SECONDS, s.swapped().intervals(), "host intervals measured; " + context);
        // guest: the standard intervals, and the swapped ones after the one that straddles the switch
        double[] before = new double[GUEST_STANDARD];
        for (int k = 0; k < GUEST_STANDARD; k++) {
            before[k] = delta(v1, k) / delta(v0, k);
        }
        double[] after = new double[n - GUEST_STANDARD - 2];
        for (int k = 0; k < after.length; k++) {
            after[k] = delta(v1, GUEST_STANDARD + 2 + k) / delta(v0, GUEST_STANDARD + 2 + k);
        }
        double hostBefore = median(ratios(s.standard(), 1, 0));
        double hostAfter = median(ratios(s.swapped(), 1, 0));
        LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT, "vCPU 1/vCPU 0 before/after the"
                + " switch: host %.3f/%.3f, guest loops %.3f/%.3f", hostBefore, hostAfter, median(before),
                median(after)));
        assertTrue(hostAfter >= hostBefore + HOST_RISE, "vCPU 1/vCPU 0 host CPU time after the switch "
                + Arrays.toString(ratios(s.swapped(), 1, 0)) + " vs before " + Arrays.toString(ratios(s.standard(), 1, 0))
                + "; " + context);
        assertTrue(median(after) >= median(before) + GUEST_RISE, "vCPU 1/vCPU 0 loop rate after the switch "
                + Arrays.toString(after) + " vs before " + Arrays.toString(before) + "; " + context);
    }

    /** Per interval, vCPU {@code a}'s host CPU time over vCPU {@code b}'s. */
    private static double[] ratios(HostSeconds host, int a, int b) {
        double[] out = new double[host.intervals()];
        for (int k = 0; k < out.length; k++) {
            out[k] = host.shares().get(a)[k] / host.shares().get(b)[k];
        }
        return out;
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
