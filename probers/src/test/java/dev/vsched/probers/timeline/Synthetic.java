package dev.vsched.probers.timeline;

import java.util.Arrays;

/** Builds timeline samples from a list of gaps, for tests. */
public final class Synthetic {
    private Synthetic() {
    }

    /**
     * A sample over {@code wallNs} whose loop time is what the gaps leave, at {@code rate} work per ns.
     * Gaps in {@code guestGaps} are flagged as guest context switches.
     */
    public static TimelineSample sample(int cpu, long wallNs, double rate, long[] hostOrNoiseGaps, long[] guestGaps) {
        long[] all = new long[hostOrNoiseGaps.length + guestGaps.length];
        boolean[] guest = new boolean[all.length];
        System.arraycopy(hostOrNoiseGaps, 0, all, 0, hostOrNoiseGaps.length);
        System.arraycopy(guestGaps, 0, all, hostOrNoiseGaps.length, guestGaps.length);
        Arrays.fill(guest, hostOrNoiseGaps.length, all.length, true);
        long loop = wallNs - Arrays.stream(all).sum();
        return TimelineSample.of(cpu, wallNs, loop, Math.round(loop * rate), all, guest, 2_000);
    }

    /** {@code n} copies of {@code ns}. */
    public static long[] repeat(int n, long ns) {
        long[] a = new long[n];
        Arrays.fill(a, ns);
        return a;
    }

    public static long[] concat(long[]... parts) {
        return Arrays.stream(parts).flatMapToLong(Arrays::stream).toArray();
    }
}
