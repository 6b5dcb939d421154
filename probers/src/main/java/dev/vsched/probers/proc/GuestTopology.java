package dev.vsched.probers.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPU topology the guest kernel believes, from /sys/devices/system/cpu: online and possible CPUs and,
 * per online CPU, its package, core and SMT siblings. This is the static ACPI/CPUID view that vTOP checks.
 */
public record GuestTopology(BitSet online, BitSet possible, Map<Integer, CpuInfo> cpus) {

    /** One CPU's place as the guest sees it. */
    public record CpuInfo(int cpu, int packageId, int coreId, BitSet threadSiblings) {
    }

    public static final Path SYSFS_CPU = Path.of("/sys/devices/system/cpu");

    public static GuestTopology read() throws IOException {
        return read(SYSFS_CPU);
    }

    /** Reads a sysfs-shaped tree rooted at {@code root} (tests pass fixture trees). */
    public static GuestTopology read(Path root) throws IOException {
        BitSet online = list(root.resolve("online"));
        BitSet possible = list(root.resolve("possible"));
        Map<Integer, CpuInfo> cpus = new TreeMap<>();
        for (int cpu = online.nextSetBit(0); cpu >= 0; cpu = online.nextSetBit(cpu + 1)) {
            Path topo = root.resolve("cpu" + cpu).resolve("topology");
            try {
                int pkg = integer(topo.resolve("physical_package_id"));
                int core = integer(topo.resolve("core_id"));
                Path siblingsFile = topo.resolve("thread_siblings_list");
                if (!Files.exists(siblingsFile)) {
                    siblingsFile = topo.resolve("core_cpus_list");
                }
                BitSet siblings = list(siblingsFile);
                siblings.set(cpu);
                cpus.put(cpu, new CpuInfo(cpu, pkg, core, siblings));
            } catch (NoSuchFileException e) {
                // Some platforms (or a CPU going offline between the two reads) have no topology dir:
                // treat the CPU as its own core in its own package rather than guessing.
                cpus.put(cpu, new CpuInfo(cpu, -1 - cpu, cpu, dev.vsched.probers.sys.CpuSets.of(cpu)));
            }
        }
        return new GuestTopology(online, possible, Map.copyOf(cpus));
    }

    /** True if the guest believes {@code a} and {@code b} are SMT siblings. */
    public boolean smtSiblings(int a, int b) {
        CpuInfo ia = cpus.get(a);
        return ia != null && a != b && ia.threadSiblings().get(b);
    }

    /** True if the guest believes {@code a} and {@code b} share a package (socket). */
    public boolean samePackage(int a, int b) {
        CpuInfo ia = cpus.get(a);
        CpuInfo ib = cpus.get(b);
        return ia != null && ib != null && ia.packageId() == ib.packageId();
    }

    private static BitSet list(Path file) throws IOException {
        String text = Files.readString(file);
        try {
            return CpuList.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static int integer(Path file) throws IOException {
        String text = Files.readString(file).strip();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": '" + text + "' is not an integer", e);
        }
    }
}
