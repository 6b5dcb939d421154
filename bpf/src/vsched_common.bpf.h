/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the vsched BPF objects.  vmlinux.h (dumped from the
 * 7.2 kernel's BTF) already declares every kernel kfunc; what is here are the
 * vsched.ko kfuncs and a few small helpers, written for this project because
 * the kernel's tools/sched_ext headers are not packaged outside linux-source.
 */
#ifndef __VSCHED_COMMON_BPF_H
#define __VSCHED_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vsched_intf.h"

/*
 * vsched.ko kfuncs.  __weak: the object loads when the module is absent;
 * bpf_ksym_exists() then yields false and the callers fall back.
 */
extern int vsched_kf_vcpu_preempted(int cpu) __weak __ksym;
extern __u64 vsched_kf_steal_ns(int cpu) __weak __ksym;

/* the tick hrtimer's function, by kernel version (untyped: static symbols) */
extern const void tick_nohz_handler __ksym __weak;
extern const void tick_sched_timer __ksym __weak;

/* errno values (macros, so not in vmlinux.h) */
#ifndef EINVAL
#define EINVAL			22
#endif
#ifndef ENOMEM
#define ENOMEM			12
#endif

#define VS_NSEC_PER_USEC	1000ULL
#define VS_NSEC_PER_MSEC	1000000ULL
#define VS_NSEC_PER_SEC		1000000000ULL

static __always_inline __u64 vs_min(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/* floor(log2(v)) for v > 0, 0 for v == 0; loop-free for the verifier */
static __always_inline __u32 vs_log2(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v >> 32) ? 32 : 0;
	v >>= shift;
	r += shift;
	shift = (v >> 16) ? 16 : 0;
	v >>= shift;
	r += shift;
	shift = (v >> 8) ? 8 : 0;
	v >>= shift;
	r += shift;
	shift = (v >> 4) ? 4 : 0;
	v >>= shift;
	r += shift;
	shift = (v >> 2) ? 2 : 0;
	v >>= shift;
	r += shift;
	return r + ((v >> 1) ? 1 : 0);
}

#endif /* __VSCHED_COMMON_BPF_H */
