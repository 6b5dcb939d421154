package dev.vsched.agent.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The numbers LibBpf and ErrnoNames hard-code, checked against the installed C headers (linux/bpf.h,
 * bpf/libbpf.h, errno.h) by compiling a program that prints them. An IT because libbpf-dev is installed
 * by the pre-integration-test step (bpf/scripts/host-deps.sh).
 */
class LibBpfConstantsIT {
    @Test
    void constantsMatchTheHeaders() throws Exception {
        Map<String, Long> java = new LinkedHashMap<>();
        java.put("BPF_PROG_TYPE_STRUCT_OPS", (long) LibBpf.BPF_PROG_TYPE_STRUCT_OPS);
        java.put("BPF_MAP_TYPE_PERCPU_HASH", (long) LibBpf.BPF_MAP_TYPE_PERCPU_HASH);
        java.put("BPF_MAP_TYPE_PERCPU_ARRAY", (long) LibBpf.BPF_MAP_TYPE_PERCPU_ARRAY);
        java.put("BPF_MAP_TYPE_LRU_PERCPU_HASH", (long) LibBpf.BPF_MAP_TYPE_LRU_PERCPU_HASH);
        java.put("BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE", (long) LibBpf.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
        java.put("BPF_ANY", LibBpf.BPF_ANY);
        java.put("BPF_NOEXIST", LibBpf.BPF_NOEXIST);
        java.put("BPF_EXIST", LibBpf.BPF_EXIST);
        java.put("LIBBPF_WARN", (long) LibBpf.LIBBPF_WARN);
        java.put("LIBBPF_INFO", (long) LibBpf.LIBBPF_INFO);
        java.put("LIBBPF_DEBUG", (long) LibBpf.LIBBPF_DEBUG);
        for (Map.Entry<Integer, String> e : ErrnoNames.all().entrySet()) {
            if (!e.getValue().equals("ENOTSUPP")) {  // kernel-internal (524), in no user-space header
                java.put(e.getValue(), (long) e.getKey());
            }
        }
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <errno.h>
                #include <linux/bpf.h>
                #include <bpf/libbpf.h>
                int main(void)
                {
                """);
        for (String n : java.keySet()) {
            c.append("\tprintf(\"%s %lld\\n\", \"").append(n).append("\", (long long)").append(n).append(");\n");
        }
        c.append("\treturn 0;\n}\n");
        List<String> out = CProgram.compileAndRun("libbpf_constants", c.toString(), List.<Path>of());
        Map<String, Long> cValues = new LinkedHashMap<>();
        for (String line : out) {
            String[] w = line.split(" ");
            cValues.put(w[0], Long.parseLong(w[1]));
        }
        assertEquals(java, cValues);
    }
}
