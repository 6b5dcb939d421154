package dev.vsched.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;

/**
 * cyclictest's {@code --json} output, all threads merged: wake-up latency counts per 1 us bucket
 * ({@code --histogram=N} keeps N buckets) and the samples beyond the last bucket (overflows: counted
 * in a thread's {@code cycles} but in no bucket).
 */
public final class CyclictestHistogram {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long[] buckets;
    private final long overflows;
    private final long maxUs;

    private CyclictestHistogram(long[] buckets, long overflows, long maxUs) {
        this.buckets = buckets;
        this.overflows = overflows;
        this.maxUs = maxUs;
    }

    /** @throws IllegalArgumentException when the JSON lacks the threads, their histogram or their cycles */
    public static CyclictestHistogram parse(String json) {
        if (json.isBlank()) {
            throw new IllegalArgumentException("cyclictest printed nothing (empty JSON)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("cyclictest JSON does not parse: " + e.getMessage(), e);
        }
        JsonNode threads = root == null ? null : root.get("thread");
        if (threads == null || !threads.isObject() || threads.isEmpty()) {
            throw new IllegalArgumentException("cyclictest JSON has no \"thread\" object");
        }
        long[] b = new long[0];
        long overflows = 0;
        long max = 0;
        for (Map.Entry<String, JsonNode> t : threads.properties()) {
            JsonNode h = t.getValue().get("histogram");
            JsonNode cycles = t.getValue().get("cycles");
            if (h == null || !h.isObject() || cycles == null || !cycles.canConvertToLong()) {
                throw new IllegalArgumentException("cyclictest thread " + t.getKey() + " has no histogram or cycles");
            }
            long inBuckets = 0;
            for (Map.Entry<String, JsonNode> e : h.properties()) {
                int us = Integer.parseInt(e.getKey());
                if (us < 0) {
                    throw new IllegalArgumentException("cyclictest thread " + t.getKey() + ": bucket " + us);
                }
                if (us >= b.length) {
                    b = java.util.Arrays.copyOf(b, Math.max(us + 1, b.length * 2));
                }
                b[us] += e.getValue().asLong();
                inBuckets += e.getValue().asLong();
            }
            if (cycles.asLong() < inBuckets) {
                throw new IllegalArgumentException("cyclictest thread " + t.getKey() + ": " + inBuckets
                        + " samples in buckets but only " + cycles.asLong() + " cycles");
            }
            overflows += cycles.asLong() - inBuckets;
            JsonNode m = t.getValue().get("max");
            if (m != null && m.canConvertToLong()) {
                max = Math.max(max, m.asLong());
            }
        }
        return new CyclictestHistogram(b, overflows, max);
    }

    /** All samples of several runs in one histogram (an arm's runs, for its latency CDF). */
    public static CyclictestHistogram merge(java.util.List<CyclictestHistogram> hs) {
        int len = hs.stream().mapToInt(h -> h.buckets.length).max().orElse(0);
        long[] b = new long[len];
        long over = 0;
        long max = 0;
        for (CyclictestHistogram h : hs) {
            for (int i = 0; i < h.buckets.length; i++) {
                b[i] += h.buckets[i];
            }
            over += h.overflows;
            max = Math.max(max, h.maxUs);
        }
        return new CyclictestHistogram(b, over, max);
    }

    /**
     * The empirical CDF: pairs {us, fraction of all samples at or below us} at each non-empty bucket. It
     * ends below 1 by the overflows' share: their values are only known to lie past the last bucket.
     */
    public java.util.List<double[]> cdf() {
        java.util.List<double[]> out = new java.util.ArrayList<>();
        long n = samples();
        long seen = 0;
        for (int us = 0; us < buckets.length && n > 0; us++) {
            if (buckets[us] > 0) {
                seen += buckets[us];
                out.add(new double[] {us, seen / (double) n});
            }
        }
        return out;
    }

    public long samples() {
        long n = overflows;
        for (long c : buckets) {
            n += c;
        }
        return n;
    }

    public long overflows() {
        return overflows;
    }

    public long maxUs() {
        return maxUs;
    }

    /**
     * The latency (us) at or below which fraction {@code q} of the samples lie; empty when that sample
     * is an overflow (its value is only known to be past the last bucket) or there are no samples.
     */
    public java.util.OptionalLong percentileUs(double q) {
        if (q <= 0 || q > 1) {
            throw new IllegalArgumentException("quantile " + q + " outside (0, 1]");
        }
        long n = samples();
        if (n == 0) {
            return java.util.OptionalLong.empty();
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int us = 0; us < buckets.length; us++) {
            seen += buckets[us];
            if (seen >= rank) {
                return java.util.OptionalLong.of(us);
            }
        }
        return java.util.OptionalLong.empty();
    }
}
