package dev.vsched.cli;

import dev.vsched.probers.Durations;
import dev.vsched.probers.proc.CpuList;
import dev.vsched.probers.report.ProbeOptions;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers for CLI option values; their messages name the bad value and the expected form. */
final class Converters {
    private Converters() {
    }

    /** {@code 2s}, {@code 1500ms}, {@code 0.5s}, {@code 1m}, as {@link Durations} reads them; nanoseconds. */
    static final class Duration implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Durations.parseNs(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
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
