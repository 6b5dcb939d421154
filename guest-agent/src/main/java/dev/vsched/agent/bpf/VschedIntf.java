package dev.vsched.agent.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;

import dev.vsched.probers.proc.SchedExtSysfs;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * The Java mirror of {@code bpf/include/vsched_intf.h}, the contract between the BPF programs, vsched.ko
 * and user space. Constant names are the header's macro names, struct layouts carry the header's field
 * names, so the two read side by side. {@code VschedIntfTest} compiles the real header and fails on any
 * difference (a moved, added or retyped field, a changed constant, a define without a Java twin).
 *
 * <p>Fields are little-endian native values; {@code __u32}/{@code __u64} are read into Java int/long and
 * the accessors below widen unsigned 32-bit fields to long.
 */
public final class VschedIntf {
    private VschedIntf() {
    }

    public static final int VSCHED_INTF_VERSION = 1;

    // ---- object files ----
    public static final String VSCHED_OBJ_SCHED = "vsched_sched.bpf.o";
    public static final String VSCHED_OBJ_VACT = "vsched_vact.bpf.o";
    public static final String VSCHED_OPS_MAP = "vsched_ops";
    public static final String VSCHED_OPS_NAME = "vsched";

    // ---- maps ----
    public static final String VSCHED_MAP_VACT = "vs_vact";
    public static final String VSCHED_MAP_VACT_CFG = "vs_vact_cfg";
    public static final String VSCHED_MAP_CONFIG = "vs_config";
    public static final String VSCHED_MAP_CPU_CFG = "vs_cpu_cfg";
    public static final String VSCHED_MAP_STATS = "vs_stats";
    public static final String VSCHED_MAP_EXIT = "vs_exit";

    // ---- the kernel's sched_ext files: SchedExtSysfs names them, these are the header's twins ----
    public static final String VSCHED_SCX_ROOT = SchedExtSysfs.ROOT.toString();
    public static final String VSCHED_SCX_STATE = SchedExtSysfs.STATE.toString();
    public static final String VSCHED_SCX_OPS = SchedExtSysfs.OPS.toString();

    // ---- kernel module ----
    public static final String VSCHED_KMOD_NAME = "vsched";
    public static final String VSCHED_SYSFS_ROOT = "/sys/kernel/vsched";
    public static final int VSCHED_PV_UNSUPPORTED = -95;

    // ---- scaled quantities ----
    public static final int VSCHED_CAP_SCALE = 1024;
    public static final int VSCHED_HIST_BUCKETS = 24;

    // ---- vsched_cpu_cfg.flags (unsigned 32-bit in C) ----
    public static final int VSCHED_CPU_F_HIDDEN = 1 << 0;
    public static final int VSCHED_CPU_F_STRAGGLER = 1 << 1;
    public static final int VSCHED_CPU_F_STACKED = 1 << 2;
    public static final int VSCHED_CPU_F_VALID = 1 << 31;
    public static final int VSCHED_CPU_F_KNOWN = VSCHED_CPU_F_HIDDEN | VSCHED_CPU_F_STRAGGLER | VSCHED_CPU_F_STACKED
            | VSCHED_CPU_F_VALID;

    // ---- vsched_config.policies ----
    public static final int VSCHED_POL_BVS = 1 << 0;
    public static final int VSCHED_POL_IVH = 1 << 1;
    public static final int VSCHED_POL_RWC = 1 << 2;
    public static final int VSCHED_POL_ALL = VSCHED_POL_BVS | VSCHED_POL_IVH | VSCHED_POL_RWC;

    // ---- vsched_vact_cpu.state / pv_state ----
    public static final int VSCHED_VACT_S_IDLE = 1 << 0;
    public static final int VSCHED_VACT_S_KMOD_STEAL = 1 << 1;
    public static final int VSCHED_VACT_PV_PREEMPTED = 1 << 0;
    public static final int VSCHED_VACT_PV_SUPPORTED = 1 << 1;

    /** enum vsched_stat: index into vsched_stats.cnt, in the order and words of the header's VSCHED_STATS list. */
    public enum Stat {
        BVS_PICK("BVS chose a vCPU for a light wakeup"),
        BVS_KEEP("BVS kept the previous vCPU (hysteresis)"),
        IVH_MOVE("IVH moved a heavy task"),
        IVH_SCAN("IVH scans run"),
        RWC_AVOID("a hidden vCPU was avoided"),
        RWC_PINNED("a task ran on a hidden vCPU because it must"),
        FALLBACK("default path (no better choice)"),
        DIRECT("dispatched straight to an idle vCPU"),
        ENQ_SHARED("queued on the shared DSQ"),
        PV_PREEMPT_SKIP("a candidate skipped as PV-preempted"),
        WAKE_PREEMPT("a light waker preempted a heavier task");

