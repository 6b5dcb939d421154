package dev.vsched.vm;

import dev.vsched.probers.proc.CpuList;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A host-side vCPU layout: for each vCPU the host CPUs its QEMU thread may run on and an optional
 * CPU quota (percent of one host CPU, enforced by a cgroup on that thread alone), plus the host CPUs
 * for QEMU's other threads (main loop, RCU, I/O workers).
 *
 * <p>Every placed vCPU thread gets its own cpu cgroup with the same weight, so the vCPUs share a
 * host CPU equally among themselves and the quota is the only asymmetry. That makes the imposed
 * time share computable ({@link #expectedTimeshare()}): on each host CPU the vCPUs pinned to it
 * alone split it max-min fairly, each capped by its quota.
 *
 * <p>Text form (for the command line): {@code v0=0; v1=0@30; v2=1; v3=1; rest=0}, i.e.
 * {@code v<vcpu>=<host cpu list>[@<quota percent>]} and {@code rest=<host cpu list>}.
 */
public record HostLayout(String name, SortedMap<Integer, Placement> vcpus, BitSet restCpus, int quotaPeriodUs,
        int cpuWeight) {

    /** Short enough that a 30% quota shows as many small gaps, long enough for the 4 ms host tick (HZ=250). */
    public static final int DEFAULT_PERIOD_US = 20_000;

    /**
     * cgroup v1 cpu.shares of each vCPU's group: 16 times a nice-0 task group. Other users' work on this
     * 2-core host (each session is one autogroup of weight 1024) then takes about 3% of a CPU from a
     * shaped guest instead of a third or more, so the imposed shares hold while the VM tests run.
     */
    public static final int DEFAULT_WEIGHT = 16384;

    /** One vCPU's placement: its host CPUs and an optional quota in percent of one host CPU. */
    public record Placement(BitSet hostCpus, OptionalInt quotaPercent) {
        public Placement {
            hostCpus = (BitSet) hostCpus.clone();
        }

        @Override
        public BitSet hostCpus() {
            return (BitSet) hostCpus.clone();
        }

        /** The only host CPU, or -1 when the thread may float over several. */
        public int singleCpu() {
            return hostCpus.cardinality() == 1 ? hostCpus.nextSetBit(0) : -1;
        }

        @Override
        public String toString() {
            return CpuList.format(hostCpus) + (quotaPercent.isPresent() ? "@" + quotaPercent.getAsInt() : "");
        }
    }

    public HostLayout {
        vcpus = Collections.unmodifiableSortedMap(new TreeMap<>(vcpus));
        restCpus = restCpus == null ? new BitSet() : (BitSet) restCpus.clone();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("layout needs a name");
        }
        if (quotaPeriodUs < 1000 || quotaPeriodUs > 1_000_000) {
            throw new IllegalArgumentException("layout '" + name + "': quota period " + quotaPeriodUs
                    + " us out of range 1000..1000000 (the kernel's limits for cpu.cfs_period_us)");
        }
        if (cpuWeight < 2 || cpuWeight > 262_144) {
            throw new IllegalArgumentException("layout '" + name + "': cpu weight " + cpuWeight
                    + " out of range 2..262144 (cgroup v1 cpu.shares)");
        }
    }

    @Override
    public BitSet restCpus() {
        return (BitSet) restCpus.clone();
    }

    /** Parses the text form; errors name the offending entry. */
    public static HostLayout parse(String name, String text) {
        SortedMap<Integer, Placement> vcpus = new TreeMap<>();
        BitSet rest = new BitSet();
        for (String raw : text.split(";")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("layout '" + name + "': entry '" + entry
                        + "' is not v<vcpu>=<cpus>[@<quota%>] or rest=<cpus>");
            }
            String key = entry.substring(0, eq).strip();
            String value = entry.substring(eq + 1).strip();
            if (key.equals("rest")) {
                rest = cpus(name, entry, value);
                continue;
            }
            if (!key.matches("v\\d{1,4}")) {
                throw new IllegalArgumentException("layout '" + name + "': '" + key + "' in entry '" + entry
                        + "' is not a vCPU (v0, v1, ...) or 'rest'");
            }
            int vcpu = Integer.parseInt(key.substring(1));
            OptionalInt quota = OptionalInt.empty();
            int at = value.indexOf('@');
            if (at >= 0) {
                String q = value.substring(at + 1).strip();
                if (q.endsWith("%")) {
                    q = q.substring(0, q.length() - 1);
                }
                try {
                    quota = OptionalInt.of(Integer.parseInt(q));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("layout '" + name + "': quota '" + value.substring(at + 1)
                            + "' in entry '" + entry + "' is not a whole percentage");
                }
                value = value.substring(0, at).strip();
            }
            if (vcpus.put(vcpu, new Placement(cpus(name, entry, value), quota)) != null) {
                throw new IllegalArgumentException("layout '" + name + "': vCPU " + vcpu + " placed twice");
            }
        }
        return new HostLayout(name, vcpus, rest, DEFAULT_PERIOD_US, DEFAULT_WEIGHT);
    }

    private static BitSet cpus(String name, String entry, String list) {
        try {
            BitSet set = CpuList.parse(list);
            if (set.isEmpty()) {
                throw new IllegalArgumentException("empty CPU list");
            }
            return set;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layout '" + name + "': host CPU list '" + list + "' in entry '"
                    + entry + "': " + e.getMessage(), e);
        }
    }

    /**
     * Checks the layout against a guest with {@code vcpuCount} vCPUs and the host's online CPUs;
     * throws {@link IllegalArgumentException} naming the first problem. Nothing is applied before this passes.
     */
    public void validate(int vcpuCount, BitSet onlineCpus) {
        String online = CpuList.format(onlineCpus);
        for (Map.Entry<Integer, Placement> e : vcpus.entrySet()) {
            int v = e.getKey();
            Placement p = e.getValue();
            if (v < 0 || v >= vcpuCount) {
                throw new IllegalArgumentException("layout '" + name + "': unknown vCPU " + v + " (the guest has "
                        + vcpuCount + " vCPUs: 0-" + (vcpuCount - 1) + ")");
            }
            BitSet offline = p.hostCpus();
            offline.andNot(onlineCpus);
            if (!offline.isEmpty()) {
                throw new IllegalArgumentException("layout '" + name + "': vCPU " + v + ": host CPU "
                        + CpuList.format(offline) + " is not online (online: " + online + ")");
            }
            if (p.quotaPercent().isPresent()) {
                int q = p.quotaPercent().getAsInt();
                if (q < 1 || q > 100) {
                    throw new IllegalArgumentException("layout '" + name + "': vCPU " + v + ": quota " + q
                            + "% out of range 1..100 (percent of one host CPU; a vCPU thread cannot use more)");
                }
                // The kernel refuses cfs_quota_us below 1 ms.
                if ((long) quotaPeriodUs * q / 100 < 1000) {
                    throw new IllegalArgumentException("layout '" + name + "': vCPU " + v + ": quota " + q + "% of a "
                            + quotaPeriodUs + " us period is below the kernel's 1000 us minimum");
                }
            }
        }
        BitSet offline = restCpus();
        offline.andNot(onlineCpus);
        if (!offline.isEmpty()) {
            throw new IllegalArgumentException("layout '" + name + "': rest: host CPU " + CpuList.format(offline)
                    + " is not online (online: " + online + ")");
        }
    }

    /**
     * Imposed time share (0..1) of each placed vCPU when every vCPU is busy and the host is otherwise
     * idle; NaN for a vCPU whose host CPU is shared with a floating (multi-CPU) vCPU thread, which this
     * model does not predict.
     */
    public SortedMap<Integer, Double> expectedTimeshare() {
        SortedMap<Integer, Double> out = new TreeMap<>();
        BitSet floating = new BitSet();
        for (Placement p : vcpus.values()) {
            if (p.singleCpu() < 0) {
                floating.or(p.hostCpus);
            }
        }
        SortedMap<Integer, List<Integer>> byCpu = new TreeMap<>();
        for (Map.Entry<Integer, Placement> e : vcpus.entrySet()) {
            int cpu = e.getValue().singleCpu();
            if (cpu < 0 || floating.get(cpu)) {
                out.put(e.getKey(), Double.NaN);
            } else {
                byCpu.computeIfAbsent(cpu, c -> new ArrayList<>()).add(e.getKey());
            }
        }
        for (List<Integer> group : byCpu.values()) {
            // Max-min fair split of one CPU among equal weights, each capped by its quota.
            List<Integer> open = new ArrayList<>(group);
            double remaining = 1.0;
            boolean capped = true;
            while (capped && !open.isEmpty()) {
                capped = false;
                double fair = remaining / open.size();
                for (var it = open.iterator(); it.hasNext();) {
                    int v = it.next();
                    double cap = cap(v);
                    if (cap <= fair) {
                        out.put(v, cap);
                        remaining -= cap;
                        it.remove();
                        capped = true;
                    }
                }
            }
            for (int v : open) {
                out.put(v, remaining / open.size());
            }
        }
        return out;
    }

    private double cap(int vcpu) {
        OptionalInt q = vcpus.get(vcpu).quotaPercent();
        return q.isPresent() ? q.getAsInt() / 100.0 : 1.0;
    }

    /** Groups (size >= 2) of vCPUs pinned to the same single host CPU: they can never run at once. */
    public List<BitSet> stackedGroups() {
        SortedMap<Integer, BitSet> byCpu = new TreeMap<>();
        for (Map.Entry<Integer, Placement> e : vcpus.entrySet()) {
            int cpu = e.getValue().singleCpu();
            if (cpu >= 0) {
                byCpu.computeIfAbsent(cpu, c -> new BitSet()).set(e.getKey());
            }
        }
        List<BitSet> groups = new ArrayList<>();
        for (BitSet g : byCpu.values()) {
            if (g.cardinality() >= 2) {
                groups.add(g);
            }
        }
        return groups;
    }

    /** True when both vCPUs are pinned to the same single host CPU. */
    public boolean stacked(int a, int b) {
        Placement pa = vcpus.get(a);
        Placement pb = vcpus.get(b);
        return pa != null && pb != null && pa.singleCpu() >= 0 && pa.singleCpu() == pb.singleCpu();
    }

    /** The text form, parseable by {@link #parse}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        vcpus.forEach((v, p) -> sb.append(sb.isEmpty() ? "" : "; ").append('v').append(v).append('=').append(p));
        if (!restCpus.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : "; ").append("rest=").append(CpuList.format(restCpus));
        }
        return sb.toString();
    }
}
