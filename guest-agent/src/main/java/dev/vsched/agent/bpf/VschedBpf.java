package dev.vsched.agent.bpf;

import dev.vsched.probers.proc.SchedExtSysfs;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One of vsched's two BPF objects, loaded the one way bpf/README.md prescribes: open, size the per-vCPU
 * maps to nr_cpu_ids, load (the real verifier), seed the maps, attach the vACT tracing programs, and for
 * the scheduler register its struct_ops and wait until the kernel says it is enabled. The agent's
 * {@code SchedExtBackend} and the diagnostic {@link BpfCheck} both load through here; bpf/'s C
 * vsched-loader is the same sequence in C. On any failure nothing stays loaded.
 */
public final class VschedBpf implements AutoCloseable {
    /** How long {@link #scheduler} waits for "enabled": 50 x 20 ms (the kernel enables asynchronously). */
    private static final int ENABLE_POLLS = 50;
    private static final long ENABLE_POLL_MS = 20;

    private final BpfObject obj;
    private final long loadNs;
    private BpfLink ops;

    private VschedBpf(BpfObject obj, long loadNs) {
        this.obj = obj;
        this.loadNs = loadNs;
    }

    /** The vACT tracing object ({@link VschedIntf#VSCHED_OBJ_VACT}): loaded, seeded and attached. */
    public static VschedBpf tracing(Path object) throws BpfException, IOException {
        return open(object, false, null);
    }

    /**
     * The scheduler object ({@link VschedIntf#VSCHED_OBJ_SCHED}): loaded, every vCPU seeded as unknown (full
     * capacity, nothing hidden), {@code config} written, tracing attached first (the scheduler starts with
     * live heartbeats), then registered and enabled. Throws, with the kernel's exit reason when it has
     * one, if sched_ext is missing, another scheduler is active, or the scheduler does not stay enabled.
     */
    public static VschedBpf scheduler(Path object, VschedIntf.Config config) throws BpfException, IOException {
        if (!SchedExtSysfs.present()) {
            throw new IOException("this kernel has no sched_ext (" + SchedExtSysfs.ROOT + " missing)");
        }
        String st = SchedExtSysfs.state();
        if (!"disabled".equals(st)) {
            throw new IOException("another sched_ext scheduler is active (state " + st + ", ops '"
                    + SchedExtSysfs.ops() + "')");
        }
        return open(object, true, config);
    }

    private static VschedBpf open(Path object, boolean sched, VschedIntf.Config config)
            throws BpfException, IOException {
        if (!Files.isRegularFile(object)) {
            throw new IOException("BPF object " + object + " does not exist");
        }
        LibBpf.requireLoaded();
        int nr = BpfMap.nrCpuIds();
        BpfObject o = BpfObject.open(object);
        try (Arena arena = Arena.ofConfined()) {
            o.setMaxEntries(VschedIntf.VSCHED_MAP_VACT, nr);
            if (sched) {
                o.setMaxEntries(VschedIntf.VSCHED_MAP_CPU_CFG, nr);
            }
            long t0 = System.nanoTime();
            o.load();
            VschedBpf b = new VschedBpf(o, System.nanoTime() - t0);
            MemorySegment vc = arena.allocate(VschedIntf.VSCHED_VACT_CFG);
            VschedIntf.VactCfg.DEFAULTS.write(vc);
            o.map(VschedIntf.VSCHED_MAP_VACT_CFG).update(0, vc);
            if (sched) {
                MemorySegment cc = arena.allocate(VschedIntf.VSCHED_CPU_CFG);
                VschedIntf.CpuCfg.unknown(System.nanoTime()).write(cc);
                BpfMap cpuCfg = o.map(VschedIntf.VSCHED_MAP_CPU_CFG);
                for (int cpu : BpfMap.possibleCpuIds()) {
                    cpuCfg.update(cpu, cc);
                }
                b.writeConfig(config, arena);
            }
            o.attachAll();
            if (sched) {
                b.ops = o.attachStructOps(VschedIntf.VSCHED_OPS_MAP);
                String state = awaitEnabled();
                if (!"enabled".equals(state) || !VschedIntf.VSCHED_OPS_NAME.equals(SchedExtSysfs.ops())) {
                    VschedIntf.ExitInfo ei = b.exitInfo(arena);
                    throw new IOException("the scheduler did not stay attached: state " + state + ", ops '"
                            + SchedExtSysfs.ops() + "', exit kind " + ei.kind() + " " + ei.reason() + " "
                            + ei.msg());
                }
            }
            return b;
        } catch (BpfException | IOException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    private static String awaitEnabled() {
        String st = SchedExtSysfs.state();
        for (int i = 0; i < ENABLE_POLLS && !"enabled".equals(st); i++) {
            try {
                Thread.sleep(ENABLE_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            st = SchedExtSysfs.state();
        }
        return st;
    }

    /** One of the object's maps (names: {@link VschedIntf}'s VSCHED_MAP_*). */
    public BpfMap map(String name) throws BpfException {
        return obj.map(name);
    }

    public Path path() {
        return obj.path();
    }

    /** How long libbpf's load (verifier included) took. */
    public long loadNs() {
        return loadNs;
    }

    /** Writes the scheduler's knobs (vs_config); {@code arena} only holds the value while writing. */
    public void writeConfig(VschedIntf.Config config, Arena arena) throws BpfException {
        MemorySegment conf = arena.allocate(VschedIntf.VSCHED_CONFIG);
        config.write(conf);
        obj.map(VschedIntf.VSCHED_MAP_CONFIG).update(0, conf);
    }

    /** Why the scheduler stopped, as ops.exit recorded it (kind 0: still running). */
    public VschedIntf.ExitInfo exitInfo(Arena arena) throws BpfException {
        return VschedIntf.ExitInfo.read(obj.map(VschedIntf.VSCHED_MAP_EXIT).lookup(0, arena));
    }

    /** Unregisters the scheduler (the kernel falls back to its default one); tracing stays. Idempotent. */
    public void detachScheduler() {
        if (ops != null) {
            ops.close();
        }
    }

    /** Detaches everything and frees the object. Idempotent. */
    @Override
    public void close() {
        obj.close();
    }
}