        private final String description;

        Stat(String description) {
            this.description = description;
        }

        /** What the counter counts, as the header's VSCHED_STATS list says. */
        public String description() {
            return description;
        }

        /** The C enumerator, e.g. VSCHED_STAT_BVS_PICK. */
        public String cName() {
            return "VSCHED_STAT_" + name();
        }

        /** The counter's name as vsched-loader prints it, e.g. bvs_pick. */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** enum vsched_stat's VSCHED_STAT_NR: counters in use. */
    public static final int VSCHED_STAT_NR = Stat.values().length;
    /** enum vsched_stat's VSCHED_STAT_MAX: room in the layout. */
    public static final int VSCHED_STAT_MAX = 16;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfLong S64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;

    private static SequenceLayout u32s(long n, String name) {
        return MemoryLayout.sequenceLayout(n, U32).withName(name);
    }

    private static SequenceLayout u64s(long n, String name) {
        return MemoryLayout.sequenceLayout(n, U64).withName(name);
    }

    private static SequenceLayout chars(long n, String name) {
        return MemoryLayout.sequenceLayout(n, ValueLayout.JAVA_BYTE).withName(name);
    }

    /** struct vsched_vact_cpu (256 bytes): per-vCPU activity, BPF -> user. */
    public static final StructLayout VSCHED_VACT_CPU = MemoryLayout.structLayout(
            U64.withName("hb_ns"),
            U64.withName("hb_count"),
            U64.withName("idle_enter_ns"),
            U64.withName("idle_exit_ns"),
            U64.withName("steal_ns"),
            U64.withName("steal_jumps"),
            U64.withName("steal_jump_sum_ns"),
            U64.withName("steal_jump_max_ns"),
            U64.withName("last_steal_jump_ns"),
            U64.withName("inactive_count"),
            U64.withName("inactive_sum_ns"),
            U64.withName("inactive_max_ns"),
            U64.withName("last_inactive_end_ns"),
            U64.withName("idle_gaps"),
            U64.withName("pv_samples"),
            U64.withName("pv_preempted"),
            U32.withName("state"),
            U32.withName("tick_ns"),
            u32s(VSCHED_HIST_BUCKETS, "hist"),
            U32.withName("pv_state"),
            U32.withName("_pad0"),
            u32s(4, "hz_votes")).withName("vsched_vact_cpu");

    /** struct vsched_vact_cfg (64 bytes): vACT knobs, user -> BPF. */
    public static final StructLayout VSCHED_VACT_CFG = MemoryLayout.structLayout(
            U32.withName("tick_ns"),
            U32.withName("gap_factor_pct"),
            U32.withName("steal_jump_ns"),
            U32.withName("pv_sample"),
            u64s(6, "_reserved")).withName("vsched_vact_cfg");

    /** struct vsched_cpu_cfg (64 bytes): per-vCPU prober results, user -> BPF. */
    public static final StructLayout VSCHED_CPU_CFG = MemoryLayout.structLayout(
            U32.withName("capacity"),
            U32.withName("latency_us"),
            U32.withName("flags"),
            U32.withName("group"),
            U64.withName("updated_ns"),
            u64s(5, "_reserved")).withName("vsched_cpu_cfg");

    /** struct vsched_config (96 bytes): scheduler knobs, user -> BPF. */
    public static final StructLayout VSCHED_CONFIG = MemoryLayout.structLayout(
            U32.withName("intf_version"),
            U32.withName("policies"),
            U64.withName("cpu_cfg_seq"),
            U64.withName("slice_ns"),
            U32.withName("light_util_pct"),
            U32.withName("hb_fresh_us"),
            U32.withName("bvs_margin_pct"),
            U32.withName("ivh_interval_us"),
            U32.withName("ivh_cap_max"),
            U32.withName("ivh_heavy_pct"),
            U32.withName("ivh_min_run_us"),
            U32.withName("ivh_max_moves"),
            U32.withName("ivh_task_cooldown_ms"),
            U32.withName("preempt_recent_us"),
            u64s(4, "_reserved")).withName("vsched_config");

