// SPDX-License-Identifier: GPL-2.0
/*
 * vsched_sched.bpf.o: a sched_ext scheduler that knows vCPUs are not
 * symmetric, always-present processors.  On top of a plain weighted-vtime
 * global queue it adds three policies, fed by the probers through
 * vs_cpu_cfg and by the vACT tracing programs (vact.bpf.h, same object):
 *
 * BVS  biased vCPU selection: a waking light task (busy < light_util_pct of
 *      the time) goes to the idle, allowed, usable vCPU with the best score
 *      (capacity, vCPU latency, "active now" = no PV preempted flag, no
 *      recent inactivity or steal jump, a fresh heartbeat unless idle).
 *      Hysteresis: prev_cpu (or the last BVS choice) is kept unless the best
 *      is bvs_margin_pct better.  Other tasks get the kernel's default idle
 *      selection (prev CPU, idle core, LLC) restricted to usable vCPUs.
 * IVH  intra-VM harvesting: at a tick, a heavy task (busy >= ivh_heavy_pct,
 *      running >= ivh_min_run_us) on a vCPU with capacity <= ivh_cap_max or
 *      recent preemption is moved to an idle, active, usable vCPU that
 *      scores bvs_margin_pct better and whose capacity is above ivh_cap_max; at most ivh_max_moves per
 *      ivh_interval_us and once per task per ivh_task_cooldown_ms.
 * RWC  relaxed work conservation: vCPUs flagged HIDDEN never take work from
 *      the shared queue and movable tasks found running there are pushed
 *      back to it; tasks that may only run on hidden vCPUs (pinned tasks,
 *      per-CPU kthreads) still run there through their vCPU's own queue, so
 *      the watchdog never sees a stall.  Hiding every usable vCPU is refused.
 *
 * Wake-up preemption: a light task that wakes while no usable vCPU is idle
 * preempts one running a heavier task further ahead in vtime.
 *
 * Queues: one shared vtime queue for movable work and one vtime queue per
 * vCPU for work that can only run there.  A vCPU takes whichever head has
 * the lower vtime, so a pinned CPU hog shares its vCPU fairly with movable
 * work instead of starving it (a FIFO local DSQ would always win).
 */
#include "vact.bpf.h"

char _license[] SEC("license") = "GPL";

#define SHARED_DSQ		0
#define PCPU_DSQ_BASE		1	/* vCPU c's own queue: PCPU_DSQ_BASE + c */
#define DFL_SLICE_NS		(5 * VS_NSEC_PER_MSEC)
#define MAX_AHEAD_SLICES	20
#define PREEMPT_MIN_RUN_NS	(500 * VS_NSEC_PER_USEC)
#define UTIL_WINDOW_NS		(50 * VS_NSEC_PER_MSEC)
#define SCORE_BASE		2048

#define BPF_STRUCT_OPS(name, args...) \
	SEC("struct_ops/" #name) BPF_PROG(name, ##args)
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) \
	SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

/* sched_ext's printf-style error: formats into the kernel's exit message */
#define vs_error(fmt, args...)						\
({									\
	static char ___fmt[] = fmt;					\
	unsigned long long ___param[___bpf_narg(args)];			\
	_Pragma("GCC diagnostic push")					\
	_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")		\
	___bpf_fill(___param, args);					\
	_Pragma("GCC diagnostic pop")					\
	scx_bpf_error_bstr(___fmt, ___param, sizeof(___param));		\
})

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vsched_config);
} vs_config SEC(".maps");

/* ARRAY[nr_cpu_ids]: the loader resizes it before load */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vsched_cpu_cfg);
} vs_cpu_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vsched_stats);
} vs_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vsched_exit_info);
} vs_exit SEC(".maps");

/* what a vCPU runs now, for wake-up preemption (read across CPUs) */
struct cpu_run {
	__u64 vtime;		/* the running task's vtime when it started */
	__u64 start_ns;
	__u32 busy;		/* a task is running */
	__u32 light;		/* ... and it is light */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_run);
} vs_cpu_run SEC(".maps");

