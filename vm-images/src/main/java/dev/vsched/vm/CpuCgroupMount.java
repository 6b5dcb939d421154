package dev.vsched.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Where the cpu controller is mounted and in which cgroup version. Hosts differ: this project's
 * machine has v1 controllers under /sys/fs/cgroup/cpu (with an empty cgroup2 at
 * /sys/fs/cgroup/unified), a systemd host has only cgroup2 at /sys/fs/cgroup.
 *
 * @param version    1 or 2
 * @param mountPoint the real path of the hierarchy that has the cpu controller
 */
public record CpuCgroupMount(int version, Path mountPoint) {

    /** Detects the host's cpu controller from /proc/self/mounts. */
    public static CpuCgroupMount detect() {
        return detect(Path.of("/proc/self/mounts"), Path.of("/"));
    }

    /**
     * Detects from a mounts table; mount points are resolved under {@code fsRoot} (the real root,
     * or a fixture tree in tests). A v1 mount whose options name the {@code cpu} controller wins:
     * a controller bound to v1 is absent from v2.
     */
    public static CpuCgroupMount detect(Path mountsFile, Path fsRoot) {
        List<String> lines;
        try {
            lines = Files.readAllLines(mountsFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read mount table " + mountsFile, e);
        }
        Path v2 = null;
        StringBuilder seen = new StringBuilder();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            Path mp = resolve(fsRoot, unescape(f[1]));
            if (f[2].equals("cgroup") && Arrays.asList(f[3].split(",")).contains("cpu")) {
                if (!Files.isRegularFile(mp.resolve("cpu.cfs_quota_us"))) {
                    throw new IllegalStateException("cgroup v1 cpu controller at " + mp
                            + " has no cpu.cfs_quota_us: the host kernel lacks CONFIG_CFS_BANDWIDTH, so a vCPU cannot be throttled");
                }
                return new CpuCgroupMount(1, mp);
            }
            if (f[2].equals("cgroup2")) {
                String controllers = readOrEmpty(mp.resolve("cgroup.controllers"));
                seen.append(' ').append(mp).append(" (controllers: '").append(controllers).append("')");
                if (v2 == null && Arrays.asList(controllers.split("\\s+")).contains("cpu")) {
                    v2 = mp;
                }
            }
        }
        if (v2 != null) {
            return new CpuCgroupMount(2, v2);
        }
        throw new IllegalStateException("no cpu cgroup controller in " + mountsFile
                + ": no cgroup v1 mount with option 'cpu' and no cgroup2 mount listing 'cpu' in cgroup.controllers"
                + (seen.isEmpty() ? "" : "; cgroup2 mounts seen:" + seen));
    }

    /**
     * The cgroup (relative to the mount point) that holds process {@code pid}, from its
     * /proc/PID/cgroup lines ({@code N:cpu,cpuacct:/path} for v1, {@code 0::/path} for v2).
     */
    public String cgroupOf(List<String> procCgroupLines) {
        for (String line : procCgroupLines) {
            String[] f = line.split(":", 3);
            if (f.length != 3) {
                continue;
            }
            if (version == 1 && Arrays.asList(f[1].split(",")).contains("cpu")) {
                return f[2];
            }
            if (version == 2 && f[0].equals("0") && f[1].isEmpty()) {
                return f[2];
            }
        }
        throw new IllegalStateException("no cgroup v" + version + " cpu entry in " + procCgroupLines);
    }

    private static Path resolve(Path fsRoot, String mountPoint) {
        return fsRoot.resolve(mountPoint.startsWith("/") ? mountPoint.substring(1) : mountPoint);
    }

    /** /proc/mounts escapes space, tab, newline and backslash as octal. */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
