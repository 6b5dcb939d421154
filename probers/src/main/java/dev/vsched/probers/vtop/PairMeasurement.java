package dev.vsched.probers.vtop;

/**
 * One cache-line ping-pong between vCPUs {@code a} and {@code b}.
 *
 * @param oneWayNs     median one-way transfer time (half the median round trip); NaN if no round trip completed
 * @param p90OneWayNs  90th percentile one-way time
 * @param roundTrips   round trips completed in the window
 * @param windowNs     how long the pair was measured
 * @param error        null, or why the pair could not be measured (a vCPU offline)
 * @param failedCpu    the vCPU that could not be used, or -1
 * @param guestSwitches times the guest scheduler switched either ping-pong thread out during the window;
 *                     {@link #STARVED} when the guest never ran the ponger before the window
 */
public record PairMeasurement(int a, int b, double oneWayNs, double p90OneWayNs, long roundTrips, long windowNs,
                              String error, int failedCpu, long guestSwitches) {
    /**
     * {@code guestSwitches} of a pair whose ponger the guest never ran within its start budget (other work
     * on its vCPU): no window was measured, and that is the guest's doing, not evidence of stacking (a
     * stacked vCPU still runs its own threads whenever the host runs it).
     */
    public static final long STARVED = Integer.MAX_VALUE;

    /**
     * Slow handoffs are the guest's doing, not the host's, when the guest switched the ping-pong threads out
     * at least once per few round trips: other work on those vCPUs, not stacking. (Stacked vCPUs keep both
     * threads running as far as the guest knows.)
     */
    public boolean disturbedByGuest() {
        return error == null && guestSwitches > 2 && guestSwitches * 4 >= roundTrips;
    }

    /** No round trip at all: the two sides never ran at the same time during the window. */
    public boolean noProgress() {
        return error == null && roundTrips == 0;
    }

    public boolean failed() {
        return error != null;
    }

    /** A pair that made no progress at all (synthetic data). */
    public static PairMeasurement stalled(int a, int b) {
        return new PairMeasurement(a, b, Double.NaN, Double.NaN, 0, 20_000_000L, null, -1, 0);
    }

    /** A pair whose ponger the guest did not run before the window could start: see {@link #STARVED}. */
    public static PairMeasurement starvedByGuest(int a, int b, long windowNs) {
        return new PairMeasurement(a, b, Double.NaN, Double.NaN, 0, windowNs, null, -1, STARVED);
    }

    /** A pair that could not be measured because {@code cpu} was unusable. */
    public static PairMeasurement failed(int a, int b, int cpu, String why) {
        return new PairMeasurement(a, b, Double.NaN, Double.NaN, 0, 0, why, cpu, 0);
    }

    /** A measured pair with the given median one-way time (synthetic data). */
    public static PairMeasurement of(int a, int b, double oneWayNs) {
        return new PairMeasurement(a, b, oneWayNs, oneWayNs, 1000, 20_000_000L, null, -1, 0);
    }
}