/* per-task state, private to this object */
struct task_ctx {
	__u64 run_start;	/* when it last started running */
	__u64 win_start;	/* utilisation window start */
	__u64 win_busy;		/* run time inside the window */
	__u64 last_move_ns;	/* last IVH move */
	__u32 util_pct;		/* EMA of busy time / wall time */
	__s32 ivh_target;	/* IVH: move here at the next enqueue, -1 none */
	__s32 bvs_cpu;		/* last BVS choice, -1 none */
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} vs_task SEC(".maps");

#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))

/* vCPUs movable work may use; rebuilt when vs_config.cpu_cfg_seq changes */
private(usable) struct bpf_cpumask __kptr *usable_mask;

__u64 vtime_now;
__u64 cfg_seen_seq;
__u32 cfg_seen_pol = 0xffffffff;
__u32 cfg_refreshing;
bool rwc_on;
__u64 ivh_win_start;
__u32 ivh_win_moves;

/* ---- config and counters ---- */

static __always_inline struct vsched_config *cfg_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vs_config, &zero);
}

#define CFG(c, field, dfl) ((c) && (c)->field ? (__u64)(c)->field : (__u64)(dfl))

static __always_inline __u32 cfg_policies(struct vsched_config *c)
{
	/* an entry user space never wrote means "all policies, defaults" */
	if (!c || !c->intf_version)
		return VSCHED_POL_ALL;
	return c->policies;
}

static __always_inline void stat_inc(__u32 idx)
{
	struct vsched_stats *s;
	__u32 zero = 0;

	s = bpf_map_lookup_elem(&vs_stats, &zero);
	/* hide idx's known range from clang so the mask stays for the verifier */
	barrier_var(idx);
	if (s)
		s->cnt[idx & (VSCHED_STAT_MAX - 1)]++;
}

static __always_inline struct vsched_cpu_cfg *cpu_cfg(__s32 cpu)
{
	__u32 key = cpu;

	return bpf_map_lookup_elem(&vs_cpu_cfg, &key);
}

static __always_inline bool cpu_hidden(__s32 cpu)
{
	struct vsched_cpu_cfg *cc;

	if (!rwc_on)
		return false;
	cc = cpu_cfg(cpu);
	return cc && (cc->flags & VSCHED_CPU_F_HIDDEN);
}

static __always_inline bool time_within(__u64 now, __u64 t, __u64 window)
{
	return t && t <= now && now - t < window;
}

/* ---- usable-vCPU mask (RWC) ---- */

static void rebuild_usable(struct vsched_config *c)
{
	struct bpf_cpumask *m, *old;
	const struct cpumask *online;
	__u32 nr = scx_bpf_nr_cpu_ids();
	bool on, any_hidden = false;	/* a bool, not a count: lets bpf_for converge */
	__s32 i;

	m = bpf_cpumask_create();
	if (!m)
		return;
	bpf_for(i, 0, nr) {
		struct vsched_cpu_cfg *cc = cpu_cfg(i);

		if (cc && (cc->flags & VSCHED_CPU_F_HIDDEN))
			any_hidden = true;
		else
			bpf_cpumask_set_cpu(i, m);
	}
	/*
	 * Only online vCPUs count as usable (a hotplug event restarts the
	 * scheduler, so this stays true), and hiding every online vCPU is
	 * refused: that would stall all movable work.
	 */
	online = scx_bpf_get_online_cpumask();
	bpf_cpumask_and(m, (const struct cpumask *)m, online);
	scx_bpf_put_cpumask(online);
	on = (cfg_policies(c) & VSCHED_POL_RWC) && any_hidden &&
	     !bpf_cpumask_empty((const struct cpumask *)m);
	if (!on)
		bpf_cpumask_setall(m);
	old = bpf_kptr_xchg(&usable_mask, m);
	if (old)
		bpf_cpumask_release(old);
	rwc_on = on;
}

static __always_inline void refresh_cfg(void)
{
	struct vsched_config *c = cfg_get();
	__u64 seq = c ? c->cpu_cfg_seq : 0;
	__u32 pol = cfg_policies(c);

	if (seq == cfg_seen_seq && pol == cfg_seen_pol)
		return;
	if (__sync_val_compare_and_swap(&cfg_refreshing, 0, 1) != 0)
		return;
	cfg_seen_seq = seq;
	cfg_seen_pol = pol;
	rebuild_usable(c);
	cfg_refreshing = 0;
}

