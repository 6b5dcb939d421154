package dev.vsched.cli;

import dev.vsched.probers.proc.CpuList;
import dev.vsched.probers.report.ProbeOptions;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers for CLI option values; their messages name the bad value and the expected form. */
final class Converters {
    private Converters() {
    }

    /** {@code 2s}, {@code 1500ms}, {@code 0.5s}, {@code 1m}; returns nanoseconds. */
    static final class Duration implements ITypeConverter<Long> {
        private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m)");

        @Override
        public Long convert(String value) {
            Matcher m = FORM.matcher(value.strip().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a duration (use e.g. 2s, 1500ms, 1m)");
            }
            double n = Double.parseDouble(m.group(1));
            double scale = switch (m.group(2)) {
                case "ns" -> 1;
                case "us" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                default -> 60e9;
            };
            double ns = n * scale;
            if (ns > Long.MAX_VALUE / 2) {
                throw new TypeConversionException("duration '" + value + "' is too long");
            }
            return Math.round(ns);
        }
    }

    /** A kernel-style CPU list, e.g. {@code 0-3,6}. */
    static final class Cpus implements ITypeConverter<List<Integer>> {
        @Override
        public List<Integer> convert(String value) {
            BitSet set;
            try {
                set = CpuList.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            if (set.isEmpty()) {
                throw new TypeConversionException("the CPU list is empty");
            }
            List<Integer> out = new ArrayList<>();
            for (int c = set.nextSetBit(0); c >= 0; c = set.nextSetBit(c + 1)) {
                out.add(c);
            }
            return out;
        }
    }

    /** Comma-separated prober names. */
    static final class Probers implements ITypeConverter<Set<ProbeOptions.Prober>> {
        @Override
        public Set<ProbeOptions.Prober> convert(String value) {
            Set<ProbeOptions.Prober> out = EnumSet.noneOf(ProbeOptions.Prober.class);
            for (String part : value.split(",", -1)) {
                String p = part.strip().toLowerCase(Locale.ROOT);
                try {
                    out.add(ProbeOptions.Prober.valueOf(p.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new TypeConversionException("unknown prober '" + part + "' (choose from vcap, vact, vtop)");
                }
            }
            return out;
        }
    }
}
