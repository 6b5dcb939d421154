package dev.vsched.probers.sys;

import dev.vsched.probers.proc.CpuList;
import java.util.BitSet;

/** Small helpers for CPU sets as {@link BitSet}s. */
public final class CpuSets {
    private CpuSets() {
    }

    public static BitSet of(int... cpus) {
        BitSet set = new BitSet();
        for (int cpu : cpus) {
            set.set(cpu);
        }
        return set;
    }

    /** Kernel list format, e.g. {@code 0-3,6}. */
    public static String format(BitSet cpus) {
        return CpuList.format(cpus);
    }
}
