/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsched_intf.h - the contract between the vsched BPF programs, the vsched
 * kernel module and user space (the Java agent mirrors this file and a test
 * checks the mirror against it).
 *
 * Rules that keep the mirror honest:
 *  - only fixed-width __u8/__u32/__u64/__s32/__s64 fields, no pointers,
 *    no bool, no kernel types, no bitfields;
 *  - every padding byte is an explicit field; sizes are asserted below;
 *  - per-vCPU values are 64-byte multiples so BPF writers on different
 *    vCPUs never share a cache line;
 *  - any layout change bumps VSCHED_INTF_VERSION.
 *
 * Time values are CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns()), the same
 * clock as Java's System.nanoTime() on Linux.  "cpu" is always the kernel's
 * CPU id in [0, nr_cpu_ids).  Per-vCPU arrays are BPF_MAP_TYPE_ARRAY maps
 * keyed by that id whose max_entries the loader sets to nr_cpu_ids
 * (bpf_map__set_max_entries() before load); nothing assumes a CPU count.
 */
#ifndef __VSCHED_INTF_H
#define __VSCHED_INTF_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/build_bug.h>
#define VSCHED_STATIC_ASSERT(c, m) static_assert(c, m)
#elif defined(__bpf__)
/* BPF programs include vmlinux.h first, which provides the __u* types. */
#define VSCHED_STATIC_ASSERT(c, m) _Static_assert(c, m)
#else
#include <linux/types.h>
#define VSCHED_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

#define VSCHED_INTF_VERSION		1

/* ---- object files (installed as /opt/vsched/bpf/<name> in guests) ---- */
#define VSCHED_OBJ_SCHED		"vsched_sched.bpf.o"	/* needs sched_ext */
#define VSCHED_OBJ_VACT			"vsched_vact.bpf.o"	/* any kernel with BTF */
/* struct_ops map (the scheduler) in VSCHED_OBJ_SCHED; also its ops name */
#define VSCHED_OPS_MAP			"vsched_ops"
#define VSCHED_OPS_NAME			"vsched"

/* ---- maps (BPF map names are at most 15 characters) ---- */
/* VSCHED_OBJ_SCHED and VSCHED_OBJ_VACT: ARRAY[nr_cpu_ids] of vsched_vact_cpu, BPF -> user */
#define VSCHED_MAP_VACT			"vs_vact"
/* VSCHED_OBJ_SCHED and VSCHED_OBJ_VACT: ARRAY[1] of vsched_vact_cfg, user -> BPF */
#define VSCHED_MAP_VACT_CFG		"vs_vact_cfg"
/* VSCHED_OBJ_SCHED: ARRAY[1] of vsched_config, user -> BPF */
#define VSCHED_MAP_CONFIG		"vs_config"
/* VSCHED_OBJ_SCHED: ARRAY[nr_cpu_ids] of vsched_cpu_cfg, user -> BPF */
#define VSCHED_MAP_CPU_CFG		"vs_cpu_cfg"
/* VSCHED_OBJ_SCHED: PERCPU_ARRAY[1] of vsched_stats, BPF -> user */
#define VSCHED_MAP_STATS		"vs_stats"
/* VSCHED_OBJ_SCHED: ARRAY[1] of vsched_exit_info, BPF -> user (why it stopped) */
#define VSCHED_MAP_EXIT			"vs_exit"

/* ---- the kernel's sched_ext sysfs files (present only with sched_ext) ---- */
#define VSCHED_SCX_ROOT			"/sys/kernel/sched_ext"
#define VSCHED_SCX_STATE		VSCHED_SCX_ROOT "/state"	/* enabled, disabled, ... */
#define VSCHED_SCX_OPS			VSCHED_SCX_ROOT "/root/ops"	/* the running scheduler's name */

/* ---- kernel module (vsched.ko) ---- */
#define VSCHED_KMOD_NAME		"vsched"
#define VSCHED_SYSFS_ROOT		"/sys/kernel/vsched"
/*
 * kfuncs the module registers for TRACING and STRUCT_OPS programs
 * (BPF declares them __weak and checks bpf_ksym_exists()):
 *   int vsched_kf_vcpu_preempted(int cpu);
 *       1 preempted, 0 running, VSCHED_PV_UNSUPPORTED (-95) when the
 *       hypervisor gives no preempted flag, -22 for a bad cpu.
 *   __u64 vsched_kf_steal_ns(int cpu);
 *       the cpu's steal time in ns as the kernel accounted it (the value
 *       behind /proc/stat's steal column, at full resolution); 0 for a bad cpu.
 */
#define VSCHED_PV_UNSUPPORTED		(-95)

/* ---- scaled quantities ---- */
#define VSCHED_CAP_SCALE		1024	/* capacity 1.0, like SCHED_CAPACITY_SCALE */
#define VSCHED_HIST_BUCKETS		24	/* log2(us) buckets: [0]=<2us ... [23]=>=2^23us */