/* may @p run on some usable vCPU? */
static __always_inline bool can_use_usable(struct task_struct *p)
{
	struct bpf_cpumask *m;
	bool ok = true;

	if (!rwc_on)
		return true;
	bpf_rcu_read_lock();
	m = usable_mask;
	if (m)
		ok = bpf_cpumask_intersects((const struct cpumask *)m, p->cpus_ptr);
	bpf_rcu_read_unlock();
	return ok;
}

/* ---- vCPU scoring (BVS and IVH) ---- */

/*
 * cpu_active_now() and cpu_score() are global functions: the verifier checks
 * them once, on their own, instead of inside every loop iteration of their
 * callers (which multiplied select_cpu's verification to ~450k insns).
 */
__noinline bool cpu_active_now(__s32 cpu, __u64 now)
{
	struct vsched_config *c = cfg_get();
	struct vsched_vact_cpu *v = vact_cpu(cpu);
	__u64 recent = CFG(c, preempt_recent_us, 50000) * VS_NSEC_PER_USEC;
	__u64 fresh;

	if (!v)
		return true;
	if (bpf_ksym_exists(vsched_kf_vcpu_preempted)) {
		if (vsched_kf_vcpu_preempted(cpu) == 1) {
			stat_inc(VSCHED_STAT_PV_PREEMPT_SKIP);
			return false;
		}
	} else if (v->pv_state & VSCHED_VACT_PV_PREEMPTED) {
		return false;
	}
	if (time_within(now, v->last_inactive_end_ns, recent) ||
	    time_within(now, v->last_steal_jump_ns, recent))
		return false;
	/* busy with a stale heartbeat: the host is not running it right now */
	fresh = c && c->hb_fresh_us ? c->hb_fresh_us * VS_NSEC_PER_USEC :
		3ULL * (v->tick_ns ? v->tick_ns : VACT_DFL_TICK_NS);
	if (!(v->state & VSCHED_VACT_S_IDLE) && v->hb_ns && v->hb_ns < now &&
	    now - v->hb_ns > fresh)
		return false;
	return true;
}

__noinline __s64 cpu_score(__s32 cpu, __u64 now)
{
	struct vsched_cpu_cfg *cc = cpu_cfg(cpu);
	struct vsched_vact_cpu *v = vact_cpu(cpu);
	__u64 cap = cc && cc->capacity ? cc->capacity : VSCHED_CAP_SCALE;
	__u64 lat_us = 0;
	__s64 s;

	if (cap > VSCHED_CAP_SCALE)
		cap = VSCHED_CAP_SCALE;
	if (cc && cc->latency_us)
		lat_us = cc->latency_us;
	else if (v && v->inactive_count)
		lat_us = v->inactive_sum_ns / v->inactive_count / VS_NSEC_PER_USEC;
	/* up to half a vCPU's worth of score for 10 ms of typical latency */
	s = SCORE_BASE + cap - vs_min(lat_us, 10000) * (VSCHED_CAP_SCALE / 2) / 10000;
	if (!cpu_active_now(cpu, now))
		s -= VSCHED_CAP_SCALE;
	return s;
}

/* what pick_idle_vcpu() looks for (BPF calls take at most five arguments) */
struct pick {
	__u64 now;
	__s64 floor;		/* >= 0: the pick must beat this score by the margin */
	__s32 prev_cpu;
	__s32 last;		/* last BVS choice or -1 */
	bool hyst;		/* prefer prev_cpu/last unless the best beats them */
	bool kept;		/* out: prev_cpu/last was kept */
};

/*
 * Best idle, allowed, usable vCPU for @p per @pk; returns the CPU, not yet
 * claimed, or -1.
 */
