package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * guest-agent/jvm-flags is the one list of the JVM options vsched's commands run with: the launcher
 * (./vsched) and the guest tests (guest-tests/lib.sh) both read it, and must turn it into the same options.
 * Both run here on copies, the launcher with a fake JDK whose java prints its arguments.
 */
class JvmFlagsTest {
    private static final Path REPO = VmImages.locate().repoRoot();
    private static final List<String> COMMANDS = List.of("agent", "status", "probe");

    @TempDir
    Path tmp;

    @Test
    void launcherAndGuestTestsPassTheSameOptions() throws Exception {
        Path flags = Files.copy(REPO.resolve("guest-agent/jvm-flags"), tmp.resolve("jvm-flags"));
        for (String cmd : COMMANDS) {
            List<String> launcher = launcherOptions(flags, cmd);
            assertTrue(launcher.contains("--enable-native-access=ALL-UNNAMED"), cmd + ": " + launcher);
            // C1 only for the agent and status, never for the probe's spin loops
            assertEquals(!cmd.equals("probe"), launcher.contains("-XX:TieredStopAtLevel=1"), cmd + ": " + launcher);
            assertEquals(launcher, guestOptions(flags, cmd), cmd);
        }
    }

    @Test
    void bothFollowTheFile() throws Exception {
        Path flags = tmp.resolve("jvm-flags");
        Files.writeString(flags, "# a comment\n\n* -Xmx64m\nprobe -XX:+AlwaysPreTouch\nagent -Xss1m\n");
        assertEquals(List.of("-Xmx64m", "-XX:+AlwaysPreTouch"), launcherOptions(flags, "probe"));
        assertEquals(List.of("-Xmx64m", "-XX:+AlwaysPreTouch"), guestOptions(flags, "probe"));
        assertEquals(List.of("-Xmx64m", "-Xss1m"), guestOptions(flags, "agent"));
    }

    /** The options ./vsched passes to java before -jar for {@code cmd}, reading {@code flags}. */
    private List<String> launcherOptions(Path flags, String cmd) throws IOException, InterruptedException {
        Path root = Files.createTempDirectory(tmp, "launcher");
        Path jdk = root.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            Path t = jdk.resolve("bin").resolve(tool);
            Files.writeString(t, "#!/bin/sh\nfor a; do echo \"$a\"; done\n");
            Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25\"\n");
        Files.createDirectories(root.resolve("guest-agent/target"));
        Files.writeString(root.resolve("guest-agent/target/vsched.jar"), "");
        Files.copy(flags, root.resolve("guest-agent/jvm-flags"));
        Path launcher = Files.copy(REPO.resolve("vsched"), root.resolve("vsched"));
        List<String> args = run(List.of("bash", launcher.toString(), cmd),
                List.of("VSCHED_NO_BUILD=1", "VSCHED_JAVA_HOME=" + jdk));
        return new ArrayList<>(args.subList(0, args.indexOf("-jar")));
    }

    /** The options guest-tests/lib.sh's vsched_java gives java for {@code cmd}, without the guest's own. */
    private List<String> guestOptions(Path flags, String cmd) throws IOException, InterruptedException {
        String lib = Files.readString(REPO.resolve("vm-images/guest-tests/lib.sh"));
        assertTrue(lib.contains("/opt/vsched/jvm-flags"), "lib.sh reads /opt/vsched/jvm-flags");
        Path copy = tmp.resolve("lib.sh");
        Files.writeString(copy, lib.replace("/opt/vsched/jvm-flags", flags.toString()));
        List<String> words = run(List.of("sh", "-c", ". \"$1\"; for w in $(vsched_java \"$2\"); do echo \"$w\"; done",
                "sh", copy.toString(), cmd), List.of("VSCHED_JAVA_OPTS="));
        assertEquals("java", words.getFirst(), words.toString());
        List<String> opts = new ArrayList<>(words.subList(1, words.indexOf("-jar")));
        assertTrue(opts.remove("-Xshare:auto"), "the guest's -Xshare:auto: " + words);
        return opts;
    }

    private static List<String> run(List<String> cmd, List<String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        for (String e : env) {
            String[] kv = e.split("=", 2);
            pb.environment().put(kv[0], kv[1]);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ":\n" + out);
        return Arrays.asList(out.strip().split("\n"));
    }
}
