package dev.vsched.probers.vcap;

/**
 * One vCPU's capacity.
 *
 * @param timeshare     fraction of wall time the vCPU really ran (0..1)
 * @param speed         work per unit of active time relative to the fastest probed vCPU (0..1)
 * @param capacity      {@code round(1024 * timeshare * speed)}: the scale Linux uses for CPU capacity
 * @param straggler     capacity below {@link CapacityModel#STRAGGLER_FRACTION} of the best vCPU's
 * @param stealFraction share of wall time /proc/stat accounts as steal (0 without paravirtual steal)
 */
public record VcapResult(int cpu, double timeshare, double speed, int capacity, boolean straggler,
                         double stealFraction, long wallNs, long activeNs) {
    public static final int SCALE = 1024;
}
