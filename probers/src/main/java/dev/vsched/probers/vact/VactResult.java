package dev.vsched.probers.vact;

import dev.vsched.probers.stats.LatencySummary;
import dev.vsched.probers.timeline.ClassifiedTimeline;

/**
 * One vCPU's activity: how much of the time it ran, how often the host took it away, and for how long
 * (the vCPU latency a woken task may wait).
 *
 * @param gapThresholdNs    gaps at or above this were inactive periods (derived from measured tick noise)
 * @param tickNoiseNs       the typical interrupt-sized gap the threshold was derived from
 * @param inactive          distribution of inactive periods (host preemptions)
 * @param guestPreemptions  gaps during which the guest itself ran another thread (not the vCPU's fault)
 */
public record VactResult(int cpu, double activeFraction, double preemptionsPerSecond, long gapThresholdNs,
                         long tickNoiseNs, LatencySummary inactive, long guestPreemptions) {

    public static VactResult of(ClassifiedTimeline t) {
        return new VactResult(t.sample().cpu(), t.activeFraction(), t.preemptionsPerSecond(),
                t.threshold().thresholdNs(), t.threshold().noiseNs(), LatencySummary.of(t.hostGaps(), t.hostGapNs()),
                t.guestGapCount());
    }
}
