package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cgroup v1/v2 detection on fixture trees: a mounts table plus the files the detector looks at. */
class CpuCgroupMountTest {

    @TempDir
    Path root;

    private Path mounts(String text) throws IOException {
        return Files.writeString(root.resolve("mounts"), text);
    }

    private void file(String path, String content) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    /** This project's machine: v1 controllers, each in its own mount, plus an empty cgroup2. */
    @Test
    void hybridHostPicksV1Cpu() throws IOException {
        file("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
        file("sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
        Path m = mounts("""
                tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
                cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
                cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0
                cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
                """);
        assertEquals(new CpuCgroupMount(1, root.resolve("sys/fs/cgroup/cpu")), CpuCgroupMount.detect(m, root));
    }

    @Test
    void combinedCpuCpuacctMount() throws IOException {
        file("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
        Path m = mounts("cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0\n");
        assertEquals(1, CpuCgroupMount.detect(m, root).version());
    }

    /** A systemd host: cgroup2 only, cpu delegated at the root. */
    @Test
    void pureV2() throws IOException {
        file("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        Path m = mounts("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n");
        assertEquals(new CpuCgroupMount(2, root.resolve("sys/fs/cgroup")), CpuCgroupMount.detect(m, root));
    }

    @Test
    void escapedMountPoint() throws IOException {
        file("srv/my cgroups/cgroup.controllers", "cpu memory\n");
        Path m = mounts("cgroup2 /srv/my\\040cgroups cgroup2 rw 0 0\n");
        assertEquals(root.resolve("srv/my cgroups"), CpuCgroupMount.detect(m, root).mountPoint());
    }

    @Test
    void noCpuControllerAnywhereIsAClearError() throws IOException {
        file("sys/fs/cgroup/unified/cgroup.controllers", "memory pids\n");
        Path m = mounts("""
                cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0
                cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0
                """);
        String msg = assertThrows(IllegalStateException.class, () -> CpuCgroupMount.detect(m, root)).getMessage();
        assertTrue(msg.contains("no cpu cgroup controller"), msg);
        assertTrue(msg.contains("controllers: 'memory pids'"), msg);
    }

    @Test
    void v1WithoutBandwidthControlIsAClearError() throws IOException {
        file("sys/fs/cgroup/cpu/cpu.shares", "1024\n");
        Path m = mounts("cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n");
        String msg = assertThrows(IllegalStateException.class, () -> CpuCgroupMount.detect(m, root)).getMessage();
        assertTrue(msg.contains("CONFIG_CFS_BANDWIDTH"), msg);
    }

    @Test
    void processCgroupLines() {
        List<String> lines = List.of("9:name=systemd:/", "4:memory:/x/y", "1:cpu,cpuacct:/user.slice", "0::/init.scope");
        assertEquals("/user.slice", new CpuCgroupMount(1, root).cgroupOf(lines));
        assertEquals("/init.scope", new CpuCgroupMount(2, root).cgroupOf(lines));
        assertThrows(IllegalStateException.class, () -> new CpuCgroupMount(1, root).cgroupOf(List.of("0::/")));
    }

    @Test
    void thisHostHasAUsableCpuController() {
        CpuCgroupMount m = CpuCgroupMount.detect();
        Path probe = m.mountPoint().resolve(m.version() == 1 ? "cpu.cfs_quota_us" : "cgroup.controllers");
        assertTrue(Files.exists(probe), probe + " missing");
    }
}
