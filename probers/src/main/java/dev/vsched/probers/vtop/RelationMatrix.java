package dev.vsched.probers.vtop;

import java.util.List;

/**
 * Relations between a fixed list of vCPUs, with transitive inference. Topology is a hierarchy (same
 * physical CPU, core, socket, machine), so relations form an ultrametric: if rel(x,y) and rel(y,z) differ,
 * rel(x,z) is the farther of the two; if both are "stacked", x and z are stacked too (same physical CPU).
 * Equal relations at higher levels say nothing certain about x and z, and are left to be probed.
 */
final class RelationMatrix {
    private final List<Integer> cpus;
    private final Relation[][] rel;
    private final boolean[][] inferred;

    RelationMatrix(List<Integer> cpus) {
        this.cpus = List.copyOf(cpus);
        int n = cpus.size();
        rel = new Relation[n][n];
        inferred = new boolean[n][n];
        for (Relation[] row : rel) {
            java.util.Arrays.fill(row, Relation.UNKNOWN);
        }
    }

    List<Integer> cpus() {
        return cpus;
    }

    int index(int cpu) {
        int i = cpus.indexOf(cpu);
        if (i < 0) {
            throw new IllegalArgumentException("vCPU " + cpu + " is not in this matrix");
        }
        return i;
    }

    void set(int a, int b, Relation r) {
        int i = index(a);
        int j = index(b);
        rel[i][j] = r;
        rel[j][i] = r;
        inferred[i][j] = false;
        inferred[j][i] = false;
    }

    Relation get(int a, int b) {
        return rel[index(a)][index(b)];
    }

    boolean inferred(int a, int b) {
        return inferred[index(a)][index(b)];
    }

    /** Fills unknown pairs by the hierarchy rule until nothing changes; returns how many were inferred. */
    int infer() {
        int n = cpus.size();
        int added = 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int x = 0; x < n; x++) {
                for (int z = x + 1; z < n; z++) {
                    if (rel[x][z].known()) {
                        continue;
                    }
                    for (int y = 0; y < n; y++) {
                        if (y == x || y == z || !rel[x][y].known() || !rel[y][z].known()) {
                            continue;
                        }
                        Relation r1 = rel[x][y];
                        Relation r2 = rel[y][z];
                        Relation r = r1 != r2 ? Relation.farther(r1, r2)
                                : r1 == Relation.STACKED ? Relation.STACKED : Relation.UNKNOWN;
                        if (r.known()) {
                            rel[x][z] = r;
                            rel[z][x] = r;
                            inferred[x][z] = true;
                            inferred[z][x] = true;
                            added++;
                            changed = true;
                            break;
                        }
                    }
                }
            }
        }
        return added;
    }

    /** How many known relations vCPU {@code cpu} has (to order probing towards the least known). */
    int knownCount(int cpu) {
        int i = index(cpu);
        int k = 0;
        for (int j = 0; j < cpus.size(); j++) {
            if (j != i && rel[i][j].known()) {
                k++;
            }
        }
        return k;
    }
}
