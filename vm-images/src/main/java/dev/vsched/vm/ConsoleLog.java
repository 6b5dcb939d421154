package dev.vsched.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a guest's console (ttyS0) log: the known TCG int3 failure, and a tail for error messages. */
public final class ConsoleLog {

    /**
     * The multi-threaded TCG failure: a vCPU executes a half-patched int3 while the kernel rewrites
     * its own text (static keys, alternatives). 7.2 prints {@code Oops: int3: 0000 [#1] ...}, 6.1
     * {@code int3: 0000 [#1] ...}. The line may start with a printk timestamp, and the first oops of a
     * boot often shares its line with SeaBIOS's screen-clearing escape codes, so anything may precede
     * the timestamp; without a timestamp the header must start the line.
     */
    private static final Pattern INT3_OOPS = Pattern.compile(
            "(?m)(?:^.*?(\\[\\s*\\d+\\.\\d+\\]\\s*)|^)((?:Oops: )?int3: [0-9a-f]{4} \\[#\\d+\\])");

    private ConsoleLog() {
    }

    public static String read(Path console) {
        try {
            return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "(console log unreadable: " + e + ")";
        }
    }

    /** The oops line if the log shows the TCG int3 crash, the only failure the harness retries. */
    public static Optional<String> int3Oops(String console) {
        String text = console.replace("\r", "");
        Matcher m = INT3_OOPS.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        // Report from the timestamp (or header) on, without the escape codes before it.
        int start = m.group(1) != null ? m.start(1) : m.start(2);
        int nl = text.indexOf('\n', m.start());
        return Optional.of(text.substring(start, nl < 0 ? text.length() : nl).strip());
    }

    /** The last {@code lines} lines, for failure messages. */
    public static String tail(String console, int lines) {
        String[] all = console.replace("\r", "").split("\n", -1);
        int end = all.length;
        while (end > 0 && all[end - 1].isBlank()) {
            end--;
        }
        List<String> out = new ArrayList<>();
        for (int i = Math.max(0, end - lines); i < end; i++) {
            out.add(all[i]);
        }
        return out.isEmpty() ? "(console log is empty)" : String.join("\n", out);
    }
}
