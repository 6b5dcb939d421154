#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The vsched sched_ext scheduler on a kernel with sched_ext (7.2), >= 2 vCPUs.
# vsched-loader registers it with the last vCPU hidden (RWC); meanwhile one
# unpinned busy loop per vCPU, a busy loop pinned to the hidden vCPU and a
# sleepy waker (BVS) run. Checks: the scheduler attaches and
# /sys/kernel/sched_ext/root/ops names it, no unpinned loop is seen on the
# hidden vCPU, the pinned loop and the waker finish, the kernel never ejects
# it, the counters moved, and detaching restores the default scheduler.
# Parameters: vsched.sched_secs (loader run time, default 14).
# Writes sched.txt (loader output), checks.txt, dmesg.txt. rc 0 iff all passed.
set -eu
# busybox ash has pipefail; POSIX sh does not
# shellcheck disable=SC3040
set -o pipefail
out=$VSCHED_OUT
bin=/opt/vsched/bpf
secs=${VSCHED_SCHED_SECS:-14}
fail=0
pass() { echo "ok   $*" >>"$out/checks.txt"; }
bad() { echo "FAIL $*" >>"$out/checks.txt"; fail=1; }
expect() { # NAME ACTUAL WANTED
	if [ "$2" = "$3" ]; then pass "$1=$2"; else bad "$1=$2 (wanted $3)"; fi
}
check() { # NAME COMMAND... : passes when COMMAND succeeds
	_what=$1
	shift
	if "$@"; then pass "$_what"; else bad "$_what"; fi
}
die() { echo "sched-basic: $*" >&2; cat "$out/checks.txt" 2>/dev/null; exit 1; }
state() { cat /sys/kernel/sched_ext/state; }

[ -x "$bin/vsched-loader" ] || die "$bin/vsched-loader missing (bpf/build not built or not packed)"
[ -f "$bin/vsched_sched.bpf.o" ] || die "$bin/vsched_sched.bpf.o missing"
[ -d /sys/kernel/sched_ext ] || die "kernel $(uname -r) has no sched_ext"
n=$(nproc)
[ "$n" -ge 2 ] || die "needs at least 2 vCPUs, have $n"
hid=$((n - 1))
: >"$out/checks.txt"
expect state_before "$(state)" disabled

"$bin/vsched-loader" sched -d "$secs" -H "$hid" >"$out/sched.txt" 2>&1 &
lpid=$!
i=0
while [ "$(state)" != enabled ] && [ $i -lt 300 ] && kill -0 $lpid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
expect state_attached "$(state)" enabled
expect root_ops "$(cat /sys/kernel/sched_ext/root/ops 2>/dev/null || echo none)" vsched

loops=""
for _ in $(seq 1 "$n"); do
	sh -c 'while :; do :; done' &
	loops="$loops $!"
done
# shellcheck disable=SC2016 # expanded by the inner sh
taskset -c "$hid" sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; echo done' \
	>"$out/pinned.txt" &
ppid=$!
(for _ in $(seq 1 50); do sleep 0.02; done; echo finished) >"$out/waker.txt" &
wpid=$!

# where do the movable loops run? (field 39 of /proc/PID/stat: last CPU)
sleep 1
samples=0
onhid=0
for _ in $(seq 1 15); do
	sleep 0.2
	for p in $loops; do
		cpu=$(cut -d' ' -f39 "/proc/$p/stat")
		samples=$((samples + 1))
		[ "$cpu" != "$hid" ] || onhid=$((onhid + 1))
	done
done
echo "samples=$samples on_hidden=$onhid hidden_cpu=$hid" >>"$out/checks.txt"
expect movable_on_hidden "$onhid" 0
[ "$samples" -gt 0 ] || bad "no samples taken"

wait $ppid || true
wait $wpid || true
expect pinned_on_hidden_finished "$(cat "$out/pinned.txt")" "done"
expect waker_finished "$(cat "$out/waker.txt")" finished
expect state_under_load "$(state)" enabled
for p in $loops; do kill "$p"; done
for p in $loops; do wait "$p" 2>/dev/null || true; done

lrc=0
wait $lpid || lrc=$?
expect loader_rc "$lrc" 0
expect state_after "$(state)" disabled
check after_detach grep -q '^after_detach state=disabled' "$out/sched.txt"
stats=$(grep '^stats ' "$out/sched.txt" || true)
num() { v=$(echo "$stats" | tr ' ' '\n' | sed -n "s/^$1=//p"); echo "${v:-0}"; }
[ -n "$stats" ] || bad "no stats line in sched.txt"
check "enq_shared=$(num enq_shared) > 0" [ "$(num enq_shared)" -gt 0 ]
check "rwc_pinned=$(num rwc_pinned) > 0 (pinned work on the hidden vCPU)" [ "$(num rwc_pinned)" -gt 0 ]
bvs=$(($(num bvs_pick) + $(num bvs_keep)))
check "bvs_pick+keep=$bvs > 0 (the waker)" [ "$bvs" -gt 0 ]

dmesg >"$out/dmesg.txt"
if grep -E 'sched_ext:.*([Ee]rror|stall)|BUG:|WARNING:|Oops' "$out/dmesg.txt" \
	>"$out/dmesg-bad.txt"; then
	bad "dmesg has sched_ext errors: $(head -3 "$out/dmesg-bad.txt")"
else
	pass "dmesg clean"
fi
cat "$out/checks.txt"
exit $fail
