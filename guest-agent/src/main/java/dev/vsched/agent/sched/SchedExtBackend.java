package dev.vsched.agent.sched;

import dev.vsched.agent.backend.Backend;
import dev.vsched.agent.backend.Mode;
import dev.vsched.agent.backend.Round;
import dev.vsched.agent.bpf.BpfException;
import dev.vsched.agent.bpf.BpfMap;
import dev.vsched.agent.bpf.VschedBpf;
import dev.vsched.agent.bpf.VschedIntf;
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
 * RWC (and BVS/IVH input) through the vsched sched_ext scheduler in bpf/, loaded by {@link VschedBpf}: per
 * round it rewrites every vCPU's {@code vs_cpu_cfg} then bumps {@code cpu_cfg_seq}. The attachment is no
 * file change: the kernel detaches the scheduler when the struct_ops link's fd closes, also when this
 * process dies, so nothing needs crash repair.
 */
public final class SchedExtBackend implements Backend {
    /** How long stopped() waits for ops.exit to record why: 40 x 50 ms. */
    private static final int EXIT_WAIT_POLLS = 40;
    private static final long EXIT_WAIT_POLL_MS = 50;

    private final Path objectPath;
    private final int policies;
    private final VschedBpf bpf;
    private final Arena arena = Arena.ofShared();
    private final BpfMap cpuCfg;
    private final BpfMap stats;
    private final BpfMap vact;
    private final int[] possible;
    private final MemorySegment cfgValue;
    private long seq = 1;
    private String applied;
    private boolean closed;

    private SchedExtBackend(Path objectPath, int policies, VschedBpf bpf) throws BpfException {
        this.objectPath = objectPath;
        this.policies = policies;
        this.bpf = bpf;
        this.possible = BpfMap.possibleCpuIds();
        this.cpuCfg = bpf.map(VschedIntf.VSCHED_MAP_CPU_CFG);
        this.stats = bpf.map(VschedIntf.VSCHED_MAP_STATS);
        this.vact = bpf.map(VschedIntf.VSCHED_MAP_VACT);
        this.cfgValue = arena.allocate(VschedIntf.VSCHED_CPU_CFG);
    }

    /**
     * Loads (real verifier) and attaches the scheduler; on any failure nothing stays loaded and the
     * exception says why.
     */
    public static SchedExtBackend attach(Path objectPath, Set<String> policyNames) throws BpfException, IOException {
        int policies = policyBits(policyNames);
        if (SchedExtSysfs.present() && !Files.isRegularFile(objectPath)) {
            throw new IOException("scheduler object " + objectPath + " does not exist (sched.bpf_object)");
        }
        VschedBpf bpf = VschedBpf.scheduler(objectPath, VschedIntf.Config.policies(policies, 1));
        try {
            return new SchedExtBackend(objectPath, policies, bpf);
        } catch (BpfException | RuntimeException e) {
            bpf.close();
            throw e;
        }
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

    @Override
    public Mode mode() {
        return Mode.SCHED_EXT;
    }

    @Override
    public String name() {
        return "sched_ext scheduler " + VschedIntf.VSCHED_OPS_NAME + " (" + objectPath + ")";
    }

    /**
     * Writes every possible vCPU's entry (capacities and latencies even while RWC hides nothing: BVS and
     * IVH want them), then bumps cpu_cfg_seq so the scheduler rebuilds its usable mask. A vCPU not
     * sampled or not available is written as unknown; hidden flags only when the round may act.
     */
    @Override
    public synchronized List<String> apply(Round round) throws IOException {
        if (closed) {
            return List.of("scheduler detached");
        }
        UsablePlan plan = round.plan();
        Map<Integer, Integer> group = new LinkedHashMap<>();
        for (int i = 0; i < round.stacked().size(); i++) {
            for (int c : round.stacked().get(i)) {
                group.put(c, i + 1);
            }
        }
        Map<Integer, Round.Vcpu> byCpu = new LinkedHashMap<>();
        round.vcpus().forEach(v -> byCpu.put(v.cpu(), v));
        long now = System.nanoTime();
        try {
            for (int cpu : possible) {
                Round.Vcpu v = byCpu.get(cpu);
                boolean known = v != null && v.sampled() && v.available();
                int flags = VschedIntf.VSCHED_CPU_F_VALID;
                UsablePlan.Hidden hidden = plan.hidden().get(cpu);
                if (round.act() && hidden != null) {
                    flags |= VschedIntf.VSCHED_CPU_F_HIDDEN | switch (hidden.reason()) {
                        case STRAGGLER -> VschedIntf.VSCHED_CPU_F_STRAGGLER;
                        case STACKED -> VschedIntf.VSCHED_CPU_F_STACKED;
                    };
                }
                // at least 1: a measured 0 must not read as the scheduler's "unknown" (full capacity)
                long cap = known ? Math.clamp(Math.max(1, v.capacity()), 0, VschedIntf.VSCHED_CAP_SCALE) : 0;
                long latUs = known ? Math.clamp(v.latencyNs() / 1000, 0, 0xffff_ffffL) : 0;
                new VschedIntf.CpuCfg(cap, latUs, flags, group.getOrDefault(cpu, 0), now).write(cfgValue);
                cpuCfg.update(cpu, cfgValue);
            }
            seq++;
            bpf.writeConfig(VschedIntf.Config.policies(policies, seq), arena);
        } catch (BpfException e) {
            throw new IOException("cannot write the scheduler's maps: " + e.getMessage(), e);
        }
        applied = round.act() ? plan.usableList() : null;
        return List.of();
    }

    @Override
    public synchronized String applied() {
        return applied;
    }

    /** Null while the scheduler runs; else why it stopped (the kernel ejected it, or another one took over). */
    @Override
    public synchronized String stopped() {
        if (closed) {
            return "detached";
        }
        String st = SchedExtSysfs.state();
        VschedIntf.ExitInfo ei = exitInfo();
        if ("enabled".equals(st) && VschedIntf.VSCHED_OPS_NAME.equals(SchedExtSysfs.ops())
                && (ei == null || ei.kind() == 0)) {
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
            return bpf.exitInfo(arena);
        } catch (BpfException | RuntimeException e) {
            return null;
        }
    }

    /** Every possible vCPU's vACT record; empty once detached. */
    @Override
    public synchronized Map<Integer, VschedIntf.VactCpu> activity() throws IOException {
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
    @Override
    public synchronized SchedulerState scheduler() {
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
        return new SchedulerState(SchedExtSysfs.state(), SchedExtSysfs.ops(), out, ei, seq);
    }

    /** Detaches (the kernel falls back to its default scheduler) and unloads. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        bpf.close();
        arena.close();
    }
}