static __s32 pick_idle_vcpu(struct task_struct *p, struct vsched_config *c, struct pick *pk)
{
	const struct cpumask *idle = scx_bpf_get_idle_cpumask();
	__u64 margin = CFG(c, bvs_margin_pct, 10);
	__s64 best_s = -1, prev_s = -1, last_s = -1;
	__u32 nr = scx_bpf_nr_cpu_ids();
	__s32 i, best = -1;

	pk->kept = false;
	bpf_for(i, 0, nr) {
		__s64 s;

		if (!bpf_cpumask_test_cpu(i, idle) || !bpf_cpumask_test_cpu(i, p->cpus_ptr))
			continue;
		if (cpu_hidden(i)) {
			stat_inc(VSCHED_STAT_RWC_AVOID);
			continue;
		}
		s = cpu_score(i, pk->now);
		if (s > best_s) {
			best_s = s;
			best = i;
		}
		if (i == pk->prev_cpu)
			prev_s = s;
		if (i == pk->last)
			last_s = s;
	}
	scx_bpf_put_idle_cpumask(idle);
	if (best < 0)
		return -1;
	if (pk->floor >= 0 && best_s * 100 <= pk->floor * (__s64)(100 + margin))
		return -1;
	/*
	 * kept: hysteresis chose prev_cpu/last over a better-scoring vCPU.
	 * Scores are compared, not CPU ids: comparing best with prev_cpu would
	 * make the verifier track best precisely through the loop and explode.
	 */
	if (pk->hyst) {
		if (prev_s >= 0 && best_s * 100 <= prev_s * (__s64)(100 + margin)) {
			pk->kept = best_s > prev_s;
			return pk->prev_cpu;
		}
		if (last_s >= 0 && best_s * 100 <= last_s * (__s64)(100 + margin)) {
			pk->kept = best_s > last_s;
			return pk->last;
		}
	}
	return best;
}

/* ---- utilisation ---- */

static __always_inline void util_update(struct task_ctx *tctx, __u64 now)
{
	__u64 len, pct;

	if (!tctx->win_start || now < tctx->win_start) {
		tctx->win_start = now;
		tctx->win_busy = 0;
		return;
	}
	len = now - tctx->win_start;
	if (len < UTIL_WINDOW_NS)
		return;
	pct = vs_min(tctx->win_busy * 100 / len, 100);
	tctx->util_pct = (tctx->util_pct + (__u32)pct) / 2;
	tctx->win_start = now;
	tctx->win_busy = 0;
}

static __always_inline struct task_ctx *task_ctx(struct task_struct *p)
{
	return bpf_task_storage_get(&vs_task, p, 0, 0);
}

/* light: busy less than light_util_pct of the time (BVS, wake-up preemption) */
static __always_inline bool task_light(struct vsched_config *c, struct task_ctx *tctx)
{
	return tctx && tctx->util_pct < CFG(c, light_util_pct, 25);
}

static __always_inline __u64 slice_ns(struct vsched_config *c)
{
	return CFG(c, slice_ns, DFL_SLICE_NS);
}

/* ---- sched_ext ops ---- */

s32 BPF_STRUCT_OPS(vsched_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	struct vsched_config *c = cfg_get();
	struct task_ctx *tctx = task_ctx(p);
	__u32 pol = cfg_policies(c);
	__u64 now = bpf_ktime_get_ns();
	struct bpf_cpumask *m;
	s32 cpu;

	if (p->nr_cpus_allowed == 1)
		return prev_cpu;

	if ((pol & VSCHED_POL_BVS) && task_light(c, tctx)) {
		struct pick pk = {
			.now = now, .floor = -1, .prev_cpu = prev_cpu,
			.last = tctx->bvs_cpu, .hyst = true,
		};

		cpu = pick_idle_vcpu(p, c, &pk);
		if (cpu >= 0 && !scx_bpf_test_and_clear_cpu_idle(cpu)) {
			cpu = -1;
			if (pk.kept) {
				/* the kept vCPU got busy: take the better one instead */
				pk.hyst = false;
				cpu = pick_idle_vcpu(p, c, &pk);
				if (cpu >= 0 && !scx_bpf_test_and_clear_cpu_idle(cpu))
					cpu = -1;
			}
		}
		if (cpu >= 0) {
			tctx->bvs_cpu = cpu;
			stat_inc(pk.kept ? VSCHED_STAT_BVS_KEEP : VSCHED_STAT_BVS_PICK);
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns(c), 0);
			return cpu;
		}
	}

	/* kernel default (prev, idle core, LLC) restricted to usable vCPUs */
	cpu = -1;
	bpf_rcu_read_lock();
	m = usable_mask;
	if (rwc_on && m)
		cpu = scx_bpf_select_cpu_and(p, prev_cpu, wake_flags,
					     (const struct cpumask *)m, 0);
	else
		cpu = scx_bpf_select_cpu_and(p, prev_cpu, wake_flags, p->cpus_ptr, 0);
	bpf_rcu_read_unlock();
	if (cpu >= 0) {
		stat_inc(VSCHED_STAT_DIRECT);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns(c), 0);
		return cpu;
	}
	stat_inc(VSCHED_STAT_FALLBACK);
	if (cpu_hidden(prev_cpu))
		stat_inc(VSCHED_STAT_RWC_AVOID);
	return prev_cpu;
}

