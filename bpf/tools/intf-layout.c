// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the layout of every struct in vsched_intf.h, one line per field:
 *   <struct> <field> <offset> <size>
 * plus "<struct> sizeof <size>" and the constants user space needs, so the
 * Java mirror's test can compare itself with what the C compiler decided.
 */
#include <stddef.h>
#include <stdio.h>

#include "vsched_intf.h"

#define F(s, f) printf("%s %s %zu %zu\n", #s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f))
#define S(s) printf("%s sizeof %zu\n", #s, sizeof(struct s))
#define C(c) printf("const %s %lld\n", #c, (long long)(c))
#define N(c) printf("name %s %s\n", #c, c)

int main(void)
{
	S(vsched_vact_cpu);
	F(vsched_vact_cpu, hb_ns); F(vsched_vact_cpu, hb_count);
	F(vsched_vact_cpu, idle_enter_ns); F(vsched_vact_cpu, idle_exit_ns);
	F(vsched_vact_cpu, steal_ns); F(vsched_vact_cpu, steal_jumps);
	F(vsched_vact_cpu, steal_jump_sum_ns); F(vsched_vact_cpu, steal_jump_max_ns);
	F(vsched_vact_cpu, last_steal_jump_ns); F(vsched_vact_cpu, inactive_count);
	F(vsched_vact_cpu, inactive_sum_ns); F(vsched_vact_cpu, inactive_max_ns);
	F(vsched_vact_cpu, last_inactive_end_ns); F(vsched_vact_cpu, idle_gaps);
	F(vsched_vact_cpu, pv_samples); F(vsched_vact_cpu, pv_preempted);
	F(vsched_vact_cpu, state); F(vsched_vact_cpu, tick_ns); F(vsched_vact_cpu, hist);
	F(vsched_vact_cpu, pv_state); F(vsched_vact_cpu, _pad0); F(vsched_vact_cpu, hz_votes);

	S(vsched_vact_cfg);
	F(vsched_vact_cfg, tick_ns); F(vsched_vact_cfg, gap_factor_pct);
	F(vsched_vact_cfg, steal_jump_ns); F(vsched_vact_cfg, pv_sample);
	F(vsched_vact_cfg, _reserved);

	S(vsched_cpu_cfg);
	F(vsched_cpu_cfg, capacity); F(vsched_cpu_cfg, latency_us); F(vsched_cpu_cfg, flags);
	F(vsched_cpu_cfg, group); F(vsched_cpu_cfg, updated_ns); F(vsched_cpu_cfg, _reserved);

	S(vsched_config);
	F(vsched_config, intf_version); F(vsched_config, policies); F(vsched_config, cpu_cfg_seq);
	F(vsched_config, slice_ns); F(vsched_config, light_util_pct); F(vsched_config, hb_fresh_us);
	F(vsched_config, bvs_margin_pct); F(vsched_config, ivh_interval_us);
	F(vsched_config, ivh_cap_max); F(vsched_config, ivh_heavy_pct);
	F(vsched_config, ivh_min_run_us); F(vsched_config, ivh_max_moves);
	F(vsched_config, ivh_task_cooldown_ms); F(vsched_config, preempt_recent_us);
	F(vsched_config, _reserved);

	S(vsched_stats);
	F(vsched_stats, cnt);

	S(vsched_exit_info);
	F(vsched_exit_info, kind); F(vsched_exit_info, exit_code);
	F(vsched_exit_info, reason); F(vsched_exit_info, msg);

	C(VSCHED_INTF_VERSION); C(VSCHED_PV_UNSUPPORTED); C(VSCHED_CAP_SCALE);
	C(VSCHED_HIST_BUCKETS);
	C(VSCHED_CPU_F_HIDDEN); C(VSCHED_CPU_F_STRAGGLER); C(VSCHED_CPU_F_STACKED);
	C(VSCHED_CPU_F_VALID);
	C(VSCHED_POL_BVS); C(VSCHED_POL_IVH); C(VSCHED_POL_RWC); C(VSCHED_POL_ALL);
	C(VSCHED_VACT_S_IDLE); C(VSCHED_VACT_S_KMOD_STEAL);
	C(VSCHED_VACT_PV_PREEMPTED); C(VSCHED_VACT_PV_SUPPORTED);
	C(VSCHED_STAT_BVS_PICK); C(VSCHED_STAT_BVS_KEEP); C(VSCHED_STAT_IVH_MOVE);
	C(VSCHED_STAT_IVH_SCAN); C(VSCHED_STAT_RWC_AVOID); C(VSCHED_STAT_RWC_PINNED);
	C(VSCHED_STAT_FALLBACK); C(VSCHED_STAT_DIRECT); C(VSCHED_STAT_ENQ_SHARED);
	C(VSCHED_STAT_PV_PREEMPT_SKIP); C(VSCHED_STAT_NR); C(VSCHED_STAT_MAX);

	N(VSCHED_OBJ_SCHED); N(VSCHED_OBJ_VACT); N(VSCHED_OPS_MAP); N(VSCHED_OPS_NAME);
	N(VSCHED_MAP_VACT); N(VSCHED_MAP_VACT_CFG); N(VSCHED_MAP_CONFIG);
	N(VSCHED_MAP_CPU_CFG); N(VSCHED_MAP_STATS); N(VSCHED_MAP_EXIT);
	N(VSCHED_KMOD_NAME); N(VSCHED_SYSFS_ROOT);
	return 0;
}
