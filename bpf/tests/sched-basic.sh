#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The vsched sched_ext scheduler on a kernel with sched_ext (7.2), >= 2 vCPUs.
# vsched-loader registers it with the last vCPU hidden (RWC); meanwhile one
# unpinned busy loop per vCPU, a busy loop pinned to the hidden vCPU and a
# sleepy waker (BVS) run. Checks: the scheduler attaches and
# /sys/kernel/sched_ext/root/ops names it, no unpinned loop is seen on the
# hidden vCPU, the pinned loop (with at least half of its vCPU) and the waker
# finish, the kernel never ejects it, the counters moved, and detaching
# restores the default scheduler.
# Parameters: vsched.sched_secs (the loader's backstop run time, default 300;
# the test detaches it with SIGINT once the checks under load are done).
# Writes sched.txt (loader output), checks.txt, dmesg.txt. rc 0 iff all passed.
set -eu
# busybox ash has pipefail; POSIX sh does not
# shellcheck disable=SC3040
set -o pipefail
TEST=sched-basic
# shellcheck source=../../vm-images/guest-tests/lib.sh
. "$(dirname "$0")/lib.sh"
secs=${VSCHED_SCHED_SECS:-300}

need_scheduler 2
hid=$((n - 1))
: >"$out/checks.txt"
expect state_before "$(state)" disabled

attach_sched "" "$out/sched.txt" -d "$secs" -H "$hid"

start_loops
# The pinned loop prints "done CPU WALL": its CPU time (utime+stime, 1/100 s)
# and wall time in 1/100 s, from builtins only. It is nearly alone on its
# vCPU, so it must get most of it (a lost wake-up once left it 1%).
# shellcheck disable=SC2016,SC2086 # expanded and split by the inner sh
taskset -c "$hid" sh -c '
	cpu() { read -r s </proc/$$/stat; set -- ${s#*) }; echo $((${12} + ${13})); }
	wall() { read -r u _ </proc/uptime; u=${u%.*}${u#*.}; echo $((${u#0})); }
	c0=$(cpu); w0=$(wall)
	i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done
	echo done $(($(cpu) - c0)) $(($(wall) - w0))' >"$out/pinned.txt" &
ppid=$!
(for _ in $(seq 1 50); do sleep 0.02; done; echo finished) >"$out/waker.txt" &
wpid=$!

# where do the movable loops run?
sleep 1
# shellcheck disable=SC2086 # a pid list
sample_cpu "$hid" 15 0.2 $loops
echo "samples=$samples on_hidden=$hits hidden_cpu=$hid" >>"$out/checks.txt"
expect movable_on_hidden "$hits" 0
[ "$samples" -gt 0 ] || bad "no samples taken"

wait $ppid || true
wait $wpid || true
read -r pdone pcpu pwall <"$out/pinned.txt" || true
expect pinned_on_hidden_finished "$pdone" done
check "pinned loop ran ${pcpu:-?}/${pwall:-?} of its wall time (>= 1/2)" \
	[ $((${pcpu:-0} * 2)) -ge "${pwall:-1}" ]
expect waker_finished "$(cat "$out/waker.txt")" finished
expect state_under_load "$(state)" enabled
# shellcheck disable=SC2086
stop_tasks $loops

detach_sched "" "$out/sched.txt" INT
check "enq_shared=$(num enq_shared) > 0" [ "$(num enq_shared)" -gt 0 ]
check "rwc_pinned=$(num rwc_pinned) > 0 (pinned work on the hidden vCPU)" [ "$(num rwc_pinned)" -gt 0 ]
bvs=$(($(num bvs_pick) + $(num bvs_keep)))
check "bvs_pick+keep=$bvs > 0 (the waker)" [ "$bvs" -gt 0 ]
check_tick "$out/sched.txt"

check_dmesg
cat "$out/checks.txt"
exit $fail
