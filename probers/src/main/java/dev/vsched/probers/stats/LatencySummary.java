package dev.vsched.probers.stats;

import org.HdrHistogram.Histogram;

/** A latency distribution reduced to what the report shows; all values in ns. */
public record LatencySummary(long count, long p50, long p95, long p99, long max, long total) {
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0);

    public static LatencySummary of(Histogram h, long totalNs) {
        if (h.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(95),
                h.getValueAtPercentile(99), h.getMaxValue(), totalNs);
    }
}
