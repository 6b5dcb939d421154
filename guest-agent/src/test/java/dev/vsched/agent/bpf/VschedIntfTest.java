package dev.vsched.agent.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@link VschedIntf} honest against bpf/include/vsched_intf.h: gcc compiles the real header and
 * reports every field's offset and size and every constant's value. The mutation tests prove the check
 * notices a moved, added or retyped field and a changed or new constant.
 */
class VschedIntfTest {
    static final Path HEADER = CProgram.repoRoot().resolve("bpf/include/vsched_intf.h");

    @Test
    void mirrorMatchesTheRealHeader() throws Exception {
        List<String> problems = IntfMirrorCheck.problems(HEADER, "vsched_intf_probe");
        assertEquals(List.of(), problems, "VschedIntf disagrees with " + HEADER);
    }

    @Test
    void parserSeesTheWholeHeader() throws Exception {
        IntfMirrorCheck.Header h = IntfMirrorCheck.parse(Files.readString(HEADER));
        // guards against a parser that silently finds nothing and so "agrees" with anything
        assertEquals(VschedIntf.STRUCTS.keySet(), h.structs().keySet());
        assertTrue(h.defines().size() >= 25, "defines found: " + h.defines());
        assertTrue(h.defines().contains("VSCHED_INTF_VERSION"));
        assertFalse(h.defines().contains("VSCHED_STATIC_ASSERT"), "function-like macros are not constants");
        assertEquals(22, h.structs().get("vsched_vact_cpu").size());
        assertTrue(h.arrays().contains("vsched_vact_cpu.hist"));
        // the counters come from the VSCHED_STATS list; only NR and MAX are written out in the enum
        assertEquals(List.of("VSCHED_STAT_NR", "VSCHED_STAT_MAX"), h.enumerators());
        assertEquals(VschedIntf.VSCHED_STAT_NR,
                IntfMirrorCheck.compile(HEADER, "vsched_intf_stats").stats().size());
    }

    @Test
    void addedFieldIsCaught() throws Exception {
        // the realistic way: a new knob taken from the reserved words, so every size stays the same
        List<String> p = mutated("added", s -> s.replace("\t__u64 _reserved[6];\n",
                "\t__u64 new_knob;\n\t__u64 _reserved[5];\n"));
        assertTrue(p.stream().anyMatch(x -> x.startsWith("vsched_vact_cfg: header fields")), p.toString());
    }

    @Test
    void movedFieldIsCaught() throws Exception {
        // swap two same-typed fields: sizes all stay equal, only names and offsets move
        List<String> p = mutated("moved", s -> s.replace("\t__u64 hb_ns;\t\t\t/* time of the last tick seen on this vCPU */\n"
                + "\t__u64 hb_count;\t\t\t/* ticks seen */\n",
                "\t__u64 hb_count;\n\t__u64 hb_ns;\n"));
        assertTrue(p.stream().anyMatch(x -> x.startsWith("vsched_vact_cpu.hb_ns: offset 8 in C, 0 in Java")),
                p.toString());
    }

    @Test
    void retypedFieldIsCaught() throws Exception {
        List<String> p = mutated("retyped", s -> s.replace("\t__u64 cpu_cfg_seq;", "\t__s64 cpu_cfg_seq;"));
        assertTrue(p.stream().anyMatch(x -> x.startsWith("vsched_config.cpu_cfg_seq: C type llong is signed")),
                p.toString());
    }

    @Test
    void changedConstantIsCaught() throws Exception {
        List<String> p = mutated("const", s -> s.replace("#define VSCHED_HIST_BUCKETS\t\t24",
                "#define VSCHED_HIST_BUCKETS\t\t25").replace("__u32 hist[VSCHED_HIST_BUCKETS];",
                "__u32 hist[24];").replace("\"vs_vact\"", "\"vs_vact2\""));
        assertTrue(p.contains("VSCHED_HIST_BUCKETS: int 25 in C, 24 in Java"), p.toString());
        assertTrue(p.contains("VSCHED_MAP_VACT: str vs_vact2 in C, vs_vact in Java"), p.toString());
    }

