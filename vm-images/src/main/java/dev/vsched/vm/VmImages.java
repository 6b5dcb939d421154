package dev.vsched.vm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where vm-images/scripts/prepare.sh puts the guest kernels and initramfs images:
 * {@code vm-images/build/kernels/<series>/vmlinuz} and {@code vm-images/build/initramfs-<series>.cpio}.
 */
public record VmImages(Path repoRoot) {

    /**
     * The repository root: system property {@code vsched.repo.root}, else env {@code VSCHED_REPO},
     * else the nearest directory above the working directory that has {@code vm-images/}.
     */
    public static VmImages locate() {
        String prop = System.getProperty("vsched.repo.root", System.getenv("VSCHED_REPO"));
        if (prop != null && !prop.isBlank()) {
            return new VmImages(Path.of(prop).toAbsolutePath().normalize());
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("vm-images")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return new VmImages(p);
            }
        }
        throw new IllegalStateException("cannot find the vsched repository: set -Dvsched.repo.root or VSCHED_REPO");
    }

    public Path buildDir() {
        return repoRoot.resolve("vm-images/build");
    }

    public Path kernel(String series) {
        return require(buildDir().resolve("kernels").resolve(series).resolve("vmlinuz"), series);
    }

    public Path initramfs(String series) {
        return require(buildDir().resolve("initramfs-" + series + ".cpio"), series);
    }

    /** The evaluation disk image, {@code vm-images/scripts/eval-image.sh <series>}. */
    public Path evalImage(String series) {
        Path p = buildDir().resolve("eval-" + series + ".img");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: run vm-images/scripts/eval-image.sh " + series
                    + " (or ./mvnw -B verify, which runs it)");
        }
        return p;
    }

    /** The kernel release string kernels.sh recorded, e.g. {@code 7.2.13+deb14-cloud-amd64}. */
    public String kernelVersion(String series) {
        try {
            return Files.readString(require(buildDir().resolve("kernels").resolve(series).resolve("version"), series)).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path require(Path p, String series) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: run vm-images/scripts/prepare.sh " + series
                    + " (or ./mvnw -B verify, which runs it)");
        }
        return p;
    }
}