/* the @i-th vCPU counting round from @from: scans start at the task's vCPU */
static __always_inline __s32 cpu_from(__s32 from, __s32 i, __u32 nr)
{
	__s32 c = from + i;

	return c >= (__s32)nr ? c - (__s32)nr : c;
}

/* wake an idle usable vCPU that may run @p, if there is one; true if one was */
static __always_inline bool kick_idle_for(struct task_struct *p, __s32 from)
{
	const struct cpumask *idle = scx_bpf_get_idle_cpumask();
	__u32 nr = scx_bpf_nr_cpu_ids();
	__s32 i, cpu = -1;

	bpf_for(i, 0, nr) {
		__s32 c = cpu_from(from, i, nr);

		if (c < 0 || !bpf_cpumask_test_cpu(c, idle) ||
		    !bpf_cpumask_test_cpu(c, p->cpus_ptr) || cpu_hidden(c))
			continue;
		if (scx_bpf_test_and_clear_cpu_idle(c)) {
			cpu = c;
			break;
		}
	}
	scx_bpf_put_idle_cpumask(idle);
	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
	return cpu >= 0;
}

/*
 * Wake-up preemption: a light task woke and no vCPU is idle, so instead of
 * waiting up to a slice behind CPU hogs it preempts a usable vCPU (prev
 * first) running a heavier task that is further ahead in vtime and has run
 * PREEMPT_MIN_RUN_NS (a bound on how often a hog can be interrupted).  The
 * kicked vCPU then dispatches the lower vtime, which is the waker's.
 */
static __always_inline void preempt_for(struct task_struct *p, __u64 vtime, __s32 from)
{
	__u32 nr = scx_bpf_nr_cpu_ids(), zero = 0;
	__u64 now = bpf_ktime_get_ns();
	__s32 i;

	bpf_for(i, 0, nr) {
		__s32 c = cpu_from(from, i, nr);
		struct cpu_run *r;

		if (c < 0 || !bpf_cpumask_test_cpu(c, p->cpus_ptr) || cpu_hidden(c))
			continue;
		r = bpf_map_lookup_percpu_elem(&vs_cpu_run, &zero, c);
		if (!r || !r->busy || r->light || (__s64)(r->vtime - vtime) <= 0 ||
		    now - r->start_ns < PREEMPT_MIN_RUN_NS)
			continue;
		stat_inc(VSCHED_STAT_WAKE_PREEMPT);
		scx_bpf_kick_cpu(c, SCX_KICK_PREEMPT);
		return;
	}
}

/*
 * The vtime a task queues with: a sleeper gets at most one slice of credit,
 * and a task far ahead waits at most while the others run MAX_AHEAD_SLICES
 * slices' worth of vtime.  The upper bound matters for low weights: a
 * SCHED_IDLE task weighs 1 against nice 0's 100, so each slice it runs puts
 * it 100 slices ahead, and without the bound it waited past the watchdog's
 * 30 s under the stress mix ("stress-ng-sched failed to run for 32.5s").
 */
static __always_inline __u64 queue_vtime(struct task_struct *p, __u64 slice)
{
	__u64 vtime = p->scx.dsq_vtime;

	if ((__s64)(vtime - (vtime_now - slice)) < 0)
		vtime = vtime_now - slice;
	else if ((__s64)(vtime - (vtime_now + MAX_AHEAD_SLICES * slice)) > 0)
		vtime = vtime_now + MAX_AHEAD_SLICES * slice;
	return vtime;
}

/* the vtime of @dsq's first task; false when it is empty */
static __always_inline bool dsq_head_vtime(__u64 dsq, __u64 *vtime)
{
	struct task_struct *p;

	bpf_for_each(scx_dsq, p, dsq, 0) {
		*vtime = p->scx.dsq_vtime;
		return true;
	}
	return false;
}

