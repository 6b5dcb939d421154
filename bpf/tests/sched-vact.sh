#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The vACT tracing programs alone (no sched_ext needed: 7.2 and 6.1).
# Runs one busy loop per vCPU (so no vCPU sits in tickless idle), attaches
# vsched_vact.bpf.o for vsched.vact_secs seconds (default 3) and checks that
# every vCPU reported heartbeats (>= 5/s) and that none got fewer than a
# quarter of the best vCPU's count, and that each uses a tick period within 2%
# of 1e9/CONFIG_HZ.
# TCG has no steal, so steal jumps are reported, not required.
# Writes vact.txt, checks.txt. rc 0 iff all passed.
set -eu
# busybox ash has pipefail; POSIX sh does not
# shellcheck disable=SC3040
set -o pipefail
TEST=sched-vact
# shellcheck source=../../vm-images/guest-tests/lib.sh
. "$(dirname "$0")/lib.sh"
secs=${VSCHED_VACT_SECS:-3}

[ -x "$bin/vsched-loader" ] || die "$bin/vsched-loader missing"
[ -f "$bin/vsched_vact.bpf.o" ] || die "$bin/vsched_vact.bpf.o missing"
: >"$out/checks.txt"
n=$(nproc)
start_loops pinned
lrc=0
"$bin/vsched-loader" vact -d "$secs" >"$out/vact.txt" 2>&1 || lrc=$?
# shellcheck disable=SC2086 # a pid list
stop_tasks $loops
check "loader rc=$lrc $(tail -1 "$out/vact.txt" | cut -c1-120)" [ "$lrc" = 0 ]

# A loaded host starves single-threaded TCG and the guest loses ticks, so the
# rate bar is low (5/s) and the real check is balance: with a busy loop on
# each, no vCPU may get fewer than a quarter of the best one's heartbeats.
min=$((secs * 5))
seen=0
best=0
counts=""
for c in $(seq 0 $((n - 1))); do
	line=$(grep "^vact cpu=$c " "$out/vact.txt" || true)
	[ -n "$line" ] || { bad "cpu$c: no vact line"; continue; }
	seen=$((seen + 1))
	hb=$(stat_num "$line" hb_count)
	counts="$counts $c:$hb"
	[ "$hb" -le "$best" ] || best=$hb
	tick=$(stat_num "$line" tick_ns)
	jumps=$(stat_num "$line" steal_jumps)
	inact=$(stat_num "$line" inactive_count)
	check "cpu$c hb_count=$hb >= $min (tick_ns=$tick inactive=$inact steal_jumps=$jumps)" \
		[ "$hb" -ge "$min" ]
done
for cc in $counts; do
	check "cpu${cc%%:*} hb_count=${cc#*:} >= best/4 ($best/4)" [ $((${cc#*:} * 4)) -ge "$best" ]
done
check "$seen of $n vCPUs reported" [ "$seen" = "$n" ]
check_tick "$out/vact.txt"
cat "$out/checks.txt"
exit $fail
