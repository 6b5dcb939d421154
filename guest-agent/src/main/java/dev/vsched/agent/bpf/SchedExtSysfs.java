package dev.vsched.agent.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's sched_ext state in sysfs: whether it exists, its state and the active scheduler's name. */
public final class SchedExtSysfs {
    public static final Path ROOT = Path.of("/sys/kernel/sched_ext");

    private SchedExtSysfs() {
    }

    /** Whether this kernel has sched_ext. */
    public static boolean present() {
        return Files.isDirectory(ROOT);
    }

    /** "disabled", "enabling", "enabled", "disabling"; empty when unreadable. */
    public static String state() {
        return read("state");
    }

    /** The active scheduler's ops name; empty when none or unreadable. */
    public static String ops() {
        return read("root/ops");
    }

    private static String read(String name) {
        try {
            return Files.readString(ROOT.resolve(name)).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