void BPF_STRUCT_OPS(vsched_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct vsched_config *c = cfg_get();
	struct task_ctx *tctx = task_ctx(p);
	__s32 cpu = scx_bpf_task_cpu(p);
	__u64 slice = slice_ns(c), vtime;

	/* IVH decided at a tick to move this task */
	if (tctx && tctx->ivh_target >= 0) {
		__s32 t = tctx->ivh_target;

		tctx->ivh_target = -1;
		if (t != cpu && bpf_cpumask_test_cpu(t, p->cpus_ptr) && !cpu_hidden(t) &&
		    scx_bpf_test_and_clear_cpu_idle(t)) {
			tctx->last_move_ns = bpf_ktime_get_ns();
			stat_inc(VSCHED_STAT_IVH_MOVE);
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | t, slice, enq_flags);
			scx_bpf_kick_cpu(t, SCX_KICK_IDLE);
			return;
		}
	}

	/* pinned, or allowed only on hidden vCPUs: run where it must (RWC exception) */
	if (p->nr_cpus_allowed == 1 || !can_use_usable(p)) {
		__s32 t = cpu;

		if (t < 0 || !bpf_cpumask_test_cpu(t, p->cpus_ptr))
			t = bpf_cpumask_first(p->cpus_ptr);
		if (cpu_hidden(t))
			stat_inc(VSCHED_STAT_RWC_PINNED);
		/*
		 * ENQ_LAST: this vCPU found nothing else to run, and nothing
		 * dispatches again after this enqueue.  Queued on the vCPU's
		 * own DSQ the task would wait, vCPU idle, until some other
		 * event woke it (a pinned loop got 1% of its vCPU).
		 */
		if ((enq_flags & SCX_ENQ_LAST) && t == cpu) {
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice, enq_flags);
			return;
		}
		scx_bpf_dsq_insert_vtime(p, PCPU_DSQ_BASE + t, slice, queue_vtime(p, slice),
					 enq_flags);
		if (t != bpf_get_smp_processor_id())
			scx_bpf_kick_cpu(t, SCX_KICK_IDLE);
		return;
	}

	/* the only runnable task of a usable vCPU keeps it */
	if ((enq_flags & SCX_ENQ_LAST) && !cpu_hidden(cpu)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice, enq_flags);
		return;
	}
	if (cpu_hidden(cpu))
		stat_inc(VSCHED_STAT_RWC_AVOID);

	vtime = queue_vtime(p, slice);
	scx_bpf_dsq_insert_vtime(p, SHARED_DSQ, slice, vtime, enq_flags);
	stat_inc(VSCHED_STAT_ENQ_SHARED);
	if (!kick_idle_for(p, cpu) && (enq_flags & SCX_ENQ_WAKEUP) && task_light(c, tctx))
		preempt_for(p, vtime, cpu);
}

void BPF_STRUCT_OPS(vsched_dispatch, s32 cpu, struct task_struct *prev)
{
	__u64 own = PCPU_DSQ_BASE + cpu, own_vt, shared_vt;

	refresh_cfg();
	/* RWC: hidden vCPUs serve only their own queue (pinned work) */
	if (cpu_hidden(cpu)) {
		scx_bpf_dsq_move_to_local(own);
		return;
	}
	/* the lower vtime first; the other queue when that one was emptied meanwhile */
	if (dsq_head_vtime(own, &own_vt) &&
	    (!dsq_head_vtime(SHARED_DSQ, &shared_vt) || (__s64)(own_vt - shared_vt) <= 0) &&
	    scx_bpf_dsq_move_to_local(own))
		return;
	if (!scx_bpf_dsq_move_to_local(SHARED_DSQ))
		scx_bpf_dsq_move_to_local(own);
}

void BPF_STRUCT_OPS(vsched_runnable, struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx = task_ctx(p);

	if (tctx)
		util_update(tctx, bpf_ktime_get_ns());
}