/* ---- vsched_cpu_cfg.flags (user -> BPF) ---- */
#define VSCHED_CPU_F_HIDDEN		(1u << 0)	/* RWC: keep movable work off this vCPU */
#define VSCHED_CPU_F_STRAGGLER		(1u << 1)	/* why hidden: capacity below cut-off */
#define VSCHED_CPU_F_STACKED		(1u << 2)	/* why hidden: stacked on another vCPU */
#define VSCHED_CPU_F_VALID		(1u << 31)	/* entry written by user space */
#define VSCHED_CPU_F_KNOWN		(VSCHED_CPU_F_HIDDEN | VSCHED_CPU_F_STRAGGLER | \
					 VSCHED_CPU_F_STACKED | VSCHED_CPU_F_VALID)

/* ---- vsched_config.policies (user -> BPF) ---- */
#define VSCHED_POL_BVS			(1u << 0)
#define VSCHED_POL_IVH			(1u << 1)
#define VSCHED_POL_RWC			(1u << 2)
#define VSCHED_POL_ALL			(VSCHED_POL_BVS | VSCHED_POL_IVH | VSCHED_POL_RWC)

/* ---- vsched_vact_cpu.state bits (BPF -> user) ---- */
#define VSCHED_VACT_S_IDLE		(1u << 0)	/* the vCPU runs its idle task */
#define VSCHED_VACT_S_KMOD_STEAL	(1u << 1)	/* steal read through vsched.ko */
/* ---- vsched_vact_cpu.pv_state bits (written by the vCPU that samples it) ---- */
#define VSCHED_VACT_PV_PREEMPTED	(1u << 0)	/* last PV sample said preempted */
#define VSCHED_VACT_PV_SUPPORTED	(1u << 1)	/* PV flag available (kmod + hypervisor) */

/*
 * Per-vCPU activity, written by the vACT tracing programs on that vCPU
 * (heartbeat = the vCPU's own timer tick: expiry of its tick hrtimer).
 * A heartbeat gap longer than gap_factor ticks while the vCPU was not idle
 * is an inactive period (the host did not run the vCPU); a gap that
 * overlaps idle is tickless idle and is only counted in idle_gaps.
 */
struct vsched_vact_cpu {
	__u64 hb_ns;			/* time of the last tick seen on this vCPU */
	__u64 hb_count;			/* ticks seen */
	__u64 idle_enter_ns;		/* last switch to the idle task */
	__u64 idle_exit_ns;		/* last switch away from the idle task */
	__u64 steal_ns;			/* steal clock at the last tick */
	__u64 steal_jumps;		/* ticks whose steal delta >= steal_jump_ns */
	__u64 steal_jump_sum_ns;	/* sum of those deltas */
	__u64 steal_jump_max_ns;	/* largest single delta */
	__u64 last_steal_jump_ns;	/* time of the latest steal jump */
	__u64 inactive_count;		/* heartbeat gaps while busy (preempted) */
	__u64 inactive_sum_ns;		/* sum of (gap - tick) over those */
	__u64 inactive_max_ns;		/* longest */
	__u64 last_inactive_end_ns;	/* time the latest inactive period ended */
	__u64 idle_gaps;		/* heartbeat gaps explained by tickless idle */
	__u64 pv_samples;		/* PV preempted-flag samples of this vCPU (each
					 * vCPU samples the next one at its tick) */
	__u64 pv_preempted;		/* samples that said preempted */
	__u32 state;			/* VSCHED_VACT_S_* */
	__u32 tick_ns;			/* tick period used for gap detection: the
					 * configured one, else clock time per jiffy
					 * (after the first second), else the
					 * shortest 1e9/HZ that >= 8 busy gaps
					 * matched, else 4 ms */
	__u32 hist[VSCHED_HIST_BUCKETS]; /* inactive period lengths, log2(us) */
	__u32 pv_state;			/* VSCHED_VACT_PV_*, written by the sampling vCPU */
	__u32 _pad0;
	__u32 hz_votes[4];		/* busy gaps matching HZ=1000/300/250/100 */
};

/*
 * vACT knobs, ARRAY[1] "vs_vact_cfg"; zero fields mean the default given.
 * May be updated at any time; read on every tick.
 */
struct vsched_vact_cfg {
	__u32 tick_ns;			/* 0: learn from busy heartbeat gaps, else 1e9/HZ */
	__u32 gap_factor_pct;		/* 0: 150 -> gap > 1.5 ticks is inactivity */
	__u32 steal_jump_ns;		/* 0: 100000 (100 us per tick) */
	__u32 pv_sample;		/* 0: on; 1: off (skip PV flag sampling) */
	__u64 _reserved[6];
};

/*
 * Per-vCPU properties from the probers, ARRAY[nr_cpu_ids] "vs_cpu_cfg".
 * User space writes all entries, then bumps vsched_config.cpu_cfg_seq so
 * the scheduler rebuilds its usable-vCPU cpumask.
 */
struct vsched_cpu_cfg {
	__u32 capacity;			/* 0..VSCHED_CAP_SCALE; 0 = unknown (full) */
	__u32 latency_us;		/* typical inactive period: p95 of those the
					 * agent's probers measured, 0 = unknown */
	__u32 flags;			/* VSCHED_CPU_F_* */
	__u32 group;			/* vTOP group id (stacked vCPUs share one) */
	__u64 updated_ns;		/* when the probers produced this entry */
	__u64 _reserved[5];
};