    /** struct vsched_stats (128 bytes): counters, one copy per CPU in PERCPU_ARRAY "vs_stats". */
    public static final StructLayout VSCHED_STATS = MemoryLayout.structLayout(
            u64s(VSCHED_STAT_MAX, "cnt")).withName("vsched_stats");

    /** struct vsched_exit_info (1024 bytes): why the scheduler stopped, BPF -> user. */
    public static final StructLayout VSCHED_EXIT_INFO = MemoryLayout.structLayout(
            S64.withName("kind"),
            S64.withName("exit_code"),
            chars(128, "reason"),
            chars(880, "msg")).withName("vsched_exit_info");

    /** Every struct of the header by its C name (the test walks this). */
    public static final Map<String, StructLayout> STRUCTS = Map.of(
            "vsched_vact_cpu", VSCHED_VACT_CPU,
            "vsched_vact_cfg", VSCHED_VACT_CFG,
            "vsched_cpu_cfg", VSCHED_CPU_CFG,
            "vsched_config", VSCHED_CONFIG,
            "vsched_stats", VSCHED_STATS,
            "vsched_exit_info", VSCHED_EXIT_INFO);

    /** Fields whose C type is signed ("struct.field"); all others are unsigned or char. */
    public static final Set<String> SIGNED_FIELDS = Set.of("vsched_exit_info.kind", "vsched_exit_info.exit_code");

    // ---- accessors: VarHandles take (MemorySegment, long base offset) ----

    static VarHandle field(StructLayout s, String name) {
        return s.varHandle(groupElement(name));
    }

    static VarHandle element(StructLayout s, String array) {
        return s.varHandle(groupElement(array), sequenceElement());
    }

    /** Reads an unsigned 32-bit field. */
    static long u32(VarHandle h, MemorySegment seg) {
        return Integer.toUnsignedLong((int) h.get(seg, 0L));
    }