void BPF_STRUCT_OPS(vsched_running, struct task_struct *p)
{
	struct task_ctx *tctx = task_ctx(p);
	struct vsched_config *c = cfg_get();
	__u64 now = bpf_ktime_get_ns();
	struct cpu_run *r;
	__u32 zero = 0;

	if (tctx)
		tctx->run_start = now;
	r = bpf_map_lookup_elem(&vs_cpu_run, &zero);
	if (r) {
		r->vtime = p->scx.dsq_vtime;
		r->start_ns = now;
		r->light = task_light(c, tctx);
		r->busy = 1;
	}
	/*
	 * vtime_now, the clock wakers are placed against, follows the tasks
	 * that start on usable vCPUs, by at most one slice per start: a task
	 * pinned alone to a hidden vCPU runs far ahead of everybody, and a
	 * low-weight task run out of order on an idle vCPU is ahead too; if
	 * either dragged the clock, every waker would queue behind the whole
	 * backlog of CPU hogs (the stress test saw a sleeper wait 94 s).
	 */
	if (!cpu_hidden(scx_bpf_task_cpu(p)) && (__s64)(p->scx.dsq_vtime - vtime_now) > 0) {
		__u64 step = p->scx.dsq_vtime - vtime_now, slice = slice_ns(c);

		vtime_now += step < slice ? step : slice;
	}
}

void BPF_STRUCT_OPS(vsched_stopping, struct task_struct *p, bool runnable)
{
	struct vsched_config *c = cfg_get();
	struct task_ctx *tctx = task_ctx(p);
	__u64 now = bpf_ktime_get_ns(), slice = slice_ns(c), used;
	struct cpu_run *r;
	__u32 zero = 0;

	r = bpf_map_lookup_elem(&vs_cpu_run, &zero);
	if (r)
		r->busy = 0;
	if (tctx && tctx->run_start && now > tctx->run_start) {
		tctx->win_busy += now - tctx->run_start;
		util_update(tctx, now);
	}
	used = p->scx.slice < slice ? slice - p->scx.slice : 0;
	scx_bpf_task_set_dsq_vtime(p, p->scx.dsq_vtime + used * 100 / p->scx.weight);
}

static void ivh_check(struct task_struct *p, __s32 cpu, struct vsched_config *c, __u64 now)
{
	struct task_ctx *tctx = task_ctx(p);
	struct vsched_cpu_cfg *cc;
	struct vsched_vact_cpu *v;
	__u64 recent, interval, cap;
	struct pick pk;
	bool preempted;
	__s32 t;

	if (!tctx || p->nr_cpus_allowed == 1 || tctx->ivh_target >= 0)
		return;
	if (tctx->util_pct < CFG(c, ivh_heavy_pct, 60))
		return;
	if (!tctx->run_start || now < tctx->run_start ||
	    now - tctx->run_start < CFG(c, ivh_min_run_us, 1000) * VS_NSEC_PER_USEC)
		return;
	if (time_within(now, tctx->last_move_ns,
			CFG(c, ivh_task_cooldown_ms, 500) * VS_NSEC_PER_MSEC))
		return;
	cc = cpu_cfg(cpu);
	cap = cc && cc->capacity ? cc->capacity : VSCHED_CAP_SCALE;
	v = vact_cpu(cpu);
	recent = CFG(c, preempt_recent_us, 50000) * VS_NSEC_PER_USEC;
	preempted = v && (time_within(now, v->last_inactive_end_ns, recent) ||
			  time_within(now, v->last_steal_jump_ns, recent));
	if (cap > CFG(c, ivh_cap_max, 922) && !preempted)
		return;
	stat_inc(VSCHED_STAT_IVH_SCAN);

	interval = CFG(c, ivh_interval_us, 20000) * VS_NSEC_PER_USEC;
	if (!time_within(now, ivh_win_start, interval)) {
		ivh_win_start = now;
		ivh_win_moves = 0;
	}
	if (ivh_win_moves >= CFG(c, ivh_max_moves, 1))
		return;
	pk.now = now;
	pk.floor = cpu_score(cpu, now);
	pk.prev_cpu = cpu;
	pk.last = -1;
	pk.hyst = false;
	t = pick_idle_vcpu(p, c, &pk);
	if (t < 0 || t == cpu || !cpu_active_now(t, now))
		return;
	/* never onto a vCPU that would itself be an IVH source by capacity */
	cc = cpu_cfg(t);
	if (cc && cc->capacity && cc->capacity <= CFG(c, ivh_cap_max, 922))
		return;
	__sync_fetch_and_add(&ivh_win_moves, 1);
	tctx->ivh_target = t;
	/* end the slice now: stopping -> enqueue places it on t */
	scx_bpf_task_set_slice(p, 0);
}

