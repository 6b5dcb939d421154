package dev.vsched.probers;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of vsched, for the CLI's options and the agent's config alike: a decimal number
 * and a unit ({@code ns}, {@code us}, {@code ms}, {@code s}, {@code m}, {@code h}), any case, optionally
 * separated by blanks: {@code 500ms}, {@code 1.5s}, {@code 2 m}, {@code 1H}. No sign, no exponent, no bare
 * number: a unit is always spelt out, so {@code 5} never silently means 5 ns.
 */
public final class Durations {
    private Durations() {
    }

    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h)");
    /** Longest accepted: room to add two durations without overflow (about 146 years). */
    private static final double MAX_NS = Long.MAX_VALUE / 2;

    /**
     * Nanoseconds, rounded to the nearest; the message of the IllegalArgumentException quotes {@code text}
     * and says what is expected.
     */
    public static long parseNs(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no duration given (use e.g. 500ms, 2s, 1m)");
        }
        Matcher m = FORM.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (a number and ns, us, ms, s, m"
                    + " or h, e.g. 500ms, 2s, 1m)");
        }
        double scale = switch (m.group(2)) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
        };
        double ns = Double.parseDouble(m.group(1)) * scale;
        if (ns > MAX_NS) {
            throw new IllegalArgumentException("duration '" + text + "' is too long");
        }
        return Math.round(ns);
    }
}