    @Test
    void newDefineWithoutJavaTwinIsCaught() throws Exception {
        List<String> p = mutated("newdef", s -> s.replace("#define VSCHED_POL_RWC\t\t\t(1u << 2)\n",
                "#define VSCHED_POL_RWC\t\t\t(1u << 2)\n#define VSCHED_POL_NEW\t\t\t(1u << 3)\n"));
        assertTrue(p.contains("VSCHED_POL_NEW: #define/enumerator in the header has no Java counterpart"),
                p.toString());
    }

    @Test
    void newStatWithoutJavaTwinIsCaught() throws Exception {
        List<String> p = mutated("newstat", s -> s.replace("heavier task\")\n",
                "heavier task\")\t\\\n\tX(NEW, new_one, \"something new\")\n"));
        assertTrue(p.stream().anyMatch(x -> x.startsWith("VSCHED_STAT_NEW: #define/enumerator")), p.toString());
        int n = VschedIntf.Stat.values().length;
        assertTrue(p.contains("VSCHED_STAT_NR: enum " + (n + 1) + " in C, " + n + " in Java"), p.toString());
    }

    @Test
    void statWrittenOutsideTheListIsCaught() throws Exception {
        List<String> p = mutated("handstat",
                s -> s.replace("\tVSCHED_STAT_NR,", "\tVSCHED_STAT_NEW,\n\tVSCHED_STAT_NR,"));
        assertTrue(p.stream().anyMatch(x -> x.startsWith("VSCHED_STAT_NEW: #define/enumerator")), p.toString());
    }

    @Test
    void renamedReorderedOrRedescribedStatIsCaught() throws Exception {
        List<String> p = mutated("statname", s -> s.replace("X(DIRECT, direct,", "X(DIRECT, direct_dispatch,"));
        assertTrue(p.contains("VSCHED_STAT_DIRECT: name direct_dispatch in VSCHED_STATS, direct in Java"),
                p.toString());

        p = mutated("statdesc", s -> s.replace("\"IVH scans run\"", "\"IVH scans started\""));
        assertTrue(p.contains("VSCHED_STAT_IVH_SCAN: description 'IVH scans started' in VSCHED_STATS, "
                + "'IVH scans run' in Java"), p.toString());

        // IVH_MOVE moved to the end of the list
        String move = "\tX(IVH_MOVE, ivh_move, \"IVH moved a heavy task\")\t\t\t\t\\\n";
        p = mutated("statorder", s -> s.replace(move, "").replace("heavier task\")\n",
                "heavier task\") \\\n\tX(IVH_MOVE, ivh_move, \"IVH moved a heavy task\")\n"));
        assertTrue(p.stream().anyMatch(x -> x.startsWith("enum vsched_stat: header [VSCHED_STAT_BVS_PICK, "
                + "VSCHED_STAT_BVS_KEEP, VSCHED_STAT_IVH_SCAN")), p.toString());
        assertTrue(p.contains("VSCHED_STAT_IVH_MOVE: enum 10 in C, 2 in Java"), p.toString());
    }

    @Test
    void missingStatListIsCaught() throws Exception {
        List<String> p = mutated("nolist", s -> s.replace("\tVSCHED_STATS(VSCHED_STAT_ENUM)\n", "")
                .replace("#define VSCHED_STATS(X)", "#define VSCHED_STATS_GONE(X)"));
        assertTrue(p.stream().anyMatch(x -> x.startsWith("VSCHED_STATS: the header has no counter list")),
                p.toString());
    }