void BPF_STRUCT_OPS(vsched_tick, struct task_struct *p)
{
	struct vsched_config *c = cfg_get();
	__s32 cpu = bpf_get_smp_processor_id();

	refresh_cfg();
	/* RWC: movable work found on a hidden vCPU goes back to the shared queue */
	if (cpu_hidden(cpu) && p->nr_cpus_allowed > 1 && can_use_usable(p)) {
		scx_bpf_task_set_slice(p, 0);
		return;
	}
	if (cfg_policies(c) & VSCHED_POL_IVH)
		ivh_check(p, cpu, c, bpf_ktime_get_ns());
}

void BPF_STRUCT_OPS(vsched_enable, struct task_struct *p)
{
	scx_bpf_task_set_dsq_vtime(p, vtime_now);
}

s32 BPF_STRUCT_OPS(vsched_init_task, struct task_struct *p, struct scx_init_task_args *args)
{
	struct task_ctx *tctx;

	tctx = bpf_task_storage_get(&vs_task, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!tctx)
		return -ENOMEM;
	tctx->ivh_target = -1;
	tctx->bvs_cpu = -1;
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(vsched_init)
{
	struct vsched_config *c = cfg_get();
	__u32 nr = scx_bpf_nr_cpu_ids(), last = nr - 1, i;
	s32 err;

	if (!bpf_map_lookup_elem(&vs_vact, &last) || !bpf_map_lookup_elem(&vs_cpu_cfg, &last)) {
		vs_error("vs_vact/vs_cpu_cfg have fewer than nr_cpu_ids=%u entries: "
			 "the loader must resize them", nr);
		return -EINVAL;
	}
	if (c && c->intf_version && c->intf_version != VSCHED_INTF_VERSION) {
		vs_error("vs_config.intf_version %u, this scheduler speaks %u",
			 c->intf_version, VSCHED_INTF_VERSION);
		return -EINVAL;
	}
	err = scx_bpf_create_dsq(SHARED_DSQ, -1);
	if (err) {
		vs_error("cannot create the shared DSQ: %d", err);
		return err;
	}
	bpf_for(i, 0, nr) {
		err = scx_bpf_create_dsq(PCPU_DSQ_BASE + i, -1);
		if (err) {
			vs_error("cannot create vCPU %u's DSQ: %d", i, err);
			return err;
		}
	}
	cfg_seen_seq = c ? c->cpu_cfg_seq : 0;
	cfg_seen_pol = cfg_policies(c);
	rebuild_usable(c);
	return 0;
}

void BPF_STRUCT_OPS(vsched_exit, struct scx_exit_info *ei)
{
	struct vsched_exit_info *x;
	__u32 zero = 0;

	x = bpf_map_lookup_elem(&vs_exit, &zero);
	if (!x)
		return;
	x->kind = ei->kind;
	x->exit_code = ei->exit_code;
	bpf_probe_read_kernel_str(x->reason, sizeof(x->reason), ei->reason);
	bpf_probe_read_kernel_str(x->msg, sizeof(x->msg), ei->msg);
}

SEC(".struct_ops.link")
struct sched_ext_ops vsched_ops = {
	.select_cpu	= (void *)vsched_select_cpu,
	.enqueue	= (void *)vsched_enqueue,
	.dispatch	= (void *)vsched_dispatch,
	.runnable	= (void *)vsched_runnable,
	.running	= (void *)vsched_running,
	.stopping	= (void *)vsched_stopping,
	.tick		= (void *)vsched_tick,
	.enable		= (void *)vsched_enable,
	.init_task	= (void *)vsched_init_task,
	.init		= (void *)vsched_init,
	.exit		= (void *)vsched_exit,
	/* ops.enqueue sees a vCPU's last task: lets RWC push it off a hidden vCPU */
	.flags		= SCX_OPS_ENQ_LAST,
	.name		= VSCHED_OPS_NAME,
};
