package dev.vsched.probers.vtop;

/**
 * How close two vCPUs are, as a hierarchy from closest to farthest. Stacked vCPUs share one physical CPU and
 * never run at the same time; the guest can never see that level.
 */
public enum Relation {
    STACKED("stacked"),
    SMT("smt"),
    SAME_SOCKET("same_socket"),
    CROSS_SOCKET("cross_socket"),
    UNKNOWN("unknown");

    private final String json;

    Relation(String json) {
        this.json = json;
    }

    /** The name used in JSON and reports. */
    public String json() {
        return json;
    }

    public boolean known() {
        return this != UNKNOWN;
    }

    /** The farther of two known relations. */
    public static Relation farther(Relation a, Relation b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    public static Relation fromJson(String name) {
        for (Relation r : values()) {
            if (r.json.equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown topology relation '" + name + "'");
    }
}
