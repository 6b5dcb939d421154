package dev.vsched.vm;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a guest test reported on ttyS1: its name, the files it left under {@code $VSCHED_OUT}
 * (decoded), its exit code, and every protocol problem found while reading it.
 *
 * <p>A result is {@link #complete()} only when the END line arrived and nothing was malformed;
 * a truncated or corrupt stream still yields whatever files were intact, so a failing test can
 * show its own log.
 */
public record GuestResult(String testName, Map<String, byte[]> files, OptionalInt rc, List<String> problems) {

    public GuestResult {
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
        problems = List.copyOf(problems);
    }

    /** True when the stream ended properly and no file was truncated or corrupt. */
    public boolean complete() {
        return rc.isPresent() && problems.isEmpty();
    }

    /** True when the stream is complete and the guest test exited 0. */
    public boolean passed() {
        return complete() && rc.getAsInt() == 0;
    }

    public Optional<byte[]> file(String relativePath) {
        return Optional.ofNullable(files.get(relativePath));
    }

    /** A file as UTF-8 text, or empty if the guest did not send it. */
    public Optional<String> text(String relativePath) {
        return file(relativePath).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** One line for messages: name, rc, files and problems. */
    public String summary() {
        return "test=" + (testName == null ? "?" : testName)
                + " rc=" + (rc.isPresent() ? Integer.toString(rc.getAsInt()) : "none")
                + " files=" + files.keySet()
                + (problems.isEmpty() ? "" : " problems=" + problems);
    }
}
