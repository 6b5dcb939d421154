package dev.vsched.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Per-thread cpu cgroups for one QEMU process: a parent group {@code vsched-harness-<jvm pid>-<n>}
 * next to the QEMU process's own cgroup, with one child per shaped vCPU thread carrying its weight
 * and quota. {@link #close()} moves the threads back and removes every directory it made.
 *
 * <p>cgroup v1 (this host): a thread id written to a child's {@code tasks} moves that thread alone.
 * cgroup v2: threads can only be split inside a threaded subtree, so the whole process moves into
 * the parent group, the children are made {@code threaded} and thread ids go to {@code cgroup.threads}.
 */
public final class ThreadCgroups implements AutoCloseable {

    static final String PREFIX = "vsched-harness-";
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final CpuCgroupMount mount;
    private final int pid;
    private final Path home;
    private final Path parent;
    private final Map<String, Path> children = new LinkedHashMap<>();
    private final Map<Integer, String> threads = new LinkedHashMap<>();
    private boolean processMoved;
    private boolean closed;

    /** Creates the parent group for process {@code pid} (not yet moving anything). */
    public ThreadCgroups(CpuCgroupMount mount, int pid) {
        this.mount = mount;
        this.pid = pid;
        try {
            String rel = mount.cgroupOf(Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")));
            this.home = mount.mountPoint().resolve(rel.startsWith("/") ? rel.substring(1) : rel);
            this.parent = home.resolve(PREFIX + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
            Files.createDirectory(parent);
            Cleanup.register(this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a cpu cgroup for QEMU pid " + pid + " under " + mount, e);
        }
    }

    public Path parentDir() {
        return parent;
    }

    /**
     * Puts thread {@code tid} alone into child group {@code name} with the given weight (v1
     * cpu.shares scale) and quota; calling it again with the same name updates the settings in place
     * (layout changes while the guest runs).
     */
    public synchronized void place(String name, int tid, int weight, OptionalInt quotaPercent, int periodUs) {
        if (closed) {
            throw new IllegalStateException("cgroups of pid " + pid + " already removed");
        }
        try {
            Path child = children.get(name);
            if (child == null) {
                child = parent.resolve(name);
                Files.createDirectory(child);
                children.put(name, child);
                if (mount.version() == 2) {
                    write(child.resolve("cgroup.type"), "threaded");
                }
            }
            // The parent competes with everything else at its level: give it the weight of all its children.
            long parentWeight = Math.min(262_144L, (long) weight * (threads.size() + (threads.containsKey(tid) ? 0 : 1)));
            if (mount.version() == 1) {
                write(parent.resolve("cpu.shares"), Long.toString(Math.max(parentWeight, weight)));
                write(child.resolve("cpu.shares"), Integer.toString(weight));
                // Period first: a quota is checked against the current period.
                write(child.resolve("cpu.cfs_quota_us"), "-1");
                write(child.resolve("cpu.cfs_period_us"), Integer.toString(periodUs));
                write(child.resolve("cpu.cfs_quota_us"), quotaPercent.isPresent()
                        ? Long.toString((long) periodUs * quotaPercent.getAsInt() / 100) : "-1");
                write(child.resolve("tasks"), Integer.toString(tid));
            } else {
                if (!processMoved) {
                    write(parent.resolve("cgroup.subtree_control"), "+cpu");
                    write(parent.resolve("cgroup.procs"), Integer.toString(pid));
                    processMoved = true;
                }
                // v2 weight is 1..10000 with 100 as the default; v1 shares default to 1024.
                write(parent.resolve("cpu.weight"), Long.toString(Math.max(1, Math.min(10_000, parentWeight * 100 / 1024))));
                write(child.resolve("cpu.weight"), Integer.toString(Math.max(1, Math.min(10_000, weight * 100 / 1024))));
                write(child.resolve("cpu.max"), (quotaPercent.isPresent()
                        ? Long.toString((long) periodUs * quotaPercent.getAsInt() / 100) : "max") + " " + periodUs);
                write(child.resolve("cgroup.threads"), Integer.toString(tid));
            }
            threads.put(tid, name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot place thread " + tid + " of pid " + pid + " in cgroup "
                    + parent.resolve(name) + " (cgroup v" + mount.version() + ")", e);
        }
    }

    /** Quota in microseconds per period now in force for child {@code name}, -1 for none. */
    public long quotaUs(String name) throws IOException {
        Path child = parent.resolve(name);
        if (mount.version() == 1) {
            return Long.parseLong(Files.readString(child.resolve("cpu.cfs_quota_us")).trim());
        }
        String q = Files.readString(child.resolve("cpu.max")).trim().split("\\s+")[0];
        return q.equals("max") ? -1 : Long.parseLong(q);
    }

    /** Thread ids currently in child {@code name}. */
    public List<Integer> threadsIn(String name) throws IOException {
        Path f = parent.resolve(name).resolve(mount.version() == 1 ? "tasks" : "cgroup.threads");
        List<Integer> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) {
            if (!l.isBlank()) {
                out.add(Integer.parseInt(l.trim()));
            }
        }
        return out;
    }

    /** Moves the threads back where they were and removes the groups; safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> errors = new ArrayList<>();
        if (Files.exists(Path.of("/proc/" + pid))) {
            try {
                if (mount.version() == 1) {
                    for (int tid : threads.keySet()) {
                        moveBack(home.resolve("tasks"), tid);
                    }
                } else if (processMoved) {
                    moveBack(home.resolve("cgroup.procs"), pid);
                }
            } catch (IOException e) {
                errors.add(e.toString());
            }
        }
        for (Path child : children.values()) {
            rmdir(child, errors);
        }
        rmdir(parent, errors);
        Cleanup.unregister(this);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("cgroup cleanup of " + parent + " incomplete: " + errors);
        }
    }

    private static void moveBack(Path procsFile, int id) throws IOException {
        try {
            write(procsFile, Integer.toString(id));
        } catch (IOException e) {
            // ESRCH: the thread exited meanwhile, and an exited thread leaves its cgroup by itself.
            if (!String.valueOf(e.getMessage()).contains("No such process")) {
                throw e;
            }
        }
    }

    private static void rmdir(Path dir, List<String> errors) {
        // An exiting thread can keep a group busy for a moment after QEMU is reaped.
        for (int attempt = 0;; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                if (attempt >= 50) {
                    errors.add("rmdir " + dir + ": " + e);
                    return;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    errors.add("interrupted while removing " + dir);
                    return;
                }
            }
        }
    }

    /** cgroup files take one value per write(2); no truncation, no creation. */
    static void write(Path file, String value) throws IOException {
        try {
            Files.writeString(file, value, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new IOException("cgroup file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new IOException("writing '" + value + "' to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes groups left by harness JVMs that died without cleanup (SIGKILL): their name carries
     * the owner's pid. QEMU died with its JVM, so the groups are empty. Returns what was removed.
     */
    public static List<Path> sweepStale(CpuCgroupMount mount) {
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> s = Files.walk(mount.mountPoint(), 3)) {
            for (Path dir : s.filter(Files::isDirectory)
                    .filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith(PREFIX))
                    .toList()) {
                String[] parts = dir.getFileName().toString().substring(PREFIX.length()).split("-");
                long owner;
                try {
                    owner = Long.parseLong(parts[0]);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (owner == ProcessHandle.current().pid() || ProcessHandle.of(owner).isPresent()) {
                    continue;
                }
                List<String> errors = new ArrayList<>();
                try (Stream<Path> kids = Files.list(dir)) {
                    for (Path k : kids.filter(Files::isDirectory).toList()) {
                        rmdir(k, errors);
                    }
                }
                rmdir(dir, errors);
                if (errors.isEmpty()) {
                    removed.add(dir);
                }
            }
        } catch (IOException e) {
            // A racing rmdir by another harness; the next sweep catches anything left.
        }
        return removed;
    }

    /** Every harness group currently present under the mount (for leak checks in tests). */
    public static List<Path> present(CpuCgroupMount mount) throws IOException {
        try (Stream<Path> s = Files.walk(mount.mountPoint(), 3)) {
            return s.filter(Files::isDirectory)
                    .filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith(PREFIX))
                    .toList();
        }
    }
}
