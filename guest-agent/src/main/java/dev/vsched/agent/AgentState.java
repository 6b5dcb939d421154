package dev.vsched.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Write-ahead record of every system file the agent changes, kept in the run directory. A change is
 * recorded (original value first) before it is made, so whatever kills the agent, kill -9 included, the
 * next start finds the file and puts everything back before doing anything else.
 */
public final class AgentState {
    static final String FILE = "agent-state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One changed file and the content it had before the agent touched it. */
    public record Change(String file, String original) {
    }

    /** What is on disk. */
    public record Snapshot(long pid, String mode, List<Change> changes) {
    }

    private final Path file;
    private final long pid;
    private String mode;
    private final List<Change> changes = new ArrayList<>();

    private AgentState(Path runDir, long pid, String mode) {
        this.file = runDir.resolve(FILE);
        this.pid = pid;
        this.mode = mode;
    }

    /** What a previous agent left, if anything. */
    public static Optional<Snapshot> find(Path runDir) throws IOException {
        Path f = runDir.resolve(FILE);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(f.toFile(), Snapshot.class));
        } catch (IOException e) {
            throw new IOException(f + " is not a vsched agent state file (" + e.getMessage()
                    + "); remove it after checking nothing needs restoring", e);
        }
    }

    /**
     * Restores what a dead agent changed, newest change first, and removes its state file. Returns what
     * was restored. Throws if that agent is still alive.
     */
    public static List<Change> repair(Path runDir) throws IOException {
        Optional<Snapshot> left = find(runDir);
        if (left.isEmpty()) {
            return List.of();
        }
        Snapshot s = left.get();
        if (s.pid() != ProcessHandle.current().pid() && ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive)
                .orElse(false)) {
            throw new IllegalStateException("another vsched agent (pid " + s.pid() + ") is running with run "
                    + "directory " + runDir);
        }
        List<Change> undone = new ArrayList<>(s.changes());
        java.util.Collections.reverse(undone);
        for (Change c : undone) {
            restore(c);
        }
        Files.deleteIfExists(runDir.resolve(FILE));
        return undone;
    }

    static void restore(Change c) throws IOException {
        Path p = Path.of(c.file());
        if (Files.exists(p)) {
            // cgroup v2 reads an empty cpuset.cpus as "inherit"; writing "\n" restores exactly that.
            Files.writeString(p, c.original().isEmpty() ? "\n" : c.original());
        }
    }

    /** Starts a fresh record for this process (after {@link #repair}). */
    public static AgentState begin(Path runDir, String mode) throws IOException {
        Files.createDirectories(runDir);
        AgentState s = new AgentState(runDir, ProcessHandle.current().pid(), mode);
        s.save();
        return s;
    }

    public synchronized void setMode(String mode) throws IOException {
        this.mode = mode;
        save();
    }

    /** Records {@code file}'s current content, unless already recorded; call before changing the file. */
    public synchronized void recordBeforeChange(Path file) throws IOException {
        String f = file.toString();
        if (changes.stream().anyMatch(c -> c.file().equals(f))) {
            return;
        }
        changes.add(new Change(f, Files.readString(file).strip()));
        save();
    }

    /** Undoes every recorded change (newest first) and removes the state file; for a clean exit. */
    public synchronized List<String> restoreAll() {
        List<String> problems = new ArrayList<>();
        for (int i = changes.size() - 1; i >= 0; i--) {
            try {
                restore(changes.get(i));
            } catch (IOException e) {
                problems.add(changes.get(i).file() + ": " + e.getMessage());
            }
        }
        changes.clear();
        if (problems.isEmpty()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                problems.add(file + ": " + e.getMessage());
            }
        }
        return problems;
    }

    private void save() throws IOException {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), new Snapshot(pid, mode, List.copyOf(changes)));
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