    /** One vCPU's vACT record (struct vsched_vact_cpu), decoded. */
    public record VactCpu(long hbNs, long hbCount, long idleEnterNs, long idleExitNs, long stealNs, long stealJumps,
            long stealJumpSumNs, long stealJumpMaxNs, long lastStealJumpNs, long inactiveCount, long inactiveSumNs,
            long inactiveMaxNs, long lastInactiveEndNs, long idleGaps, long pvSamples, long pvPreempted, long state,
            long tickNs, long[] hist, long pvState, long[] hzVotes) {

        private static final VarHandle HB_NS = field(VSCHED_VACT_CPU, "hb_ns");
        private static final VarHandle HB_COUNT = field(VSCHED_VACT_CPU, "hb_count");
        private static final VarHandle IDLE_ENTER_NS = field(VSCHED_VACT_CPU, "idle_enter_ns");
        private static final VarHandle IDLE_EXIT_NS = field(VSCHED_VACT_CPU, "idle_exit_ns");
        private static final VarHandle STEAL_NS = field(VSCHED_VACT_CPU, "steal_ns");
        private static final VarHandle STEAL_JUMPS = field(VSCHED_VACT_CPU, "steal_jumps");
        private static final VarHandle STEAL_JUMP_SUM_NS = field(VSCHED_VACT_CPU, "steal_jump_sum_ns");
        private static final VarHandle STEAL_JUMP_MAX_NS = field(VSCHED_VACT_CPU, "steal_jump_max_ns");
        private static final VarHandle LAST_STEAL_JUMP_NS = field(VSCHED_VACT_CPU, "last_steal_jump_ns");
        private static final VarHandle INACTIVE_COUNT = field(VSCHED_VACT_CPU, "inactive_count");
        private static final VarHandle INACTIVE_SUM_NS = field(VSCHED_VACT_CPU, "inactive_sum_ns");
        private static final VarHandle INACTIVE_MAX_NS = field(VSCHED_VACT_CPU, "inactive_max_ns");
        private static final VarHandle LAST_INACTIVE_END_NS = field(VSCHED_VACT_CPU, "last_inactive_end_ns");
        private static final VarHandle IDLE_GAPS = field(VSCHED_VACT_CPU, "idle_gaps");
        private static final VarHandle PV_SAMPLES = field(VSCHED_VACT_CPU, "pv_samples");
        private static final VarHandle PV_PREEMPTED = field(VSCHED_VACT_CPU, "pv_preempted");
        private static final VarHandle STATE = field(VSCHED_VACT_CPU, "state");
        private static final VarHandle TICK_NS = field(VSCHED_VACT_CPU, "tick_ns");
        private static final VarHandle HIST = element(VSCHED_VACT_CPU, "hist");
        private static final VarHandle PV_STATE = field(VSCHED_VACT_CPU, "pv_state");
        private static final VarHandle HZ_VOTES = element(VSCHED_VACT_CPU, "hz_votes");

        /** Decodes a {@code VSCHED_VACT_CPU.byteSize()}-byte value from the vs_vact map. */
        public static VactCpu read(MemorySegment s) {
            checkSize(s, VSCHED_VACT_CPU);
            long[] hist = new long[VSCHED_HIST_BUCKETS];
            for (int i = 0; i < hist.length; i++) {
                hist[i] = Integer.toUnsignedLong((int) HIST.get(s, 0L, (long) i));
            }
            long[] votes = new long[4];
            for (int i = 0; i < votes.length; i++) {
                votes[i] = Integer.toUnsignedLong((int) HZ_VOTES.get(s, 0L, (long) i));
            }
            return new VactCpu((long) HB_NS.get(s, 0L), (long) HB_COUNT.get(s, 0L), (long) IDLE_ENTER_NS.get(s, 0L),
                    (long) IDLE_EXIT_NS.get(s, 0L), (long) STEAL_NS.get(s, 0L), (long) STEAL_JUMPS.get(s, 0L),
                    (long) STEAL_JUMP_SUM_NS.get(s, 0L), (long) STEAL_JUMP_MAX_NS.get(s, 0L),
                    (long) LAST_STEAL_JUMP_NS.get(s, 0L), (long) INACTIVE_COUNT.get(s, 0L),
                    (long) INACTIVE_SUM_NS.get(s, 0L), (long) INACTIVE_MAX_NS.get(s, 0L),
                    (long) LAST_INACTIVE_END_NS.get(s, 0L), (long) IDLE_GAPS.get(s, 0L),
                    (long) PV_SAMPLES.get(s, 0L), (long) PV_PREEMPTED.get(s, 0L), u32(STATE, s), u32(TICK_NS, s),
                    hist, u32(PV_STATE, s), votes);
        }

        public boolean idle() {
            return (state & VSCHED_VACT_S_IDLE) != 0;
        }

        public boolean kmodSteal() {
            return (state & VSCHED_VACT_S_KMOD_STEAL) != 0;
        }

        public boolean pvSupported() {
            return (pvState & VSCHED_VACT_PV_SUPPORTED) != 0;
        }
    }

    /** struct vsched_vact_cfg; zero fields mean the header's documented defaults. */
    public record VactCfg(long tickNs, long gapFactorPct, long stealJumpNs, boolean pvSampleOff) {
        private static final VarHandle TICK_NS = field(VSCHED_VACT_CFG, "tick_ns");
        private static final VarHandle GAP_FACTOR_PCT = field(VSCHED_VACT_CFG, "gap_factor_pct");
        private static final VarHandle STEAL_JUMP_NS = field(VSCHED_VACT_CFG, "steal_jump_ns");
        private static final VarHandle PV_SAMPLE = field(VSCHED_VACT_CFG, "pv_sample");

        public static final VactCfg DEFAULTS = new VactCfg(0, 0, 0, false);

        public VactCfg {
            checkU32("tick_ns", tickNs);
            checkU32("gap_factor_pct", gapFactorPct);
            checkU32("steal_jump_ns", stealJumpNs);
        }

        /** Fills a zeroed {@code VSCHED_VACT_CFG}-sized segment (reserved words stay 0). */
        public void write(MemorySegment s) {
            checkSize(s, VSCHED_VACT_CFG);
            s.fill((byte) 0);
            TICK_NS.set(s, 0L, (int) tickNs);
            GAP_FACTOR_PCT.set(s, 0L, (int) gapFactorPct);
            STEAL_JUMP_NS.set(s, 0L, (int) stealJumpNs);
            PV_SAMPLE.set(s, 0L, pvSampleOff ? 1 : 0);
        }

        public static VactCfg read(MemorySegment s) {
            checkSize(s, VSCHED_VACT_CFG);
            return new VactCfg(u32(TICK_NS, s), u32(GAP_FACTOR_PCT, s), u32(STEAL_JUMP_NS, s), u32(PV_SAMPLE, s) != 0);
        }
    }

