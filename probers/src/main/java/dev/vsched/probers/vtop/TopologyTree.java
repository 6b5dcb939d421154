package dev.vsched.probers.vtop;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Builds the group tree from pair relations: the machine, then socket groups, SMT groups, stacked groups,
 * and vCPU leaves. A group that is entirely one group of a closer level takes that closer level's name, so
 * the tree shows only levels that say something. Unknown pairs join nothing.
 */
final class TopologyTree {
    private static final Relation[] LEVELS = {Relation.SAME_SOCKET, Relation.SMT, Relation.STACKED};

    private TopologyTree() {
    }

    static VtopResult.Group build(List<Integer> cpus, RelationMatrix matrix) {
        TreeSet<Integer> all = new TreeSet<>(cpus);
        return new VtopResult.Group("machine", List.copyOf(all), split(all, 0, matrix));
    }

    /** The groups {@code members} form at level {@code depth} and closer. */
    private static List<VtopResult.Group> split(TreeSet<Integer> members, int depth, RelationMatrix matrix) {
        List<VtopResult.Group> out = new ArrayList<>();
        if (depth == LEVELS.length) {
            members.forEach(c -> out.add(leaf(c)));
            return out;
        }
        Relation within = LEVELS[depth];
        UnionFind uf = new UnionFind();
        for (int a : members) {
            uf.find(a);
            for (int b : members) {
                Relation r = a < b ? matrix.get(a, b) : Relation.UNKNOWN;
                if (r.known() && r.ordinal() <= within.ordinal()) {
                    uf.union(a, b);
                }
            }
        }
        for (TreeSet<Integer> component : uf.groups(members).values()) {
            if (component.size() == 1) {
                out.add(leaf(component.first()));
                continue;
            }
            List<VtopResult.Group> inner = split(component, depth + 1, matrix);
            if (inner.size() == 1) {
                out.add(inner.getFirst());
            } else {
                out.add(new VtopResult.Group(within.json(), List.copyOf(component), inner));
            }
        }
        return out;
    }

    private static VtopResult.Group leaf(int cpu) {
        return new VtopResult.Group("vcpu", List.of(cpu), List.of());
    }
}
