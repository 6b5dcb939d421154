package dev.vsched.probers.vtop;

import java.util.List;

/** Measures vCPU pairs; the real one is {@link PingPong}, tests supply synthetic matrices. */
public interface PairProber {
    /** Measures the given disjoint pairs at the same time (a list of one pair measures it alone). */
    List<PairMeasurement> probe(List<int[]> disjointPairs);
}
