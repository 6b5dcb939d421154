package dev.vsched.vm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Last-resort cleanup: everything the harness creates (QEMU processes, cgroups, temp dirs)
 * registers here and unregisters when closed normally. A JVM shutdown hook closes what is
 * still open on exit, Ctrl-C and SIGTERM; SIGKILL is covered by QEMU's parent-death signal and
 * {@link ThreadCgroups#sweepStale} on the next run.
 */
final class Cleanup {

    private static final Set<AutoCloseable> OPEN = Collections.newSetFromMap(new IdentityHashMap<>());
    private static boolean hookInstalled;

    private Cleanup() {
    }

    static synchronized void register(AutoCloseable resource) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::closeAll, "vsched-harness-cleanup"));
            hookInstalled = true;
        }
        OPEN.add(resource);
    }

    static synchronized void unregister(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    static void closeAll() {
        List<AutoCloseable> open;
        synchronized (Cleanup.class) {
            open = new ArrayList<>(OPEN);
        }
        // Newest first: a VM closes before the cgroups and directory it lives in.
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("vsched harness: cleanup of " + c + " failed: " + e);
            }
        }
    }
}
