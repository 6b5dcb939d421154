package dev.vsched.agent.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** This process's BPF file descriptors, from /proc/self/fd and fdinfo: what must be gone after close(). */
final class BpfFds {
    private BpfFds() {
    }

    /** fd -> "anon_inode:bpf_link" / "anon_inode:bpf-prog" / "anon_inode:bpf-map" for every BPF fd. */
    static Map<Integer, String> open() throws IOException {
        Map<Integer, String> out = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    continue;  // closed meanwhile (the directory stream's own fd, for one)
                }
                if (target.startsWith("anon_inode:bpf")) {
                    out.put(Integer.parseInt(p.getFileName().toString()), target);
                }
            }
        }
        return out;
    }

    /** The kernel's id of the BPF link behind {@code fd} (fdinfo's link_id). */
    static int linkId(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("link_id:")) {
                return Integer.parseInt(line.substring("link_id:".length()).strip());
            }
        }
        throw new AssertionError("fd " + fd + " has no link_id in its fdinfo: not a BPF link");
    }
}
