package dev.vsched.probers.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's sched_ext files, the one place Java names them: whether the kernel has sched_ext, its state
 * and which BPF scheduler runs. vsched_intf.h's VSCHED_SCX_* (for the C loader) are checked against these by
 * the interface mirror test; the guest scripts use lib.sh's {@code scx}.
 */
public final class SchedExtSysfs {
    private SchedExtSysfs() {
    }

    /** Present only on a kernel built with sched_ext. */
    public static final Path ROOT = Path.of("/sys/kernel/sched_ext");
    /** {@code enabled}, {@code disabled}, {@code enabling}, {@code disabling}. */
    public static final Path STATE = ROOT.resolve("state");
    /** The running BPF scheduler's ops name; absent while none runs. */
    public static final Path OPS = ROOT.resolve("root/ops");

    /** Whether this kernel has sched_ext. */
    public static boolean present() {
        return Files.isDirectory(ROOT);
    }

    /** The sched_ext state, or "" when it cannot be read (no sched_ext). */
    public static String state() {
        return read(STATE);
    }

    /** The running scheduler's name, or "" when none runs (or there is no sched_ext). */
    public static String ops() {
        return read(OPS);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
