package dev.vsched.probers.continuous;

import dev.vsched.probers.timeline.TimelineSample;

/**
 * What one vCPU's worker reports for one round: its window, or why it has none.
 *
 * @param sample      the window (null if the worker could not run one)
 * @param error       null, or why the vCPU could not be probed this round (offline, cannot pin)
 * @param calibrating a calibration window: its gaps go to the {@link CalibrationPool}
 */
record WindowResult(long round, int cpu, TimelineSample sample, String error, boolean calibrating) {
    /** A window that can be used: it ran and the vCPU stayed available. */
    boolean usable() {
        return sample != null && error == null;
    }
}
