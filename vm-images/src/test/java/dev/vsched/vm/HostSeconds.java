package dev.vsched.vm;

import dev.vsched.probers.proc.ProcStat;
import dev.vsched.probers.proc.ThreadSchedstat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * What the host gave each vCPU thread of a running guest, measured on the host (schedstat run time) in
 * consecutive intervals (one second unless asked otherwise): per vCPU, its part of one host CPU in each
 * interval; per host CPU, its steal fraction over the whole period. The truth guest-side measurements of
 * vCPU time are judged against.
 */
record HostSeconds(SortedMap<Integer, double[]> shares, SortedMap<Integer, Double> steal) {

    /** Measures {@code seconds} consecutive one-second intervals from now. */
    static HostSeconds measure(QemuVm vm, int seconds) throws IOException, InterruptedException {
        return measure(vm, seconds, 1000, () -> false);
    }

    /**
     * Measures consecutive intervals of {@code intervalMs} from now until {@code stop} holds after one, QEMU
     * exits (the intervals measured until then), or {@code count} were measured.
     */
    static HostSeconds measure(QemuVm vm, int count, long intervalMs, BooleanSupplier stop)
            throws IOException, InterruptedException {
        SortedMap<Integer, double[]> shares = new TreeMap<>();
        vm.vcpuThreads().keySet().forEach(v -> shares.put(v, new double[count]));
        ProcStat statBefore = ProcStat.read();
        long start = System.nanoTime();
        Map<Integer, Long> before = runNs(vm);
        long t0 = start;
        int k = 0;
        while (k < count) {
            Thread.sleep(intervalMs);
            Map<Integer, Long> after;
            try {
                after = runNs(vm);
            } catch (NoSuchFileException gone) {
                break;
            }
            long t1 = System.nanoTime();
            for (int v : shares.keySet()) {
                shares.get(v)[k] = (double) (after.get(v) - before.get(v)) / (t1 - t0);
            }
            before = after;
            t0 = t1;
            k++;
            if (stop.getAsBoolean()) {
                break;
            }
        }
        int measured = k;
        shares.replaceAll((v, a) -> Arrays.copyOf(a, measured));
        ProcStat statAfter = ProcStat.read();
        SortedMap<Integer, Double> steal = new TreeMap<>();
        for (int c : QemuVm.onlineCpus().stream().toArray()) {
            steal.put(c, ProcStat.stealFraction(statBefore, statAfter, c, t0 - start));
        }
        return new HostSeconds(shares, steal);
    }

    /** Intervals {@code from} (inclusive) to {@code to} (exclusive) alone; steal stays the whole period's. */
    HostSeconds range(int from, int to) {
        SortedMap<Integer, double[]> window = new TreeMap<>();
        shares.forEach((v, a) -> window.put(v, Arrays.copyOfRange(a, from, to)));
        return new HostSeconds(window, steal);
    }

    /** How many intervals were measured. */
    int intervals() {
        return shares.values().iterator().next().length;
    }

    /** vCPU {@code v}'s part of one host CPU over all intervals. */
    double mean(int v) {
        return Arrays.stream(shares.get(v)).average().orElseThrow();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        shares.forEach((v, a) -> sb.append(sb.length() > 1 ? ", " : "").append(v).append('=')
                .append(Arrays.toString(Arrays.stream(a).map(x -> Math.round(x * 1000) / 1000.0).toArray())));
        return sb.append("}, steal ").append(steal).toString();
    }

    private static Map<Integer, Long> runNs(QemuVm vm) throws IOException {
        Map<Integer, Long> out = new TreeMap<>();
        for (Map.Entry<Integer, Integer> e : vm.vcpuThreads().entrySet()) {
            Path file = Path.of("/proc/" + vm.pid() + "/task/" + e.getValue() + "/schedstat");
            out.put(e.getKey(), ThreadSchedstat.parse(Files.readString(file), file.toString()).runNs());
        }
        return out;
    }
}
