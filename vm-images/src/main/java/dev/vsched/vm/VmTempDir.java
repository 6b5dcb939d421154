package dev.vsched.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A boot's temporary directory (QMP socket, console and results logs), deleted recursively on close. Its
 * name carries the owning JVM's pid and thread, so a later run removes what a killed JVM left and boots
 * running side by side tell theirs apart.
 */
record VmTempDir(Path dir) implements AutoCloseable {
    static final String PREFIX = "vsched-vm-";

    /** Temp directories of the boots this thread starts begin with this: {@code vsched-vm-<pid>-t<thread id>-}. */
    static String prefixOfThisThread() {
        return PREFIX + ProcessHandle.current().pid() + "-t" + Thread.currentThread().threadId() + "-";
    }

    /** Deletes temp directories of harness JVMs that no longer exist (killed without cleanup). */
    static void sweepStale() {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList()) {
                String[] parts = p.getFileName().toString().substring(PREFIX.length()).split("-");
                try {
                    long owner = Long.parseLong(parts[0]);
                    if (ProcessHandle.of(owner).isEmpty()) {
                        new VmTempDir(p).close();
                    }
                } catch (NumberFormatException | UncheckedIOException e) {
                    // Not ours, or being removed by someone else: leave it.
                }
            }
        } catch (IOException e) {
            // Sweeping is best effort; this run's own cleanup does not depend on it.
        }
    }

    @Override
    public void close() {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
