package dev.vsched.agent.rwc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where cpusets live on this machine: cgroup v2 (one hierarchy, cpuset in cgroup.controllers) or a cgroup
 * v1 hierarchy with the cpuset controller. Both expose {@code cpuset.cpus} per cgroup; v2 additionally
 * needs cpuset enabled in each parent's {@code cgroup.subtree_control}.
 */
public record CgroupCpusets(Path root, boolean v2) {

    /** Finds the cpuset hierarchy from /proc/self/mounts; empty if there is none. */
    public static Optional<CgroupCpusets> detect() throws IOException {
        return detect(Files.readAllLines(Path.of("/proc/self/mounts")));
    }

    static Optional<CgroupCpusets> detect(List<String> mounts) {
        for (String line : mounts) {
            String[] f = line.split(" ");
            if (f.length >= 4 && "cgroup2".equals(f[2])) {
                Path root = Path.of(f[1]);
                try {
                    if (Files.readString(root.resolve("cgroup.controllers")).contains("cpuset")) {
                        return Optional.of(new CgroupCpusets(root, true));
                    }
                } catch (IOException e) {
                    // not readable: keep looking for a v1 cpuset hierarchy
                }
            }
        }
        for (String line : mounts) {
            String[] f = line.split(" ");
            if (f.length >= 4 && "cgroup".equals(f[2]) && List.of(f[3].split(",")).contains("cpuset")) {
                return Optional.of(new CgroupCpusets(Path.of(f[1]), false));
            }
        }
        return Optional.empty();
    }

    /** The cpuset.cpus file of a slice (relative to the root); throws naming the slice if it is absent. */
    public Path cpusFile(String slice) {
        Path dir = root.resolve(slice).normalize();
        if (!dir.startsWith(root)) {
            throw new IllegalArgumentException("cgroup '" + slice + "' is outside " + root);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("cgroup '" + slice + "' does not exist under " + root);
        }
        return dir.resolve("cpuset.cpus");
    }

    /** v2: the subtree_control files that must carry +cpuset for {@code slice} to have a cpuset. */
    public List<Path> subtreeControls(String slice) {
        if (!v2) {
            return List.of();
        }
        List<Path> out = new java.util.ArrayList<>();
        Path dir = root.resolve(slice).normalize().getParent();
        while (dir != null && dir.startsWith(root)) {
            out.addFirst(dir.resolve("cgroup.subtree_control"));
            if (dir.equals(root)) {
                break;
            }
            dir = dir.getParent();
        }
        return out;
    }
}
