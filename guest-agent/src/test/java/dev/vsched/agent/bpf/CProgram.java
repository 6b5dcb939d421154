package dev.vsched.agent.bpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Compiles a generated C program with gcc and runs it: how the tests ask the real headers for the truth. */
final class CProgram {
    private CProgram() {
    }

    /** The repository root: -Dvsched.repo.root, else the parent of the module directory. */
    static Path repoRoot() {
        String p = System.getProperty("vsched.repo.root");
        return (p != null ? Path.of(p) : Path.of("").toAbsolutePath().getParent()).toAbsolutePath().normalize();
    }

    /** The directory generated programs go to (the module's target/). */
    static Path workDir() throws IOException {
        Path d = Path.of("target", "c-programs").toAbsolutePath();
        Files.createDirectories(d);
        return d;
    }

    /** Writes {@code source} to DIR/NAME.c, compiles it with the include dirs, runs it, returns stdout lines. */
    static List<String> compileAndRun(String name, String source, List<Path> includeDirs)
            throws IOException, InterruptedException {
        Path dir = workDir();
        Path src = dir.resolve(name + ".c");
        Path exe = dir.resolve(name);
        Files.writeString(src, source);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-std=gnu11", "-Wall", "-Werror"));
        for (Path inc : includeDirs) {
            cmd.add("-I" + inc);
        }
        cmd.addAll(List.of("-o", exe.toString(), src.toString()));
        Run cc = run(cmd);
        if (cc.rc != 0) {
            throw new AssertionError("gcc failed (" + String.join(" ", cmd) + "):\n" + cc.out);
        }
        Run r = run(List.of(exe.toString()));
        if (r.rc != 0) {
            throw new AssertionError(exe + " exited " + r.rc + ":\n" + r.out);
        }
        return r.out.lines().toList();
    }

    /** Like compileAndRun but returns gcc's diagnostics instead of failing (null when it compiled). */
    static String compileErrors(String name, String source, List<Path> includeDirs)
            throws IOException, InterruptedException {
        Path dir = workDir();
        Path src = dir.resolve(name + ".c");
        Files.writeString(src, source);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-std=gnu11", "-Wall", "-Werror", "-fsyntax-only"));
        for (Path inc : includeDirs) {
            cmd.add("-I" + inc);
        }
        cmd.add(src.toString());
        Run cc = run(cmd);
        return cc.rc == 0 ? null : cc.out;
    }

    private record Run(int rc, String out) {
    }

    private static Run run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
