package dev.vsched.probers.report;

import java.util.Locale;

/** Human formatting of durations and fractions for the text report and verdict. */
final class Units {
    private Units() {
    }

    static String duration(double ns) {
        if (Double.isNaN(ns)) {
            return "-";
        }
        if (ns >= 1e9) {
            return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
        }
        if (ns >= 1e6) {
            return String.format(Locale.ROOT, "%.1f ms", ns / 1e6);
        }
        if (ns >= 1e3) {
            return String.format(Locale.ROOT, "%.0f us", ns / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f ns", ns);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }

    static String percent1(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }
}
