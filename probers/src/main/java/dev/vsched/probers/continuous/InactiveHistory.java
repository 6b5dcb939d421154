package dev.vsched.probers.continuous;

import dev.vsched.probers.stats.LatencySummary;
import dev.vsched.probers.timeline.ClassifiedTimeline;
import dev.vsched.probers.timeline.GapThreshold;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Per vCPU, the last rounds' classified windows, for the vCPU latency distribution: one short window alone
 * says little. Each round is classified once, and again only when the threshold moved (a new calibration
 * window). Not thread-safe: one owner.
 */
final class InactiveHistory {
    private final int rounds;
    private final Map<Integer, Deque<ClassifiedTimeline>> history = new HashMap<>();
    /** Scratch for the summaries: a histogram able to hold any gap is large, so one is reused. */
    private final Histogram scratch = ClassifiedTimeline.newHostGapHistogram();

    /** @param rounds how many rounds each vCPU's distribution covers */
    InactiveHistory(int rounds) {
        this.rounds = rounds;
    }

    /** Adds a vCPU's latest window, dropping the oldest beyond the rounds covered. */
    void add(ClassifiedTimeline window) {
        Deque<ClassifiedTimeline> h = history.computeIfAbsent(window.sample().cpu(), c -> new ArrayDeque<>());
        h.addLast(window);
        while (h.size() > rounds) {
            h.removeFirst();
        }
    }

    /** Drops a vCPU's windows (it went offline). */
    void forget(int cpu) {
        history.remove(cpu);
    }

    /** The inactive periods of a vCPU's covered rounds, classified against {@code threshold}. */
    LatencySummary summary(int cpu, GapThreshold threshold) {
        Deque<ClassifiedTimeline> h = history.getOrDefault(cpu, new ArrayDeque<>());
        if (h.stream().anyMatch(c -> !c.threshold().equals(threshold))) {
            List<ClassifiedTimeline> again = h.stream().map(c -> c.threshold().equals(threshold) ? c
                    : ClassifiedTimeline.classify(c.sample(), threshold)).toList();
            h.clear();
            h.addAll(again);
        }
        scratch.reset();
        long total = 0;
        for (ClassifiedTimeline c : h) {
            c.recordHostGaps(scratch);
            total += c.hostGapNs();
        }
        return LatencySummary.of(scratch, total);
    }
}
