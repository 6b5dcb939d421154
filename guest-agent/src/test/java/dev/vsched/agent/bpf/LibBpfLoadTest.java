package dev.vsched.agent.bpf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** A missing libbpf must say what to install, not just "library not found". */
class LibBpfLoadTest {
    @Test
    void missingLibraryNamesThePackage() {
        try (Arena arena = Arena.ofConfined()) {
            String msg = LibBpf.loadFailure("libbpf-vsched-test-missing.so.1", arena);
            assertTrue(msg != null && msg.contains("libbpf-vsched-test-missing.so.1") && msg.contains("libbpf1")
                    && msg.contains("bookworm-backports"), String.valueOf(msg));
        }
    }

    @Test
    void exceptionCarriesCallErrnoAndSubject() {
        BpfException e = new BpfException("bpf_object__load", 13, "Permission denied", "/x.bpf.o",
                java.util.List.of("R0 invalid mem access 'map_value_or_null'"));
        assertTrue(e.getMessage().startsWith("bpf_object__load /x.bpf.o: EACCES Permission denied"), e.getMessage());
        assertTrue(e.getMessage().endsWith("\n  R0 invalid mem access 'map_value_or_null'"), e.getMessage());
        assertTrue(e.errnoName().equals("EACCES"));
        assertTrue(new BpfException("x", 4242, "m", null).errnoName().equals("errno 4242"));
    }
}
