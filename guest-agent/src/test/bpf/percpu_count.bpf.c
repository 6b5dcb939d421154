// SPDX-License-Identifier: GPL-2.0
/*
 * Counts sched_switch events per CPU in a PERCPU_ARRAY and records which CPU
 * wrote each copy, so BpfObjectIT can check that BpfMap.lookupPerCpu returns
 * one value per possible CPU in CPU order.  A raw tracepoint: needs neither
 * vmlinux.h nor tracefs.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pc_val {
	__u64 count;
	__u32 cpu;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_val);
} pc_counts SEC(".maps");

SEC("raw_tp/sched_switch")
int pc_switch(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 key = 0;
	struct pc_val *v = bpf_map_lookup_elem(&pc_counts, &key);

	if (!v)
		return 0;
	v->count++;
	v->cpu = bpf_get_smp_processor_id();
	return 0;
}

char _license[] SEC("license") = "GPL";
