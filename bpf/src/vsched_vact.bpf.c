// SPDX-License-Identifier: GPL-2.0
/*
 * vsched_vact.bpf.o: the vACT tracing programs alone, for kernels without
 * sched_ext (and for the agent when it runs no scheduler).  Everything is in
 * vact.bpf.h, which the scheduler object includes as well.
 */
#include "vact.bpf.h"

char _license[] SEC("license") = "GPL";