    @Test
    void bpfReadmeCounterTableIsTheList() throws Exception {
        Path readme = CProgram.repoRoot().resolve("bpf/README.md");
        List<IntfMirrorCheck.CStat> stats = IntfMirrorCheck.compile(HEADER, "vsched_intf_readme").stats();
        String text = Files.readString(readme);
        assertEquals(List.of(), IntfMirrorCheck.readmeCounterProblems(text, stats), readme.toString());

        // the check can fail: a reworded, a missing and an extra row
        String reworded = text.replace("| IVH scans run |", "| IVH scans |");
        assertFalse(reworded.equals(text));
        assertEquals(1, IntfMirrorCheck.readmeCounterProblems(reworded, stats).size());
        String missing = text.replace("| `direct` | dispatched straight to an idle vCPU |\n", "");
        assertFalse(missing.equals(text));
        assertEquals(1, IntfMirrorCheck.readmeCounterProblems(missing, stats).size());
        String extra = text.replace("|---|---|\n", "|---|---|\n| `old_one` | gone |\n");
        assertFalse(extra.equals(text));
        assertEquals(1, IntfMirrorCheck.readmeCounterProblems(extra, stats).size());
    }

    @Test
    void accessorsRoundTrip() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cfg = arena.allocate(VschedIntf.VSCHED_CPU_CFG);
            var cc = new VschedIntf.CpuCfg(700, 12_000, VschedIntf.VSCHED_CPU_F_VALID | VschedIntf.VSCHED_CPU_F_HIDDEN,
                    3, 123_456_789_000L);
            cc.write(cfg);
            assertEquals(cc, VschedIntf.CpuCfg.read(cfg));
            assertEquals(0x8000_0001, cfg.get(java.lang.foreign.ValueLayout.JAVA_INT, 8));

            MemorySegment conf = arena.allocate(VschedIntf.VSCHED_CONFIG);
            var c = new VschedIntf.Config(VschedIntf.VSCHED_POL_BVS, 7, 5_000_000, 25, 0, 10, 20_000, 922, 60, 1000,
                    1, 100, 50_000);
            c.write(conf);
            assertEquals(c, VschedIntf.Config.read(conf));
            assertEquals(VschedIntf.VSCHED_INTF_VERSION, VschedIntf.Config.intfVersion(conf));
            assertEquals(50_000, conf.get(java.lang.foreign.ValueLayout.JAVA_INT, 60), "preempt_recent_us offset");

            MemorySegment v = arena.allocate(VschedIntf.VSCHED_VACT_CPU);
            v.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, 42);           // hb_count
            v.set(java.lang.foreign.ValueLayout.JAVA_INT, 132, 4_000_000);   // tick_ns
            v.set(java.lang.foreign.ValueLayout.JAVA_INT, 136 + 4 * 23, -1); // hist[23], unsigned
            VschedIntf.VactCpu r = VschedIntf.VactCpu.read(v);
            assertEquals(42, r.hbCount());
            assertEquals(4_000_000, r.tickNs());
            assertEquals(0xffff_ffffL, r.hist()[23]);

            MemorySegment e = arena.allocate(VschedIntf.VSCHED_EXIT_INFO);
            e.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 1024);
            e.asSlice(16, 128).setString(0, "scx_bpf_error");
            e.asSlice(144, 880).fill((byte) 'x');  // no NUL: bounded by the field
            VschedIntf.ExitInfo ei = VschedIntf.ExitInfo.read(e);
            assertEquals("scx_bpf_error", ei.reason());
            assertEquals(880, ei.msg().length());
        }
    }

    interface Edit {
        String apply(String header);
    }

    /** Runs the check on an edited copy of the header; asserts the edit really changed something. */
    private static List<String> mutated(String name, Edit edit) throws IOException, InterruptedException {
        String orig = Files.readString(HEADER);
        String changed = edit.apply(orig);
        assertFalse(orig.equals(changed), "mutation '" + name + "' did not apply: the header text changed");
        Path dir = CProgram.workDir().resolve("mutant-" + name);
        Files.createDirectories(dir);
        Path h = dir.resolve("vsched_intf.h");
        Files.writeString(h, changed);
        return IntfMirrorCheck.problems(h, "vsched_intf_mutant_" + name);
    }
}
