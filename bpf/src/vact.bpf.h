/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vACT: per-vCPU activity signals from tracing programs only, so they work on
 * any kernel with BTF (with or without sched_ext, with or without vsched.ko).
 *
 *  - heartbeat: expiry of the vCPU's tick hrtimer (tick_cpu_sched.sched_timer,
 *    so high-resolution timer mode, the default on x86 VMs);
 *  - idle: tp_btf/sched_switch to/from the idle task (pid 0), which is what
 *    tells a tickless-idle heartbeat gap from a preempted one;
 *  - steal: the steal clock (vsched.ko, else the runqueue's) at every tick;
 *  - PV preempted flag: each vCPU samples its successor at its tick through
 *    vsched.ko when the hypervisor provides the flag.
 *
 * Included by vsched_vact.bpf.c and vsched_sched.bpf.c, so the scheduler
 * reads the same map it fills.
 */
#ifndef __VACT_BPF_H
#define __VACT_BPF_H

#include "vsched_common.bpf.h"

#define VACT_DFL_TICK_NS	4000000U	/* HZ=250 until learnt */
#define VACT_DFL_GAP_PCT	150U
#define VACT_DFL_STEAL_JUMP_NS	100000U

/* ARRAY[nr_cpu_ids]: the loader resizes it before load */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vsched_vact_cpu);
} vs_vact SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vsched_vact_cfg);
} vs_vact_cfg SEC(".maps");

/* per-CPU reference point for the tick period from jiffies, private to vACT */
struct vact_jiffy_ref {
	__u64 j0;
	__u64 t0;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vact_jiffy_ref);
} vact_jiffy_ref SEC(".maps");

static __always_inline struct vsched_vact_cpu *vact_cpu(__u32 cpu)
{
	return bpf_map_lookup_elem(&vs_vact, &cpu);
}

/*
 * The tick period as clock time per jiffy since this CPU's first tick, once
 * that is a second ago; 0 before.  Jiffies count ticks that were due, also
 * the ones a preempted or tickless vCPU missed (they are caught up), so this
 * holds where heartbeat gaps mislead: under heavy time-sharing most gaps
 * are lengthened, and busy gaps matched 10 ms more often than the real 4 ms.
 */
static __always_inline __u32 vact_jiffy_tick_ns(__u64 now)
{
	struct vact_jiffy_ref *r;
	__u32 zero = 0;
	__u64 j;

	r = bpf_map_lookup_elem(&vact_jiffy_ref, &zero);
	if (!r)
		return 0;
	j = bpf_jiffies64();
	if (!r->t0 || now < r->t0 || j < r->j0) {
		r->t0 = now;
		r->j0 = j;
		return 0;
	}
	if (now - r->t0 < VS_NSEC_PER_SEC || j == r->j0)
		return 0;
	return (now - r->t0) / (j - r->j0);
}

/*
 * Steal clock of this vCPU in ns: vsched.ko's when loaded, else the
 * runqueue's prev_steal_time (the steal the tick accounted so far, the value
 * behind /proc/stat), reached through current's cfs_rq because per-CPU
 * ksyms need KALLSYMS_ALL, which not every kernel has.  0 without PARAVIRT.
 */
static __always_inline __u64 vact_read_steal(__u32 cpu, __u32 *state)
{
	struct task_struct *cur;
	struct cfs_rq *cfs;
	struct rq *rq;

	if (bpf_ksym_exists(vsched_kf_steal_ns)) {
		*state |= VSCHED_VACT_S_KMOD_STEAL;
		return vsched_kf_steal_ns(cpu);
	}
	*state &= ~VSCHED_VACT_S_KMOD_STEAL;
	if (!bpf_core_field_exists(struct rq, prev_steal_time) ||
	    !bpf_core_field_exists(struct cfs_rq, rq))
		return 0;
	cur = bpf_get_current_task_btf();
	cfs = BPF_CORE_READ(cur, se.cfs_rq);
	if (!cfs)
		return 0;
	rq = BPF_CORE_READ(cfs, rq);
	if (!rq)
		return 0;
	return BPF_CORE_READ(rq, prev_steal_time);
}

/* The vCPU after @cpu (wrapping at the map's end) gets its PV flag sampled. */
static __always_inline void vact_sample_pv(__u32 cpu)
{
	struct vsched_vact_cpu *t;
	__u32 target = cpu + 1;
	int r;

	if (!bpf_ksym_exists(vsched_kf_vcpu_preempted))
		return;
	t = vact_cpu(target);
	if (!t) {
		target = 0;
		t = vact_cpu(target);
	}
	if (!t || target == cpu)
		return;
	r = vsched_kf_vcpu_preempted(target);
	if (r < 0) {
		t->pv_state = 0;
		return;
	}
	t->pv_samples++;
	if (r) {
		t->pv_preempted++;
		t->pv_state = VSCHED_VACT_PV_SUPPORTED | VSCHED_VACT_PV_PREEMPTED;
	} else {
		t->pv_state = VSCHED_VACT_PV_SUPPORTED;
	}
}

