package dev.vsched.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parser for the ttyS1 results protocol written by the initramfs /init:
 *
 * <pre>
 * VSCHED BEGIN &lt;name&gt;
 * VSCHED FILE &lt;relative-path&gt;
 * &lt;base64 lines&gt;
 * VSCHED ENDFILE &lt;relative-path&gt;
 * VSCHED END &lt;name&gt; rc=&lt;n&gt;
 * </pre>
 *
 * Serial output may carry CR before LF (the tty's ONLCR) and junk before BEGIN (firmware or an
 * early kernel message); both are tolerated. Anything that breaks the structure is recorded as a
 * problem rather than thrown, so the caller can report it together with the console tail.
 */
public final class ResultsProtocol {

    private static final Pattern BEGIN = Pattern.compile("VSCHED BEGIN (\\S+)");
    private static final Pattern FILE = Pattern.compile("VSCHED FILE (.+)");
    private static final Pattern ENDFILE = Pattern.compile("VSCHED ENDFILE (.+)");
    private static final Pattern END = Pattern.compile("VSCHED END (\\S+) rc=(-?\\d+)");
    private static final Pattern BASE64_LINE = Pattern.compile("[A-Za-z0-9+/]*={0,2}");

    private ResultsProtocol() {
    }

    public static GuestResult parse(Path resultsLog) throws IOException {
        if (!Files.exists(resultsLog)) {
            return new GuestResult(null, Map.of(), OptionalInt.empty(),
                    List.of("results log " + resultsLog + " does not exist (QEMU never opened ttyS1)"));
        }
        return parse(Files.readString(resultsLog, StandardCharsets.ISO_8859_1));
    }

    public static GuestResult parse(String raw) {
        List<String> problems = new ArrayList<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        String name = null;
        OptionalInt rc = OptionalInt.empty();
        String openFile = null;
        StringBuilder b64 = new StringBuilder();
        int lineNo = 0;
        boolean ended = false;

        for (String rawLine : raw.split("\n", -1)) {
            lineNo++;
            String line = stripCr(rawLine);
            if (ended) {
                if (!line.isBlank()) {
                    problems.add("line " + lineNo + ": data after END: " + abbreviate(line));
                }
                continue;
            }
            if (name == null) {
                Matcher m = BEGIN.matcher(line);
                // Tolerate junk before BEGIN but also junk glued to the front of the BEGIN line.
                if (m.find()) {
                    name = m.group(1);
                }
                continue;
            }
            Matcher m;
            if (openFile != null) {
                if ((m = ENDFILE.matcher(line)).matches()) {
                    if (!m.group(1).equals(openFile)) {
                        problems.add("line " + lineNo + ": ENDFILE " + m.group(1) + " closes FILE " + openFile);
                    } else {
                        decode(openFile, b64, files, problems);
                    }
                    openFile = null;
                    b64.setLength(0);
                } else if (line.startsWith("VSCHED ")) {
                    problems.add("line " + lineNo + ": file " + openFile + " truncated by '" + abbreviate(line) + "'");
                    openFile = null;
                    b64.setLength(0);
                    if ((m = END.matcher(line)).matches()) {
                        rc = endRc(m, name, lineNo, problems);
                        ended = true;
                    } else if ((m = FILE.matcher(line)).matches()) {
                        openFile = m.group(1);
                    }
                } else if (BASE64_LINE.matcher(line).matches()) {
                    b64.append(line);
                } else {
                    problems.add("line " + lineNo + ": not base64 inside file " + openFile + ": " + abbreviate(line));
                    // Keep reading: the ENDFILE still closes the file, which is then dropped.
                    b64.append('!');
                }
                continue;
            }
            if ((m = FILE.matcher(line)).matches()) {
                openFile = m.group(1);
            } else if ((m = END.matcher(line)).matches()) {
                rc = endRc(m, name, lineNo, problems);
                ended = true;
            } else if (!line.isBlank()) {
                problems.add("line " + lineNo + ": unexpected outside a file: " + abbreviate(line));
            }
        }
        if (name == null) {
            problems.add("no 'VSCHED BEGIN' line: the guest test never started (or ttyS1 is empty)");
        } else if (openFile != null) {
            problems.add("stream ends inside file " + openFile + " (truncated output)");
        } else if (!ended) {
            problems.add("no 'VSCHED END' line: output truncated (guest died, hung or was killed)");
        }
        return new GuestResult(name, files, rc, problems);
    }

    private static OptionalInt endRc(Matcher m, String name, int lineNo, List<String> problems) {
        if (!m.group(1).equals(name)) {
            problems.add("line " + lineNo + ": END for " + m.group(1) + " but BEGIN was " + name);
        }
        try {
            return OptionalInt.of(Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            problems.add("line " + lineNo + ": rc out of range: " + m.group(2));
            return OptionalInt.empty();
        }
    }

    private static void decode(String path, StringBuilder b64, Map<String, byte[]> files, List<String> problems) {
        if (path.startsWith("/") || path.contains("..")) {
            problems.add("file name " + path + " is not a plain relative path");
            return;
        }
        if (b64.indexOf("!") >= 0) {
            return; // already reported as not base64
        }
        try {
            if (files.put(path, Base64.getDecoder().decode(b64.toString())) != null) {
                problems.add("file " + path + " sent twice");
            }
        } catch (IllegalArgumentException e) {
            problems.add("file " + path + " is corrupt base64: " + e.getMessage());
        }
    }

    private static String stripCr(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '\r') {
            end--;
        }
        int start = 0;
        while (start < end && s.charAt(start) == '\r') {
            start++;
        }
        return s.substring(start, end);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
