package dev.vsched.agent.sched;

import dev.vsched.agent.bpf.BpfException;
import dev.vsched.agent.bpf.BpfLink;
import dev.vsched.agent.bpf.BpfMap;
import dev.vsched.agent.bpf.BpfObject;
import dev.vsched.agent.bpf.LibBpf;
import dev.vsched.agent.bpf.VschedIntf;
import dev.vsched.agent.rwc.RwcBackend;
import dev.vsched.agent.rwc.UsablePlan;
import dev.vsched.probers.proc.SchedExtSysfs;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * RWC (and BVS/IVH input) through the vsched sched_ext scheduler in bpf/: loads and attaches it the way
 * bpf/README.md prescribes, and per plan rewrites every vCPU's {@code vs_cpu_cfg} then bumps
 * {@code cpu_cfg_seq}. The attachment is no file change: the kernel detaches the scheduler when the
 * struct_ops link's fd closes, also when this process dies, so nothing needs crash repair.
 */
public final class SchedExtBackend implements RwcBackend, AutoCloseable {
    /** How long ejected() waits for ops.exit to record why: 40 x 50 ms. */
    private static final int EXIT_WAIT_POLLS = 40;
    private static final long EXIT_WAIT_POLL_MS = 50;

    /** What the agent knows about one vCPU beyond the plan; capacity 0 = unknown. */
    public record VcpuInfo(int capacity, long latencyNs) {
    }

    /** The scheduler's counters and exit info, for status. */
    public record Snapshot(String state, String ops, Map<String, Long> stats, VschedIntf.ExitInfo exit,
            long cpuCfgSeq) {
    }

    private final Path objectPath;
    private final int policies;
    private final BpfObject obj;
    private final BpfLink ops;
    private final Arena arena = Arena.ofShared();
    private final BpfMap cpuCfg;
    private final BpfMap config;
    private final BpfMap stats;
    private final BpfMap exit;
    private final BpfMap vact;
    private final int[] possible;
    private final MemorySegment cfgValue;
    private final MemorySegment confValue;
    private long seq = 1;
    private String applied;
    private boolean closed;

    private SchedExtBackend(Path objectPath, int policies) throws BpfException, IOException {
        this.objectPath = objectPath;
        this.policies = policies;
        this.possible = BpfMap.possibleCpuIds();
        int nr = BpfMap.nrCpuIds();
        BpfObject o = BpfObject.open(objectPath);
        BpfLink link = null;
        try {
            o.setMaxEntries(VschedIntf.VSCHED_MAP_VACT, nr);
            o.setMaxEntries(VschedIntf.VSCHED_MAP_CPU_CFG, nr);
            o.load();
            this.cpuCfg = o.map(VschedIntf.VSCHED_MAP_CPU_CFG);
            this.config = o.map(VschedIntf.VSCHED_MAP_CONFIG);
            this.stats = o.map(VschedIntf.VSCHED_MAP_STATS);
            this.exit = o.map(VschedIntf.VSCHED_MAP_EXIT);
            this.vact = o.map(VschedIntf.VSCHED_MAP_VACT);
            this.cfgValue = arena.allocate(VschedIntf.VSCHED_CPU_CFG);
            this.confValue = arena.allocate(VschedIntf.VSCHED_CONFIG);
            MemorySegment vc = arena.allocate(VschedIntf.VSCHED_VACT_CFG);
            VschedIntf.VactCfg.DEFAULTS.write(vc);
            o.map(VschedIntf.VSCHED_MAP_VACT_CFG).update(0, vc);
            // Start as the scheduler's default for unknown vCPUs: valid, full capacity, nothing hidden.
            long now = System.nanoTime();
            for (int cpu : possible) {
                new VschedIntf.CpuCfg(0, 0, VschedIntf.VSCHED_CPU_F_VALID, 0, now).write(cfgValue);
                cpuCfg.update(cpu, cfgValue);
            }
            writeConfig();
            o.attachAll();  // vACT tracing first: the scheduler starts with live heartbeats
            link = o.attachStructOps(VschedIntf.VSCHED_OPS_MAP);
            String st = awaitState();
            if (!"enabled".equals(st) || !VschedIntf.VSCHED_OPS_NAME.equals(SchedExtSysfs.ops())) {
                VschedIntf.ExitInfo ei = VschedIntf.ExitInfo.read(exit.lookup(0, arena));
                throw new IOException("the scheduler did not stay attached: state " + st + ", ops '"
                        + SchedExtSysfs.ops() + "', exit kind " + ei.kind() + " " + ei.reason() + " " + ei.msg());
            }
        } catch (BpfException | IOException | RuntimeException e) {
            if (link != null) {
                link.close();
            }
            o.close();
            arena.close();
            throw e;
        }
        this.obj = o;
        this.ops = link;
    }

