// SPDX-License-Identifier: GPL-2.0
/*
 * A program the kernel's verifier must refuse: it dereferences a map lookup
 * result without the NULL check.  BpfObjectIT loads it to prove that a load
 * failure's exception carries the verifier's own words.  The unrolled loop
 * only makes the verifier log longer than LibBpfLog's first 1 KiB buffer, so
 * the re-format path (from the va_list copy) is exercised too.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* HASH: 6.13+ verifiers know an ARRAY lookup with a constant key is never NULL */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vr_map SEC(".maps");

SEC("socket")
int verifier_reject(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&vr_map, &key);
	__u64 acc = 0;

#pragma unroll
	for (int i = 0; i < 4; i++)
		acc += bpf_get_prandom_u32();
	return (int)(*v + acc);	/* no NULL check: "invalid mem access 'map_value_or_null'" */
}

char _license[] SEC("license") = "GPL";
