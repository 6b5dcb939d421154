package dev.vsched.probers.proc;

import java.util.BitSet;

/** The kernel's CPU list format ({@code 0-3,5,8-9}), as in /sys/devices/system/cpu/online. */
public final class CpuList {
    /** Far above any real machine; guards against a typo like {@code 0-99999999} allocating gigabytes. */
    public static final int MAX_CPU = 1 << 16;

    private CpuList() {
    }

    /**
     * Parses a list; an empty string is the empty set. Throws {@link IllegalArgumentException} that quotes
     * the offending element for anything malformed (reversed range, junk, negative, too large).
     */
    public static BitSet parse(String text) {
        BitSet set = new BitSet();
        String s = text.strip();
        if (s.isEmpty()) {
            return set;
        }
        for (String part : s.split(",", -1)) {
            String p = part.strip();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("empty element in CPU list '" + text + "'");
            }
            int dash = p.indexOf('-');
            if (dash < 0) {
                set.set(number(p, text));
            } else {
                int lo = number(p.substring(0, dash), text);
                int hi = number(p.substring(dash + 1), text);
                if (hi < lo) {
                    throw new IllegalArgumentException("reversed range '" + p + "' in CPU list '" + text + "'");
                }
                set.set(lo, hi + 1);
            }
        }
        return set;
    }

    private static int number(String s, String whole) {
        String t = s.strip();
        if (t.isEmpty() || !t.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + s + "' is not a CPU number in CPU list '" + whole + "'");
        }
        if (t.length() > 6 || Integer.parseInt(t) > MAX_CPU) {
            throw new IllegalArgumentException("CPU " + t + " is out of range in CPU list '" + whole + "'");
        }
        return Integer.parseInt(t);
    }

    /** Formats a set in the kernel's compact form. */
    public static String format(BitSet set) {
        StringBuilder sb = new StringBuilder();
        int i = set.nextSetBit(0);
        while (i >= 0) {
            int end = set.nextClearBit(i) - 1;
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(i);
            if (end > i) {
                sb.append('-').append(end);
            }
            i = set.nextSetBit(end + 1);
        }
        return sb.toString();
    }
}
