package dev.vsched.agent.rwc;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Relaxed work conservation: decides, round by round, which vCPUs to leave unused. Stragglers (smoothed
 * capacity under a fraction of the best vCPU's) are hidden only after staying stragglers for a few rounds
 * in a row, and come back only after staying healthy as long, so one noisy window never flips placement.
 * Of each stacked group one vCPU stays usable (the one already kept, else the most capable). At least
 * {@code minUsable} vCPUs always stay usable: the most capable hidden ones come back first.
 */
public final class RwcPlanner {
    private final double stragglerFraction;
    private final boolean hideStacked;
    private final int hysteresis;
    private final int minUsable;
    private final Map<Integer, Integer> streak = new HashMap<>();
    private final Set<Integer> straggling = new java.util.HashSet<>();
    private final Map<Set<Integer>, Integer> keeper = new HashMap<>();

    /** One vCPU as the planner sees it: available or not, and its smoothed capacity (0..1024). */
    public record Vcpu(int cpu, boolean available, int capacity) {
    }

    public RwcPlanner(double stragglerFraction, boolean hideStacked, int hysteresis, int minUsable) {
        if (hysteresis < 1 || minUsable < 1 || !(stragglerFraction >= 0 && stragglerFraction <= 1)) {
            throw new IllegalArgumentException("bad RWC parameters: fraction " + stragglerFraction + ", hysteresis "
                    + hysteresis + ", min usable " + minUsable);
        }
        this.stragglerFraction = stragglerFraction;
        this.hideStacked = hideStacked;
        this.hysteresis = hysteresis;
        this.minUsable = minUsable;
    }

    /**
     * @param vcpus   every vCPU the agent manages
     * @param stacked stacked groups from vTOP (each of two or more vCPUs)
     */
    public UsablePlan plan(List<Vcpu> vcpus, List<Set<Integer>> stacked) {
        Map<Integer, Vcpu> byCpu = new TreeMap<>();
        vcpus.forEach(v -> byCpu.put(v.cpu(), v));
        Map<Integer, String> offline = new TreeMap<>();
        Map<Integer, UsablePlan.Hidden> hidden = new TreeMap<>();
        int best = vcpus.stream().filter(Vcpu::available).mapToInt(Vcpu::capacity).max().orElse(0);
        for (Vcpu v : byCpu.values()) {
            if (!v.available()) {
                offline.put(v.cpu(), "unavailable");
                streak.remove(v.cpu());
                straggling.remove(v.cpu());
                continue;
            }
            boolean candidate = v.capacity() < stragglerFraction * best;
            boolean now = straggling.contains(v.cpu());
            int s = candidate != now ? streak.getOrDefault(v.cpu(), 0) + 1 : 0;
            if (s >= hysteresis) {
                if (candidate) {
                    straggling.add(v.cpu());
                } else {
                    straggling.remove(v.cpu());
                }
                s = 0;
            }
            streak.put(v.cpu(), s);
            if (straggling.contains(v.cpu())) {
                hidden.put(v.cpu(), UsablePlan.Hidden.straggler(v.capacity(), best));
            }
        }
        if (hideStacked) {
            Map<Set<Integer>, Integer> kept = new HashMap<>();
            for (Set<Integer> group : stacked) {
                List<Vcpu> members = group.stream().map(byCpu::get)
                        .filter(v -> v != null && v.available()).toList();
                if (members.size() < 2) {
                    continue;
                }
                Integer previous = keeper.get(group);
                int keep = previous != null && members.stream().anyMatch(v -> v.cpu() == previous)
                        ? previous
                        : members.stream().max(Comparator.comparingInt(Vcpu::capacity)
                                .thenComparing(Comparator.comparingInt(Vcpu::cpu).reversed())).orElseThrow().cpu();
                kept.put(group, keep);
                for (Vcpu v : members) {
                    if (v.cpu() != keep) {
                        hidden.putIfAbsent(v.cpu(), UsablePlan.Hidden.stackedWith(keep));
                    }
                }
            }
            keeper.clear();
            keeper.putAll(kept);
        }
        BitSet usable = new BitSet();
        byCpu.values().stream().filter(Vcpu::available).filter(v -> !hidden.containsKey(v.cpu()))
                .forEach(v -> usable.set(v.cpu()));
        if (usable.cardinality() < minUsable) {
            List<Vcpu> back = new ArrayList<>(hidden.keySet().stream().map(byCpu::get).toList());
            back.sort(Comparator.comparingInt(Vcpu::capacity).reversed().thenComparingInt(Vcpu::cpu));
            for (Vcpu v : back) {
                if (usable.cardinality() >= minUsable) {
                    break;
                }
                usable.set(v.cpu());
                hidden.remove(v.cpu());
            }
        }
        return new UsablePlan(usable, hidden, offline);
    }
}