    /**
     * Loads (real verifier) and attaches the scheduler; on any failure nothing stays loaded and the
     * exception says why.
     */
    public static SchedExtBackend attach(Path objectPath, Set<String> policyNames) throws BpfException, IOException {
        if (!SchedExtSysfs.present()) {
            throw new IOException("this kernel has no sched_ext (" + SchedExtSysfs.ROOT + " missing)");
        }
        if (!Files.isRegularFile(objectPath)) {
            throw new IOException("scheduler object " + objectPath + " does not exist (sched.bpf_object)");
        }
        LibBpf.requireLoaded();
        String st = SchedExtSysfs.state();
        if (!"disabled".equals(st)) {
            throw new IOException("another sched_ext scheduler is active (state " + st + ", ops '" + SchedExtSysfs.ops()
                    + "')");
        }
        return new SchedExtBackend(objectPath, policyBits(policyNames));
    }

    static int policyBits(Set<String> names) {
        int bits = 0;
        for (String n : names) {
            bits |= switch (n) {
                case "bvs" -> VschedIntf.VSCHED_POL_BVS;
                case "ivh" -> VschedIntf.VSCHED_POL_IVH;
                case "rwc" -> VschedIntf.VSCHED_POL_RWC;
                default -> throw new IllegalArgumentException("unknown policy '" + n + "'");
            };
        }
        return bits;
    }

    private void writeConfig() throws BpfException {
        new VschedIntf.Config(policies, seq, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0).write(confValue);
        config.update(0, confValue);
    }

    // The kernel enables asynchronously after the link is created; a short wait covers TCG guests.
    private static String awaitState() {
        String st = SchedExtSysfs.state();
        for (int i = 0; i < 50 && !"enabled".equals(st); i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            st = SchedExtSysfs.state();
        }
        return st;
    }

    @Override
    public String name() {
        return "sched_ext scheduler " + VschedIntf.VSCHED_OPS_NAME + " (" + objectPath + ")";
    }

    /** Without per-vCPU knowledge: capacities unknown. */
    @Override
    public List<String> apply(UsablePlan plan) throws IOException {
        return apply(plan, Map.of(), List.of(), true);
    }

    /**
     * Writes every possible vCPU's entry, then bumps cpu_cfg_seq so the scheduler rebuilds its usable mask.
     *
     * @param info    capacity and typical inactive period per vCPU (absent: unknown)
     * @param stacked vTOP's stacked groups (group id = index + 1; 0 = none)
     * @param hide    false: act on no hiding yet (RWC off, or topology unknown), only feed capacities
     */
    public synchronized List<String> apply(UsablePlan plan, Map<Integer, VcpuInfo> info, List<Set<Integer>> stacked,
            boolean hide) throws IOException {
        if (closed) {
            return List.of("scheduler detached");
        }
        Map<Integer, Integer> group = new LinkedHashMap<>();
        for (int i = 0; i < stacked.size(); i++) {
            for (int c : stacked.get(i)) {
                group.put(c, i + 1);
            }
        }
        long now = System.nanoTime();
        try {
            for (int cpu : possible) {
                VcpuInfo v = info.get(cpu);
                int flags = VschedIntf.VSCHED_CPU_F_VALID;
                String why = plan.hidden().get(cpu);
                if (hide && why != null) {
                    flags |= VschedIntf.VSCHED_CPU_F_HIDDEN;
                    if (why.startsWith("straggler")) {
                        flags |= VschedIntf.VSCHED_CPU_F_STRAGGLER;
                    } else if (why.startsWith("stacked")) {
                        flags |= VschedIntf.VSCHED_CPU_F_STACKED;
                    }
                }
                long cap = v == null ? 0 : Math.clamp(v.capacity(), 0, VschedIntf.VSCHED_CAP_SCALE);
                long latUs = v == null ? 0 : Math.clamp(v.latencyNs() / 1000, 0, 0xffff_ffffL);
                new VschedIntf.CpuCfg(cap, latUs, flags, group.getOrDefault(cpu, 0), now).write(cfgValue);
                cpuCfg.update(cpu, cfgValue);
            }
            seq++;
            writeConfig();
        } catch (BpfException e) {
            throw new IOException("cannot write the scheduler's maps: " + e.getMessage(), e);
        }
        applied = hide ? plan.usableList() : null;
        return List.of();
    }