    /** struct vsched_cpu_cfg: one vCPU's properties for the scheduler. */
    public record CpuCfg(long capacity, long latencyUs, int flags, long group, long updatedNs) {
        private static final VarHandle CAPACITY = field(VSCHED_CPU_CFG, "capacity");
        private static final VarHandle LATENCY_US = field(VSCHED_CPU_CFG, "latency_us");
        private static final VarHandle FLAGS = field(VSCHED_CPU_CFG, "flags");
        private static final VarHandle GROUP = field(VSCHED_CPU_CFG, "group");
        private static final VarHandle UPDATED_NS = field(VSCHED_CPU_CFG, "updated_ns");

        public CpuCfg {
            if (capacity < 0 || capacity > VSCHED_CAP_SCALE) {
                throw new IllegalArgumentException("capacity " + capacity + " outside 0.." + VSCHED_CAP_SCALE);
            }
            checkU32("latency_us", latencyUs);
            checkU32("group", group);
            if ((flags & ~VSCHED_CPU_F_KNOWN) != 0) {
                throw new IllegalArgumentException("unknown vsched_cpu_cfg flags 0x" + Integer.toHexString(flags));
            }
        }

        /** What the scheduler assumes of a vCPU nobody measured yet: valid, capacity unknown (full), not hidden. */
        public static CpuCfg unknown(long updatedNs) {
            return new CpuCfg(0, 0, VSCHED_CPU_F_VALID, 0, updatedNs);
        }

        public void write(MemorySegment s) {
            checkSize(s, VSCHED_CPU_CFG);
            s.fill((byte) 0);
            CAPACITY.set(s, 0L, (int) capacity);
            LATENCY_US.set(s, 0L, (int) latencyUs);
            FLAGS.set(s, 0L, flags);
            GROUP.set(s, 0L, (int) group);
            UPDATED_NS.set(s, 0L, updatedNs);
        }

        public static CpuCfg read(MemorySegment s) {
            checkSize(s, VSCHED_CPU_CFG);
            return new CpuCfg(u32(CAPACITY, s), u32(LATENCY_US, s), (int) FLAGS.get(s, 0L), u32(GROUP, s),
                    (long) UPDATED_NS.get(s, 0L));
        }
    }

