package dev.vsched.probers.vtop;

/**
 * Thresholds on the one-way transfer time, calibrated from one machine's measured distribution
 * ({@link TopologyClassifier#calibrate}). A threshold of 0 means that level was not observed.
 *
 * @param stackedNs    at or above: stacked (the pair could not run at the same time)
 * @param smtNs        below: SMT siblings (0: no SMT level seen)
 * @param sameSocketNs below (and not SMT): same socket; at or above: cross socket (0: no cross-socket level seen)
 */
public record Calibration(long stackedNs, long smtNs, long sameSocketNs) {

    public Relation classify(PairMeasurement m) {
        if (m.failed()) {
            return Relation.UNKNOWN;
        }
        if (m.noProgress() || m.oneWayNs() >= stackedNs) {
            // Slow, but because the guest ran other work on these vCPUs: says nothing about the host.
            return m.disturbedByGuest() ? Relation.UNKNOWN : Relation.STACKED;
        }
        if (smtNs > 0 && m.oneWayNs() < smtNs) {
            return Relation.SMT;
        }
        if (sameSocketNs > 0 && m.oneWayNs() >= sameSocketNs) {
            return Relation.CROSS_SOCKET;
        }
        return Relation.SAME_SOCKET;
    }
}
