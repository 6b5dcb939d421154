package dev.vsched.probers.sys;

import java.util.Map;

/** The errno values vsched's calls can return, with their symbolic names for messages. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EFAULT = 14;
    public static final int EINVAL = 22;

    private static final Map<Integer, String> NAMES = Map.of(
            EPERM, "EPERM (operation not permitted)",
            ESRCH, "ESRCH (no such thread)",
            EINTR, "EINTR (interrupted)",
            EFAULT, "EFAULT (bad address)",
            EINVAL, "EINVAL (invalid argument)");

    private Errno() {
    }

    public static String describe(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }
}