/*
 * Until jiffies give the tick (the first second): ticks are periodic, so
 * busy gaps cluster within a few percent of 1e9/HZ for HZ in {1000, 300,
 * 250, 100}.  A host preemption only ever lengthens a gap, so the tick is
 * the shortest candidate with at least 8 votes.  The votes are kept as data.
 */
static __always_inline __u32 vact_learn_tick(struct vsched_vact_cpu *v, __u64 d)
{
	static const __u32 cand[4] = { 1000000, 3333333, 4000000, 10000000 };
	__u32 i;

	for (i = 0; i < 4; i++) {
		__u64 c = cand[i];

		if (d + c / 16 >= c && d <= c + c / 16 && v->hz_votes[i] < 0xffffffffU)
			v->hz_votes[i]++;
	}
	for (i = 0; i < 4; i++) {
		if (v->hz_votes[i] >= 8)
			return cand[i];
	}
	return 0;
}

static __always_inline void vact_on_tick(void)
{
	__u32 cpu = bpf_get_smp_processor_id(), zero = 0;
	struct vsched_vact_cfg *cfg = bpf_map_lookup_elem(&vs_vact_cfg, &zero);
	__u32 tick, gap_pct, jump_ns, state;
	struct vsched_vact_cpu *v = vact_cpu(cpu);
	__u64 now = bpf_ktime_get_ns(), prev, steal, d;
	bool busy;

	if (!v)
		return;	/* vs_vact not resized to nr_cpu_ids: the loader's bug */
	gap_pct = cfg && cfg->gap_factor_pct ? cfg->gap_factor_pct : VACT_DFL_GAP_PCT;
	jump_ns = cfg && cfg->steal_jump_ns ? cfg->steal_jump_ns : VACT_DFL_STEAL_JUMP_NS;
	tick = cfg && cfg->tick_ns ? cfg->tick_ns : vact_jiffy_tick_ns(now);
	state = v->state;
	prev = v->hb_ns;

	/* busy throughout (prev, now]: no idle entry/exit since the last tick */
	busy = prev && !(state & VSCHED_VACT_S_IDLE) &&
	       v->idle_enter_ns < prev && v->idle_exit_ns < prev;
	if (prev && now > prev) {
		d = now - prev;
		if (busy) {
			__u32 learnt = vact_learn_tick(v, d);

			if (!tick)
				tick = learnt;
		}
		if (!tick)
			tick = v->tick_ns ? v->tick_ns : VACT_DFL_TICK_NS;
		if (d * 100 > (__u64)tick * gap_pct) {
			if (busy) {
				__u64 lost = d - tick;
				__u32 b = vs_log2(lost / VS_NSEC_PER_USEC);

				v->inactive_count++;
				v->inactive_sum_ns += lost;
				if (lost > v->inactive_max_ns)
					v->inactive_max_ns = lost;
				v->last_inactive_end_ns = now;
				if (b >= VSCHED_HIST_BUCKETS)
					b = VSCHED_HIST_BUCKETS - 1;
				v->hist[b]++;
			} else {
				v->idle_gaps++;
			}
		}
	}
	if (tick)
		v->tick_ns = tick;

	steal = vact_read_steal(cpu, &state);
	if (v->hb_count && steal > v->steal_ns) {
		d = steal - v->steal_ns;
		if (d >= jump_ns) {
			v->steal_jumps++;
			v->steal_jump_sum_ns += d;
			if (d > v->steal_jump_max_ns)
				v->steal_jump_max_ns = d;
			v->last_steal_jump_ns = now;
		}
	}
	v->steal_ns = steal;
	v->state = state;
	v->hb_ns = now;
	v->hb_count++;

	if (!cfg || !cfg->pv_sample)
		vact_sample_pv(cpu);
}

static __always_inline void vact_on_switch(struct task_struct *prev,
					   struct task_struct *next)
{
	struct vsched_vact_cpu *v = vact_cpu(bpf_get_smp_processor_id());
	__u64 now;

	if (!v)
		return;
	if (next->pid == 0) {
		now = bpf_ktime_get_ns();
		v->idle_enter_ns = now;
		v->state |= VSCHED_VACT_S_IDLE;
	} else if (prev->pid == 0) {
		now = bpf_ktime_get_ns();
		v->idle_exit_ns = now;
		v->state &= ~VSCHED_VACT_S_IDLE;
	}
}

/*
 * The tick is the per-CPU tick_sched hrtimer, whose function is
 * tick_nohz_handler() (tick_sched_timer() before 6.9); its expire_exit comes
 * after update_process_times() accounted this tick's steal.  A tracepoint
 * rather than fexit: fentry/fexit need DYNAMIC_FTRACE_WITH_DIRECT_CALLS,
 * which some cloud kernels lack.
 */
SEC("tp_btf/hrtimer_expire_exit")
int BPF_PROG(vact_tick, struct hrtimer *timer)
{
	void *fn = BPF_CORE_READ(timer, function);

	if (!fn || (fn != (void *)&tick_nohz_handler && fn != (void *)&tick_sched_timer))
		return 0;
	vact_on_tick();
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(vact_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	vact_on_switch(prev, next);
	return 0;
}

#endif /* __VACT_BPF_H */
