package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the VM tests: finds the images prepare.sh built, and after every test asserts that the
 * harness left nothing behind: no child process of this JVM, no harness cgroup of this JVM, no new
 * temp directory, no mount under one.
 *
 * <p>Every VM test class takes the {@link #HOST_CPUS} lock: functional (thread=single) ones shared, so
 * two of them may boot side by side (failsafe runs two at a time, see vm-images/pom.xml), and the ones
 * that shape vCPUs or measure host CPU time exclusively, so nothing else runs on the host meanwhile.
 */
abstract class VmTestSupport {

    /** The host's CPUs, as a JUnit resource lock. */
    static final String HOST_CPUS = "vsched.host-cpus";

    static final VmImages IMAGES = VmImages.locate();
    private Set<Path> tempDirsBefore;

    @BeforeEach
    void snapshot() throws IOException {
        tempDirsBefore = harnessTempDirs();
    }

    @AfterEach
    void nothingLeftBehind() throws IOException, InterruptedException {
        // QEMU is reaped synchronously by close(); give an exiting process a moment anyway. Functional
        // tests may boot side by side (see the failsafe configuration): QEMUs another test thread started
        // and still runs are that test's to check.
        for (int i = 0; i < 50 && mine(ProcessHandle.current().descendants()).findAny().isPresent(); i++) {
            Thread.sleep(100);
        }
        List<String> children = mine(ProcessHandle.current().descendants())
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
        assertEquals(List.of(), children, "processes left behind by the harness");
        String mine = ThreadCgroups.PREFIX + ProcessHandle.current().pid() + "-";
        List<Path> groups = ThreadCgroups.present(CpuCgroupMount.detect()).stream()
                .filter(p -> p.getFileName().toString().startsWith(mine)).toList();
        assertEquals(List.of(), groups, "cgroups left behind by the harness");
        Set<Path> newDirs = harnessTempDirs();
        newDirs.removeAll(tempDirsBefore);
        assertEquals(Set.of(), newDirs, "temp directories left behind by the harness");
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .filter(l -> l.contains("vsched-vm-")).toList();
        assertEquals(List.of(), mounts, "mounts left behind by the harness");
    }

    /** Processes not belonging to a QEMU that another test thread started and still runs. */
    private static Stream<ProcessHandle> mine(Stream<ProcessHandle> processes) {
        Set<Long> others = QemuVm.runningFromOtherThreads();
        return processes.filter(p -> !others.contains(p.pid()));
    }

    private static Set<Path> harnessTempDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            // Only this JVM's and this test thread's: other harness JVMs (other engineers' runs) and tests
            // booting beside this one may come and go meanwhile.
            String mine = VmTempDir.prefixOfThisThread();
            return s.filter(p -> p.getFileName().toString().startsWith(mine)).collect(Collectors.toSet());
        }
    }

    /** key=value lines of a guest file into a map; fails naming the file if the guest did not send it. */
    static java.util.Map<String, String> keyValues(VmRun run, String file) {
        String text = run.result().text(file).orElseGet(() -> fail(file + " missing from the guest's results\n" + run.describe()));
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }
}