/*
 * Scheduler knobs, ARRAY[1] "vs_config"; zero fields mean the default given.
 * intf_version must be VSCHED_INTF_VERSION once user space writes the entry
 * (a mismatch makes the scheduler exit with an error naming both versions).
 */
struct vsched_config {
	__u32 intf_version;		/* 0 (unset: defaults) or VSCHED_INTF_VERSION */
	__u32 policies;			/* VSCHED_POL_*; unset entry: VSCHED_POL_ALL */
	__u64 cpu_cfg_seq;		/* bumped after vs_cpu_cfg changes */
	__u64 slice_ns;			/* 0: 5 ms */
	__u32 light_util_pct;		/* 0: 25 -> BVS for tasks busy < 25% of their runs */
	__u32 hb_fresh_us;		/* 0: 3 ticks -> heartbeat fresher than this is active */
	__u32 bvs_margin_pct;		/* 0: 10 -> hysteresis: move only if >10% better */
	__u32 ivh_interval_us;		/* 0: 20000 -> IVH scan period */
	__u32 ivh_cap_max;		/* 0: 922 (0.9) -> IVH source capacity at most this */
	__u32 ivh_heavy_pct;		/* 0: 60 -> heavy task: busy >= 60% */
	__u32 ivh_min_run_us;		/* 0: 1000 -> and ran >= 1 ms continuously */
	__u32 ivh_max_moves;		/* 0: 1 -> moves per scan (rate limit) */
	__u32 ivh_task_cooldown_ms;	/* 0: 500 -> a moved task stays put this long */
	__u32 preempt_recent_us;	/* 0: 50000 -> "recently preempted" window */
	__u64 _reserved[4];
};

/*
 * Counters, PERCPU_ARRAY[1] "vs_stats": index into vsched_stats.cnt.
 * The one list of them, in index order: X(ENUM_SUFFIX, name, description).
 * enum vsched_stat and vsched-loader's names are generated from it; the Java
 * mirror (VschedIntf.Stat) and bpf/README.md's counter table are checked
 * against it by guest-agent's VschedIntfTest.  Append only: the index is the
 * layout.
 */
#define VSCHED_STATS(X)								\
	X(BVS_PICK, bvs_pick, "BVS chose a vCPU for a light wakeup")		\
	X(BVS_KEEP, bvs_keep, "BVS kept the previous vCPU (hysteresis)")	\
	X(IVH_MOVE, ivh_move, "IVH moved a heavy task")				\
	X(IVH_SCAN, ivh_scan, "IVH scans run")					\
	X(RWC_AVOID, rwc_avoid, "a hidden vCPU was avoided")			\
	X(RWC_PINNED, rwc_pinned, "a task ran on a hidden vCPU because it must") \
	X(FALLBACK, fallback, "default path (no better choice)")		\
	X(DIRECT, direct, "dispatched straight to an idle vCPU")		\
	X(ENQ_SHARED, enq_shared, "queued on the shared DSQ")			\
	X(PV_PREEMPT_SKIP, pv_preempt_skip, "a candidate skipped as PV-preempted") \
	X(WAKE_PREEMPT, wake_preempt, "a light waker preempted a heavier task")

#define VSCHED_STAT_ENUM(N, n, d)	VSCHED_STAT_##N,
enum vsched_stat {
	VSCHED_STATS(VSCHED_STAT_ENUM)
	VSCHED_STAT_NR,
	VSCHED_STAT_MAX = 16,		/* room reserved in the layout (a power of 2) */
};
#undef VSCHED_STAT_ENUM

struct vsched_stats {
	__u64 cnt[VSCHED_STAT_MAX];
};

/*
 * Filled by ops.exit (and by the scheduler's own error paths): kind is the
 * kernel's enum scx_exit_kind (0 = still running), the strings are
 * NUL-terminated.  exit_code is ops' exit code (scx_bpf_exit()).
 */
struct vsched_exit_info {
	__s64 kind;
	__s64 exit_code;
	char reason[128];
	char msg[880];
};

VSCHED_STATIC_ASSERT(sizeof(struct vsched_vact_cpu) == 256, "vsched_vact_cpu layout");
VSCHED_STATIC_ASSERT(sizeof(struct vsched_vact_cfg) == 64, "vsched_vact_cfg layout");
VSCHED_STATIC_ASSERT(sizeof(struct vsched_cpu_cfg) == 64, "vsched_cpu_cfg layout");
VSCHED_STATIC_ASSERT(sizeof(struct vsched_config) == 96, "vsched_config layout");
VSCHED_STATIC_ASSERT(sizeof(struct vsched_stats) == 128, "vsched_stats layout");
VSCHED_STATIC_ASSERT(sizeof(struct vsched_exit_info) == 1024, "vsched_exit_info layout");
VSCHED_STATIC_ASSERT(VSCHED_STAT_NR <= VSCHED_STAT_MAX, "vsched_stats room");

#endif /* __VSCHED_INTF_H */