    @Override
    public synchronized String applied() {
        return applied;
    }

    /** Null while the scheduler runs; else why it stopped (the kernel ejected it, or another one took over). */
    public synchronized String ejected() {
        if (closed) {
            return "detached";
        }
        String st = SchedExtSysfs.state();
        VschedIntf.ExitInfo ei = exitInfo();
        if ("enabled".equals(st) && VschedIntf.VSCHED_OPS_NAME.equals(SchedExtSysfs.ops()) && (ei == null || ei.kind() == 0)) {
            return null;
        }
        // While the state reads "disabling" the kernel has not yet run ops.exit, which records why
        // (sysrq-S, a stall, an error): wait for it, briefly, rather than report an empty reason.
        for (int i = 0; i < EXIT_WAIT_POLLS && (ei == null || ei.kind() == 0) && !"disabled".equals(st); i++) {
            try {
                Thread.sleep(EXIT_WAIT_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            st = SchedExtSysfs.state();
            ei = exitInfo();
        }
        return "sched_ext state " + st + ", ops '" + SchedExtSysfs.ops() + "'"
                + (ei == null ? "" : ", exit kind " + ei.kind() + " code " + ei.exitCode() + ": " + ei.reason()
                        + (ei.msg().isEmpty() ? "" : " (" + ei.msg() + ")"));
    }

    private VschedIntf.ExitInfo exitInfo() {
        try {
            return VschedIntf.ExitInfo.read(exit.lookup(0, arena));
        } catch (BpfException | RuntimeException e) {
            return null;
        }
    }

    /** Every possible vCPU's vACT record; empty once detached. */
    public synchronized Map<Integer, VschedIntf.VactCpu> vact() throws IOException {
        Map<Integer, VschedIntf.VactCpu> out = new LinkedHashMap<>();
        if (closed) {
            return out;
        }
        try (Arena a = Arena.ofConfined()) {
            for (int cpu : possible) {
                out.put(cpu, VschedIntf.VactCpu.read(vact.lookup(cpu, a)));
            }
        } catch (BpfException e) {
            throw new IOException("cannot read vACT's records: " + e.getMessage(), e);
        }
        return out;
    }

    /** Counters summed over CPUs, exit info and sysfs state. */
    public synchronized Snapshot snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        VschedIntf.ExitInfo ei = null;
        if (!closed) {
            try (Arena a = Arena.ofConfined()) {
                SortedMap<Integer, MemorySegment> per = stats.lookupPerCpu(0, a);
                for (VschedIntf.Stat st : VschedIntf.Stat.values()) {
                    out.put(st.key(), VschedIntf.statSum(per.values(), st));
                }
            } catch (BpfException | RuntimeException e) {
                out.clear();
            }
            ei = exitInfo();
        }
        return new Snapshot(SchedExtSysfs.state(), SchedExtSysfs.ops(), out, ei, seq);
    }

    /** Detaches (the kernel falls back to its default scheduler) and unloads. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ops.close();
        obj.close();
        arena.close();
    }
}
