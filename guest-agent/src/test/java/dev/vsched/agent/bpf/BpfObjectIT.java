package dev.vsched.agent.bpf;

import dev.vsched.probers.sys.LibC;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.proc.CpuList;
import dev.vsched.probers.proc.SchedExtSysfs;
import dev.vsched.probers.sys.Threads;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libbpf bindings against this host's real kernel (root, BTF, the real verifier): the vACT object
 * loads, attaches and counts every CPU's ticks, teardown leaves nothing attached, and bad input (missing,
 * corrupt, verifier-rejected objects, misuse) gives BpfExceptions that say what and where.
 * The objects come from scripts/bpf-test-objects.sh (run by Maven before this test).
 */
class BpfObjectIT {
    static Path dir;
    static Path vact;
    static int nrCpuIds;
    static int[] possible;

    @BeforeAll
    static void objects() throws Exception {
        dir = Path.of(System.getProperty("vsched.bpf.test.dir", "target/bpf")).toAbsolutePath();
        vact = dir.resolve(VschedIntf.VSCHED_OBJ_VACT);
        for (String f : List.of(VschedIntf.VSCHED_OBJ_VACT, "verifier_reject.bpf.o", "percpu_count.bpf.o")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)),
                    dir.resolve(f) + " missing: guest-agent/scripts/bpf-test-objects.sh builds it");
        }
        assertTrue(LibBpf.isAvailable(), "libbpf.so.1 must be installed by bpf/scripts/host-deps.sh");
        BitSet cpus = CpuList.parse(Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip());
        possible = cpus.stream().toArray();
        nrCpuIds = possible[possible.length - 1] + 1;
    }

    @Test
    void libbpfVersionAndCpus() throws Exception {
        assertEquals(1, LibBpf.libbpf_major_version());
        assertTrue(LibBpf.version().startsWith("1." + LibBpf.libbpf_minor_version()), LibBpf.version());
        assertEquals(possible.length, BpfMap.possibleCpus(), "libbpf counts the possible CPUs");
        assertEquals(nrCpuIds, BpfMap.nrCpuIds());
        org.junit.jupiter.api.Assertions.assertArrayEquals(possible, BpfMap.possibleCpuIds());
        assertEquals("Invalid argument", LibBpf.strerror(22));
        assertTrue(LibBpf.strerror(4007).toLowerCase().contains("verif"), LibBpf.strerror(4007));
    }

    @Test
    void vactLoadsAttachesCountsTicksAndDetaches() throws Exception {
        Map<Integer, String> fdsBefore = BpfFds.open();
        List<Integer> linkIds = new ArrayList<>();
        try (BpfObject obj = BpfObject.open(vact); Arena arena = Arena.ofConfined()) {
            assertTrue(obj.programNames().containsAll(List.of("vact_tick", "vact_switch")), obj.programNames().toString());
            assertEquals("tp_btf/hrtimer_expire_exit", obj.program("vact_tick").sectionName());
            BpfMap vs = obj.map(VschedIntf.VSCHED_MAP_VACT);
            assertEquals(1, vs.maxEntries(), "the object ships vs_vact with one entry; the loader sizes it");
            obj.setMaxEntries(VschedIntf.VSCHED_MAP_VACT, nrCpuIds);

            long t0 = System.nanoTime();
            obj.load();
            long loadMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("vact load (CO-RE + verifier) on %s: %d ms%n", System.getProperty("os.version"), loadMs);

            assertEquals(nrCpuIds, vs.maxEntries());
            assertEquals(VschedIntf.VSCHED_VACT_CPU.byteSize(), vs.valueSize(), "vs_vact value vs. the Java mirror");
            assertEquals(4, vs.keySize());
            BpfMap cfgMap = obj.map(VschedIntf.VSCHED_MAP_VACT_CFG);
            assertEquals(VschedIntf.VSCHED_VACT_CFG.byteSize(), cfgMap.valueSize());
            MemorySegment cfg = arena.allocate(VschedIntf.VSCHED_VACT_CFG);
            VschedIntf.VactCfg.DEFAULTS.write(cfg);  // tick_ns 0: the programs learn the tick
            cfgMap.update(0, cfg);
            assertEquals(VschedIntf.VactCfg.DEFAULTS, VschedIntf.VactCfg.read(cfgMap.lookup(0, arena)));

            List<BpfLink> links = obj.attachAll();
            assertEquals(List.of("vact_tick", "vact_switch"), links.stream().map(BpfLink::name).toList());
            for (BpfLink l : links) {
                assertEquals("anon_inode:bpf_link", BpfFds.open().get(l.fd()));
                linkIds.add(BpfFds.linkId(l.fd()));
            }
            assertTrue(bpftoolLinkIds().containsAll(linkIds), "bpftool sees the links " + linkIds);

            VschedIntf.VactCpu[] before = readAll(vs, arena);
            dev.vsched.probers.proc.ProcStat statBefore = dev.vsched.probers.proc.ProcStat.read();
            long start = System.nanoTime();
            long busyNs = spinOnEveryCpu(1500);
            VschedIntf.VactCpu[] after = readAll(vs, arena);
            long now = System.nanoTime();
            dev.vsched.probers.proc.ProcStat statAfter = dev.vsched.probers.proc.ProcStat.read();
            double secs = (now - start) / 1e9;

            // what one poll of one vCPU's record costs the agent (lookup syscall + FFM + decode)
            int reps = 2000;
            long l0 = 0;
            for (int i = 0; i < 2 * reps; i++) {
                if (i == reps) {
                    l0 = System.nanoTime();  // the first half warms up the JIT
                }
                try (Arena a = Arena.ofConfined()) {
                    VschedIntf.VactCpu.read(vs.lookup(possible[i % possible.length], a));
                }
            }
            long perLookup = (System.nanoTime() - l0) / reps;
            System.out.printf("vs_vact lookup+decode: %d ns each (%d reps)%n", perLookup, reps);
            assertTrue(perLookup < 1_000_000, "a map lookup took " + perLookup + " ns");

            // the raw fd API sees the same map
            try (Arena a = Arena.ofConfined()) {
                MemorySegment key = a.allocate(ValueLayout.JAVA_INT);
                MemorySegment val = a.allocate(VschedIntf.VSCHED_VACT_CPU);
                MemorySegment st = LibC.allocateCapturedState(a);
                key.set(ValueLayout.JAVA_INT, 0, possible[0]);
                assertEquals(0, LibBpf.bpf_map_lookup_elem(st, vs.fd(), key, val), "errno " + LibC.errno(st));
                assertTrue(VschedIntf.VactCpu.read(val).hbCount() >= after[possible[0]].hbCount());
            }

            for (int cpu : possible) {
                VschedIntf.VactCpu b = before[cpu];
                VschedIntf.VactCpu a = after[cpu];
                long ticks = a.hbCount() - b.hbCount();
                double rate = ticks / secs;
                System.out.printf("cpu %d: %d ticks in %.2f s (%.0f/s), tick_ns %d, hz_votes %s, inactive %d "
                        + "(max %d us), idle_gaps %d, steal_jumps %d, steal %d ns%n", cpu, ticks, secs, rate,
                        a.tickNs(), java.util.Arrays.toString(a.hzVotes()), a.inactiveCount(),
                        a.inactiveMaxNs() / 1000, a.idleGaps(), a.stealJumps(), a.stealNs());
                // clock time per jiffy after a second, else a vote: within 2% of 1e9/HZ for a usual HZ
                long tickNs = a.tickNs();
                assertTrue(java.util.stream.IntStream.of(100, 250, 300, 1000)
                        .anyMatch(h -> Math.abs(tickNs - 1e9 / h) <= 0.02 * 1e9 / h),
                        "cpu " + cpu + " learnt no HZ tick: tick_ns " + tickNs);
                double hz = 1e9 / a.tickNs();
                // a busy vCPU ticks at HZ, minus what the host took from it (steal, as the hypervisor
                // accounts it in /proc/stat, 10 ms ticks); never faster
                double stolen = Math.min(1, (statAfter.steal(cpu) - statBefore.steal(cpu)) * 0.01 / secs);
                assertTrue(rate <= hz * 1.1, "cpu " + cpu + ": " + rate + " ticks/s above HZ " + hz);
                assertTrue(rate >= hz * (1 - stolen) * 0.8, String.format(java.util.Locale.ROOT,
                        "cpu %d: only %.0f ticks/s while busy, HZ %.0f, %.3f of the time stolen by the host", cpu,
                        rate, hz, stolen));
                assertTrue(a.hbNs() > b.hbNs(), "cpu " + cpu + " heartbeat did not advance");
                long age = now - a.hbNs();
                assertTrue(age >= 0 && age < 2 * busyNs, "cpu " + cpu + " heartbeat age " + age + " ns");
            }

            // destroy the links: the heartbeat must stop, the fds and the kernel links must go
            for (BpfLink l : links) {
                l.close();
                l.close();  // once only
                assertTrue(l.isDestroyed());
            }
            assertTrue(obj.links().isEmpty());
            VschedIntf.VactCpu[] detached = readAll(vs, arena);
            spinOnEveryCpu(200);
            VschedIntf.VactCpu[] later = readAll(vs, arena);
            for (int cpu : possible) {
                assertEquals(detached[cpu].hbCount(), later[cpu].hbCount(), "cpu " + cpu + " still ticking after detach");
            }
            for (BpfLink l : links) {
                assertThrows(IllegalStateException.class, l::fd);
            }
        }
        assertEquals(fdsBefore, BpfFds.open(), "BPF fds left open after close()");
        List<Integer> remaining = bpftoolLinkIds();
        for (int id : linkIds) {
            assertFalse(remaining.contains(id), "link " + id + " still attached after close()");
        }
    }

    @Test
    void closeDestroysLinksStillAttached() throws Exception {
        Map<Integer, String> fdsBefore = BpfFds.open();
        List<Integer> ids = new ArrayList<>();
        BpfObject obj = BpfObject.open(vact);
        BpfLink link;
        try (obj) {
            obj.setMaxEntries(VschedIntf.VSCHED_MAP_VACT, nrCpuIds);
            obj.load();
            link = obj.attach("vact_switch");
            ids.add(BpfFds.linkId(link.fd()));
            assertEquals(1, obj.links().size());
        }
        assertTrue(link.isDestroyed(), "closing the object destroys its links");
        link.close();
        assertEquals(fdsBefore, BpfFds.open());
        assertFalse(bpftoolLinkIds().contains(ids.get(0)));
        assertThrows(IllegalStateException.class, obj::programNames, "a closed object refuses native calls");
        obj.close();  // idempotent
    }

    @Test
    void perCpuLookupGivesOneValuePerCpuInOrder() throws Exception {
        try (BpfObject obj = BpfObject.open(dir.resolve("percpu_count.bpf.o")); Arena arena = Arena.ofConfined()) {
            obj.load();
            BpfMap m = obj.map("pc_counts");
            assertTrue(m.isPerCpu());
            assertEquals(16, m.valueSize());
            obj.attachAll();
            spinOnEveryCpu(300);
            java.util.SortedMap<Integer, MemorySegment> vals = m.lookupPerCpu(0, arena);
            assertEquals(possible.length, vals.size());
            for (int cpu : possible) {
                MemorySegment v = vals.get(cpu);
                assertTrue(v.get(ValueLayout.JAVA_LONG, 0) > 0, "cpu " + cpu + " counted no sched_switch");
                assertEquals(cpu, v.get(ValueLayout.JAVA_INT, 8), "copy " + cpu + " was written by another CPU");
            }
            assertThrows(IllegalStateException.class, () -> m.lookup(0, arena), "per-CPU maps need lookupPerCpu");
        }
    }

    /**
     * bpf/build/ holds the toolchain-built objects the guest images ship. scripts/bpf-test-objects.sh builds
     * them before this test (also in a fresh clone): a missing one fails here, it is not skipped.
     */
    static Path shipped(String name) {
        Path built = CProgram.repoRoot().resolve("bpf/build").resolve(name);
        assertTrue(Files.isRegularFile(built), built + " missing: guest-agent/scripts/bpf-test-objects.sh builds it"
                + " in the toolchain chroot before the ITs");
        return built;
    }

    @Test
    void shippedVactHeartbeatsOnThisKernel() throws Exception {
        try (BpfObject obj = BpfObject.open(shipped(VschedIntf.VSCHED_OBJ_VACT)); Arena arena = Arena.ofConfined()) {
            obj.setMaxEntries(VschedIntf.VSCHED_MAP_VACT, nrCpuIds);
            obj.load();
            obj.attachAll();
            BpfMap vs = obj.map(VschedIntf.VSCHED_MAP_VACT);
            VschedIntf.VactCpu[] before = readAll(vs, arena);
            spinOnEveryCpu(300);
            VschedIntf.VactCpu[] after = readAll(vs, arena);
            for (int cpu : possible) {
                assertTrue(after[cpu].hbCount() > before[cpu].hbCount(), "cpu " + cpu + " no heartbeat");
            }
        }
    }

    /** What the agent meets if it picks the shipped scheduler on a kernel without sched_ext: a clean refusal. */
    @Test
    void shippedSchedulerIsRefusedCleanlyWithoutSchedExt() throws Exception {
        Path sched = shipped(VschedIntf.VSCHED_OBJ_SCHED);
        Assumptions.assumeFalse(SchedExtSysfs.present(),
                "this host kernel has sched_ext: the refusal without it is checked only where it is missing");
        Map<Integer, String> fdsBefore = BpfFds.open();
        try (BpfObject obj = BpfObject.open(sched)) {
            obj.setMaxEntries(VschedIntf.VSCHED_MAP_VACT, nrCpuIds);
            obj.setMaxEntries(VschedIntf.VSCHED_MAP_CPU_CFG, nrCpuIds);
            BpfException e = assertThrows(BpfException.class, obj::load);
            System.out.println("scheduler on a kernel without sched_ext: " + e.getMessage().lines().findFirst().orElse(""));
            assertTrue(e.getMessage().contains(sched.toString()), e.getMessage());
        }
        assertEquals(fdsBefore, BpfFds.open());
    }

    @Test
    void bpfCheckRunsVactAndRefusesSchedWithoutSchedExt() throws Exception {
        Map<Integer, String> fdsBefore = BpfFds.open();
        assertEquals(0, BpfCheck.run(false, dir, 0.3));
        assertEquals(fdsBefore, BpfFds.open());
        if (!SchedExtSysfs.present()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> BpfCheck.run(true, dir, 0.1));
            assertTrue(e.getMessage().contains("no sched_ext"), e.getMessage());
        }
    }

    @Test
    void missingObjectNamesThePath() {
        Path missing = dir.resolve("no-such-dir/nothing.bpf.o");
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.open(missing));
        assertEquals("bpf_object__open_file", e.call());
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void corruptObjectsNameThePath(@TempDir Path tmp) throws Exception {
        Path garbage = tmp.resolve("garbage.bpf.o");
        Files.writeString(garbage, "this is not an ELF file\n".repeat(20));
        Path truncated = tmp.resolve("truncated.bpf.o");
        byte[] real = Files.readAllBytes(vact);
        Files.write(truncated, java.util.Arrays.copyOf(real, real.length / 3));
        for (Path p : List.of(garbage, truncated)) {
            Map<Integer, String> fdsBefore = BpfFds.open();
            BpfException e = assertThrows(BpfException.class, () -> {
                try (BpfObject o = BpfObject.open(p)) {
                    o.load();
                }
            });
            System.out.println("corrupt object: " + e.getMessage().lines().findFirst().orElse(""));
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            assertNotEquals(0, e.errno());
            assertEquals(fdsBefore, BpfFds.open(), "a failed open leaks nothing");
        }
    }

    @Test
    void verifierRejectionCarriesTheVerifierLog() throws Exception {
        Path bad = dir.resolve("verifier_reject.bpf.o");
        Map<Integer, String> fdsBefore = BpfFds.open();
        try (BpfObject obj = BpfObject.open(bad)) {
            BpfException e = assertThrows(BpfException.class, obj::load);
            assertEquals("bpf_object__load", e.call());
            assertEquals(bad.toString(), e.subject());
            assertFalse(e.logTail().isEmpty(), "no libbpf log captured");
            String log = String.join("\n", e.logTail());
            assertTrue(log.contains("invalid mem access 'map_value_or_null'"), log);
            // the verifier log arrives as one printf longer than LibBpfLog's first buffer: all of it is here
            int begin = log.indexOf("-- BEGIN PROG LOAD LOG --");
            int end = log.indexOf("-- END PROG LOAD LOG --");
            assertTrue(begin >= 0 && end > begin, log);
            assertTrue(end - begin > 1024, "verifier log only " + (end - begin) + " chars: make the program longer");
            assertTrue(log.substring(begin, end).contains("0: R1=ctx()"), "log lost its start: " + log);
            assertTrue(log.contains("verifier_reject"), log);
            assertFalse(log.contains("%s") || log.contains("%d"), "unformatted printf arguments: " + log);
            assertTrue(e.getMessage().contains("map_value_or_null"), e.getMessage());
            assertTrue(LibBpfLog.recentLines().stream().anyMatch(l -> l.contains("map_value_or_null")));
            assertFalse(obj.isLoaded());
        }
        assertEquals(fdsBefore, BpfFds.open(), "a failed load leaks nothing");
    }

    @Test
    void misuseIsRefusedWithNames() throws Exception {
        try (BpfObject obj = BpfObject.open(vact); Arena arena = Arena.ofConfined()) {
            BpfException noMap = assertThrows(BpfException.class, () -> obj.map("vs_nope"));
            assertEquals("ENOENT", noMap.errnoName());
            assertTrue(noMap.getMessage().contains("'vs_nope'") && noMap.getMessage().contains(vact.toString()),
                    noMap.getMessage());
            BpfException noProg = assertThrows(BpfException.class, () -> obj.program("nope"));
            assertTrue(noProg.getMessage().contains("'nope'"), noProg.getMessage());
            BpfMap vs = obj.map(VschedIntf.VSCHED_MAP_VACT);
            assertThrows(BpfException.class, () -> vs.lookup(0, arena), "lookup before load");
            assertThrows(BpfException.class, () -> obj.attach("vact_tick"), "attach before load");
            assertThrows(IllegalArgumentException.class, () -> vs.setMaxEntries(0));
            obj.setMaxEntries(VschedIntf.VSCHED_MAP_VACT, nrCpuIds);
            obj.load();
            assertThrows(BpfException.class, obj::load, "load twice");
            BpfException late = assertThrows(BpfException.class, () -> vs.setMaxEntries(nrCpuIds + 1));
            assertTrue(late.getMessage().contains("before load"), late.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> vs.update(0, arena.allocate(VschedIntf.VSCHED_VACT_CPU.byteSize() - 8)), "short value");
            BpfException range = assertThrows(BpfException.class, () -> vs.lookup(nrCpuIds, arena));
            assertEquals("ENOENT", range.errnoName(), range.getMessage());
            // no sched_ext here, and vs_vact is no struct_ops map anyway: libbpf refuses, the link list stays empty
            BpfException ops = assertThrows(BpfException.class, () -> obj.attachStructOps(VschedIntf.VSCHED_MAP_VACT));
            assertEquals("bpf_map__attach_struct_ops", ops.call());
            assertTrue(obj.links().isEmpty());
        }
    }

    /** Reads every possible CPU's vs_vact entry, indexed by CPU id. */
    static VschedIntf.VactCpu[] readAll(BpfMap vs, Arena arena) throws BpfException {
        VschedIntf.VactCpu[] out = new VschedIntf.VactCpu[nrCpuIds];
        for (int cpu : possible) {
            out[cpu] = VschedIntf.VactCpu.read(vs.lookup(cpu, arena));
        }
        return out;
    }

    /** One pinned busy thread per online CPU for {@code ms}; returns the wall time spent. */
    static long spinOnEveryCpu(long ms) throws Exception {
        BitSet online = CpuList.parse(Files.readString(Path.of("/sys/devices/system/cpu/online")).strip());
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(online.cardinality());
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        for (int cpu : online.stream().toArray()) {
            Thread t = Thread.ofPlatform().name("spin-" + cpu).start(() -> {
                try {
                    Threads.pin(0, cpu);
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    started.countDown();
                }
                long x = 0;
                while (!stop.get()) {
                    x += System.nanoTime() & 1;
                }
                if (x == 42) {
                    System.out.print("");
                }
            });
            threads.add(t);
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        Thread.sleep(ms);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), errors);
        return System.nanoTime() - t0;
    }

    /** Link ids the kernel has attached right now, per bpftool. */
    static List<Integer> bpftoolLinkIds() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "link", "list", "--json").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "bpftool link list: " + out);
        List<Integer> ids = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\":(\\d+)").matcher(out);
        while (m.find()) {
            ids.add(Integer.parseInt(m.group(1)));
        }
        return ids;
    }
}