    /**
     * struct vsched_config: scheduler knobs; 0 means the header's default. {@link #write} always sets
     * intf_version to {@link #VSCHED_INTF_VERSION}, as the scheduler requires of a written entry.
     */
    public record Config(int policies, long cpuCfgSeq, long sliceNs, long lightUtilPct, long hbFreshUs,
            long bvsMarginPct, long ivhIntervalUs, long ivhCapMax, long ivhHeavyPct, long ivhMinRunUs,
            long ivhMaxMoves, long ivhTaskCooldownMs, long preemptRecentUs) {
        private static final VarHandle INTF_VERSION = field(VSCHED_CONFIG, "intf_version");
        private static final VarHandle POLICIES = field(VSCHED_CONFIG, "policies");
        private static final VarHandle CPU_CFG_SEQ = field(VSCHED_CONFIG, "cpu_cfg_seq");
        private static final VarHandle SLICE_NS = field(VSCHED_CONFIG, "slice_ns");
        private static final String[] U32_FIELDS = {"light_util_pct", "hb_fresh_us", "bvs_margin_pct",
            "ivh_interval_us", "ivh_cap_max", "ivh_heavy_pct", "ivh_min_run_us", "ivh_max_moves",
            "ivh_task_cooldown_ms", "preempt_recent_us"};
        private static final VarHandle[] U32_HANDLES = new VarHandle[U32_FIELDS.length];

        static {
            for (int i = 0; i < U32_FIELDS.length; i++) {
                U32_HANDLES[i] = field(VSCHED_CONFIG, U32_FIELDS[i]);
            }
        }

        /** All policies, defaults everywhere, cpu_cfg generation {@code cpuCfgSeq}. */
        public static Config defaults(long cpuCfgSeq) {
            return policies(VSCHED_POL_ALL, cpuCfgSeq);
        }

        /** The given VSCHED_POL_* bits, the header's defaults for every knob, generation {@code cpuCfgSeq}. */
        public static Config policies(int policies, long cpuCfgSeq) {
            return new Config(policies, cpuCfgSeq, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        public Config {
            if ((policies & ~VSCHED_POL_ALL) != 0) {
                throw new IllegalArgumentException("unknown policy bits 0x" + Integer.toHexString(policies));
            }
            long[] u = {lightUtilPct, hbFreshUs, bvsMarginPct, ivhIntervalUs, ivhCapMax, ivhHeavyPct, ivhMinRunUs,
                ivhMaxMoves, ivhTaskCooldownMs, preemptRecentUs};
            for (int i = 0; i < u.length; i++) {
                checkU32(U32_FIELDS[i], u[i]);
            }
        }

        private long[] u32Values() {
            return new long[] {lightUtilPct, hbFreshUs, bvsMarginPct, ivhIntervalUs, ivhCapMax, ivhHeavyPct,
                ivhMinRunUs, ivhMaxMoves, ivhTaskCooldownMs, preemptRecentUs};
        }

        public void write(MemorySegment s) {
            checkSize(s, VSCHED_CONFIG);
            s.fill((byte) 0);
            INTF_VERSION.set(s, 0L, VSCHED_INTF_VERSION);
            POLICIES.set(s, 0L, policies);
            CPU_CFG_SEQ.set(s, 0L, cpuCfgSeq);
            SLICE_NS.set(s, 0L, sliceNs);
            long[] u = u32Values();
            for (int i = 0; i < u.length; i++) {
                U32_HANDLES[i].set(s, 0L, (int) u[i]);
            }
        }

        /** The intf_version stored in a vs_config value (0 when user space never wrote it). */
        public static long intfVersion(MemorySegment s) {
            checkSize(s, VSCHED_CONFIG);
            return u32(INTF_VERSION, s);
        }

        public static Config read(MemorySegment s) {
            checkSize(s, VSCHED_CONFIG);
            long[] u = new long[U32_FIELDS.length];
            for (int i = 0; i < u.length; i++) {
                u[i] = u32(U32_HANDLES[i], s);
            }
            return new Config((int) POLICIES.get(s, 0L), (long) CPU_CFG_SEQ.get(s, 0L), (long) SLICE_NS.get(s, 0L),
                    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9]);
        }
    }

    private static final VarHandle STATS_CNT = element(VSCHED_STATS, "cnt");

    /** One CPU's counter {@code stat} from a vs_stats value. */
    public static long statCount(MemorySegment stats, Stat stat) {
        checkSize(stats, VSCHED_STATS);
        return (long) STATS_CNT.get(stats, 0L, (long) stat.ordinal());
    }

    /** Sums counter {@code stat} over the per-CPU copies {@link BpfMap#lookupPerCpu} returned (its values()). */
    public static long statSum(Iterable<MemorySegment> perCpu, Stat stat) {
        long sum = 0;
        for (MemorySegment s : perCpu) {
            sum += statCount(s, stat);
        }
        return sum;
    }

    /** struct vsched_exit_info, decoded; kind 0 means the scheduler is still running. */
    public record ExitInfo(long kind, long exitCode, String reason, String msg) {
        private static final VarHandle KIND = field(VSCHED_EXIT_INFO, "kind");
        private static final VarHandle EXIT_CODE = field(VSCHED_EXIT_INFO, "exit_code");

        public static ExitInfo read(MemorySegment s) {
            checkSize(s, VSCHED_EXIT_INFO);
            return new ExitInfo((long) KIND.get(s, 0L), (long) EXIT_CODE.get(s, 0L),
                    cString(s, VSCHED_EXIT_INFO, "reason"), cString(s, VSCHED_EXIT_INFO, "msg"));
        }
    }

    /** A NUL-terminated char array field, bounded by its size even if BPF left no NUL. */
    static String cString(MemorySegment s, StructLayout layout, String field) {
        long off = layout.byteOffset(groupElement(field));
        long len = layout.select(groupElement(field)).byteSize();
        byte[] b = s.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private static void checkSize(MemorySegment s, StructLayout layout) {
        if (s.byteSize() < layout.byteSize()) {
            throw new IllegalArgumentException(layout.name().orElseThrow() + " needs " + layout.byteSize()
                    + " bytes, segment has " + s.byteSize());
        }
    }

    private static void checkU32(String name, long v) {
        if (v < 0 || v > 0xffff_ffffL) {
            throw new IllegalArgumentException(name + " " + v + " does not fit a __u32");
        }
    }
}
