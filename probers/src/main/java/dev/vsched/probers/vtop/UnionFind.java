package dev.vsched.probers.vtop;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Disjoint sets of vCPU ids. */
final class UnionFind {
    private final Map<Integer, Integer> parent = new HashMap<>();

    int find(int x) {
        int root = x;
        while (parent.getOrDefault(root, root) != root) {
            root = parent.get(root);
        }
        int cur = x;
        while (cur != root) {
            int next = parent.getOrDefault(cur, cur);
            parent.put(cur, root);
            cur = next;
        }
        parent.putIfAbsent(root, root);
        return root;
    }

    void union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra != rb) {
            parent.put(Math.max(ra, rb), Math.min(ra, rb));
        }
    }

    int largestGroup() {
        Map<Integer, Integer> sizes = new HashMap<>();
        for (int x : parent.keySet()) {
            sizes.merge(find(x), 1, Integer::sum);
        }
        return sizes.values().stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    /** Groups of the given members, keyed by smallest member, members sorted. */
    Map<Integer, TreeSet<Integer>> groups(Iterable<Integer> members) {
        Map<Integer, TreeSet<Integer>> out = new TreeMap<>();
        for (int x : members) {
            out.computeIfAbsent(find(x), k -> new TreeSet<>()).add(x);
        }
        Map<Integer, TreeSet<Integer>> byFirst = new TreeMap<>();
        for (TreeSet<Integer> g : out.values()) {
            byFirst.put(g.first(), g);
        }
        return byFirst;
    }
}
