package dev.vsched.eval;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one {@code sysbench cpu ... run} printed: throughput (events per second, total events) and the
 * per-event latency in ms (p95, max). An event is one prime search, so on a vCPU the host preempts its
 * latency grows by the time the vCPU was inactive.
 */
public record SysbenchOutput(double eventsPerSecond, long totalEvents, double latencyP95Ms, double latencyMaxMs) {

    private static final Pattern EPS = Pattern.compile("events per second:\\s*([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("total number of events:\\s*([0-9]+)");
    private static final Pattern P95 = Pattern.compile("95th percentile:\\s*([0-9.]+)");
    private static final Pattern MAX = Pattern.compile("\\bmax:\\s*([0-9.]+)");

    /** @throws IllegalArgumentException naming the line that is missing */
    public static SysbenchOutput parse(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("sysbench printed nothing (empty output)");
        }
        return new SysbenchOutput(number(text, EPS, "events per second"),
                (long) number(text, TOTAL, "total number of events"),
                number(text, P95, "95th percentile"),
                number(text, MAX, "max"));
    }

    private static double number(String text, Pattern p, String what) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("sysbench output has no '" + what + "' line");
        }
        return Double.parseDouble(m.group(1));
    }
}
