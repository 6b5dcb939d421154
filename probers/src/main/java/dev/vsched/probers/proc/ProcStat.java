package dev.vsched.probers.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-CPU time counters from /proc/stat, in USER_HZ ticks. Steal is what a paravirtual hypervisor reports
 * as taken from the vCPU; it stays 0 without a steal clock (e.g. QEMU TCG).
 */
public record ProcStat(Map<Integer, CpuTimes> cpus) {

    /** One {@code cpuN} line. Fields missing on old kernels read as 0. */
    public record CpuTimes(long user, long nice, long system, long idle, long iowait, long irq, long softirq,
                           long steal, long guest, long guestNice) {
        /** All time the kernel accounted to this CPU (guest time is already inside user/nice). */
        public long total() {
            return user + nice + system + idle + iowait + irq + softirq + steal;
        }
    }

    public static ProcStat read() throws IOException {
        return read(Path.of("/proc/stat"));
    }

    /** This machine's /proc/stat, or null if it cannot be read or parsed (steal is then unknown). */
    public static ProcStat readOrNull() {
        try {
            return read();
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    public static ProcStat read(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    /** Parses the text of /proc/stat; {@code source} names it in error messages. */
    public static ProcStat parse(String text, String source) {
        Map<Integer, CpuTimes> cpus = new TreeMap<>();
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            if (!line.startsWith("cpu") || line.startsWith("cpu ")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            int cpu;
            try {
                cpu = Integer.parseInt(f[0].substring(3));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": bad CPU label '" + f[0] + "'");
            }
            if (f.length < 5) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": only " + (f.length - 1)
                        + " counters for " + f[0] + ", need at least 4");
            }
            long[] v = new long[10];
            for (int i = 1; i < f.length && i <= 10; i++) {
                try {
                    v[i - 1] = Long.parseLong(f[i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(source + " line " + lineNo + ": counter " + i + " of "
                            + f[0] + " is '" + f[i] + "', not a number");
                }
            }
            cpus.put(cpu, new CpuTimes(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]));
        }
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException(source + ": no per-CPU lines (cpuN ...)");
        }
        return new ProcStat(Map.copyOf(cpus));
    }

    /** USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture vsched targets. */
    public static final long NS_PER_TICK = 10_000_000L;

    /**
     * Steal between two readings as a fraction of {@code wallNs}, or -1 if either reading lacks the CPU
     * (or is null) or the counter went backwards.
     */
    public static double stealFraction(ProcStat before, ProcStat after, int cpu, long wallNs) {
        if (before == null || after == null || wallNs <= 0) {
            return -1;
        }
        long b = before.steal(cpu);
        long a = after.steal(cpu);
        if (b < 0 || a < b) {
            return -1;
        }
        return Math.min(1.0, (double) (a - b) * NS_PER_TICK / wallNs);
    }

    /** Steal ticks of one CPU, or -1 if the CPU is not listed (offline). */
    public long steal(int cpu) {
        CpuTimes t = cpus.get(cpu);
        return t == null ? -1 : t.steal();
    }
}
