package dev.vsched.probers.vtop;

import java.util.List;

/**
 * vTOP's answer: every pair's relation (measured or inferred), the calibrated thresholds, the groups as a
 * tree, and where the guest kernel's belief differs.
 *
 * @param mode        "full" (probed from scratch) or "revalidated" (representatives re-checked, all matched)
 * @param probedPairs pair measurements taken (re-measurements included)
 * @param unavailable vCPUs that could not be probed, with the reason
 */
public record VtopResult(Calibration thresholds, List<PairResult> pairs, Group root, List<GuestPair> guestView,
                         List<Mismatch> mismatches, String mode, int probedPairs, long elapsedNs,
                         List<Unavailable> unavailable) {

    /** One pair's relation; {@code oneWayNs} is NaN for inferred pairs. */
    public record PairResult(int a, int b, Relation relation, double oneWayNs, boolean inferred) {
    }

    /** A group of vCPUs at one level; {@code level} is a relation name, "machine" or "vcpu" for a leaf. */
    public record Group(String level, List<Integer> cpus, List<Group> children) {
    }

    /** What the guest kernel believes about a pair. */
    public record GuestPair(int a, int b, Relation relation) {
    }

    /** A pair where probing and the guest's belief differ. */
    public record Mismatch(int a, int b, Relation probed, Relation guest) {
    }

    public record Unavailable(int cpu, String reason) {
    }

    /** The relation of a pair in either order, UNKNOWN if absent. */
    public Relation relation(int a, int b) {
        int lo = Math.min(a, b);
        int hi = Math.max(a, b);
        for (PairResult p : pairs) {
            if (p.a() == lo && p.b() == hi) {
                return p.relation();
            }
        }
        return Relation.UNKNOWN;
    }
}
