package dev.vsched.probers.vtop;

import dev.vsched.probers.proc.GuestTopology;

/** The relation the guest kernel believes two vCPUs have (it cannot believe "stacked"). */
public final class GuestRelations {
    private GuestRelations() {
    }

    public static Relation of(GuestTopology guest, int a, int b) {
        if (!guest.cpus().containsKey(a) || !guest.cpus().containsKey(b)) {
            return Relation.UNKNOWN;
        }
        if (guest.smtSiblings(a, b)) {
            return Relation.SMT;
        }
        return guest.samePackage(a, b) ? Relation.SAME_SOCKET : Relation.CROSS_SOCKET;
    }
}
