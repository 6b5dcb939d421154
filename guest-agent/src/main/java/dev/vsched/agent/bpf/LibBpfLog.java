package dev.vsched.agent.bpf;

import dev.vsched.probers.sys.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes libbpf's log to SLF4J (logger {@code libbpf}: WARN, INFO, DEBUG as libbpf graded them) and keeps
 * the last lines, per thread while a {@link Capture} is open, so a failed load can quote the verifier.
 *
 * <p>libbpf hands its print callback a printf format and a {@code va_list}. On x86-64 a {@code va_list}
 * parameter is a pointer to a 24-byte {@code __va_list_tag}, so the upcall receives an address and passes
 * it on to libc's {@code vsnprintf}. A message longer than the first buffer is formatted again from a
 * byte copy of the tag taken before the first pass, which is exactly what {@code va_copy} does on x86-64.
 * Other architectures keep libbpf's default (stderr).
 */
public final class LibBpfLog {
    private LibBpfLog() {
    }

    static final Logger LOG = LoggerFactory.getLogger("libbpf");
    /** Lines a capture keeps: the end of a verifier log (the error is in its last lines). */
    static final int CAPTURE_LINES = 64;
    private static final int RECENT_LINES = 256;
    private static final long VA_LIST_TAG_SIZE = 24;
    private static final int FIRST_BUFFER = 1024;

    private static final ThreadLocal<ArrayDeque<String>> CAPTURE = new ThreadLocal<>();
    private static final ArrayDeque<String> RECENT = new ArrayDeque<>();
    private static boolean installed;

    private static final class vsnprintf {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(LibBpf.C_INT, LibBpf.C_POINTER,
                LibBpf.C_SIZE_T, LibBpf.C_POINTER, LibBpf.C_POINTER);
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().find("vsnprintf").orElseThrow(), DESC);
    }

    /** int vsnprintf(char *str, size_t size, const char *format, va_list ap); with ap as a pointer (x86-64). */
    static int vsnprintf(MemorySegment str, long size, MemorySegment format, MemorySegment ap) {
        try {
            return (int) vsnprintf.HANDLE.invokeExact(str, size, format, ap);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** True where a va_list parameter is passed as a pointer to a __va_list_tag we know the size of. */
    static boolean supportedArch() {
        String arch = System.getProperty("os.arch");
        return "amd64".equals(arch) || "x86_64".equals(arch);
    }

    /** Installs the callback once per process (libbpf's print function is global). No-op if already done. */
    public static synchronized void install() throws BpfException {
        if (installed) {
            return;
        }
        LibBpf.requireLoaded();
        if (!supportedArch()) {
            LOG.info("libbpf log stays on stderr: va_list forwarding is only implemented for x86-64, not {}",
                    System.getProperty("os.arch"));
            installed = true;
            return;
        }
        try {
            MethodHandle print = MethodHandles.lookup().findStatic(LibBpfLog.class, "print",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            // Global arena: libbpf may call the stub until the process exits.
            MemorySegment stub = Linker.nativeLinker().upcallStub(print, LibBpf.LIBBPF_PRINT_FN, Arena.global());
            LibBpf.libbpf_set_print(stub);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("LibBpfLog.print is missing", e);
        }
        installed = true;
    }

    /** The upcall. Must never throw: an exception escaping an upcall ends the JVM. */
    private static int print(int level, MemorySegment fmt, MemorySegment ap) {
        try {
            boolean keep = level != LibBpf.LIBBPF_DEBUG;
            if (!keep && !LOG.isDebugEnabled()) {
                return 0;
            }
            String msg = format(fmt, ap);
            String text = msg.endsWith("\n") ? msg.substring(0, msg.length() - 1) : msg;
            switch (level) {
                case LibBpf.LIBBPF_WARN -> LOG.warn(text);
                case LibBpf.LIBBPF_INFO -> LOG.info(text);
                default -> LOG.debug(text);
            }
            if (keep) {
                remember(text);
            }
            return msg.length();
        } catch (Throwable t) {
            try {
                LOG.warn("could not format a libbpf log message", t);
            } catch (Throwable ignored) {
                // nothing left to report to
            }
            return 0;
        }
    }

    static String format(MemorySegment fmt, MemorySegment ap) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(VA_LIST_TAG_SIZE, 8);
            copy.copyFrom(ap.reinterpret(VA_LIST_TAG_SIZE));
            MemorySegment buf = arena.allocate(FIRST_BUFFER);
            int n = vsnprintf(buf, FIRST_BUFFER, fmt, ap);
            if (n < 0) {
                return "(libbpf message could not be formatted: " + fmt.reinterpret(Long.MAX_VALUE).getString(0) + ")";
            }
            if (n >= FIRST_BUFFER) {
                buf = arena.allocate(n + 1L);
                vsnprintf(buf, n + 1L, fmt, copy);
            }
            return buf.getString(0);
        }
    }

    private static void remember(String text) {
        ArrayDeque<String> cap = CAPTURE.get();
        for (String line : text.split("\n", -1)) {
            if (cap != null) {
                if (cap.size() == CAPTURE_LINES) {
                    cap.removeFirst();
                }
                cap.addLast(line);
            }
            synchronized (RECENT) {
                if (RECENT.size() == RECENT_LINES) {
                    RECENT.removeFirst();
                }
                RECENT.addLast(line);
            }
        }
    }

    /** libbpf's last WARN/INFO lines from any thread, oldest first (for diagnostics and tests). */
    public static List<String> recentLines() {
        synchronized (RECENT) {
            return new ArrayList<>(RECENT);
        }
    }

    /** Starts keeping this thread's libbpf lines; close() restores whatever capture was open before. */
    static Capture capture() {
        return new Capture();
    }

    static final class Capture implements AutoCloseable {
        private final ArrayDeque<String> previous = CAPTURE.get();
        private final ArrayDeque<String> lines = new ArrayDeque<>();

        private Capture() {
            CAPTURE.set(lines);
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public void close() {
            if (previous == null) {
                CAPTURE.remove();
            } else {
                previous.addAll(lines);
                while (previous.size() > CAPTURE_LINES) {
                    previous.removeFirst();
                }
                CAPTURE.set(previous);
            }
        }
    }
}
