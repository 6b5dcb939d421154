#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The vsched scheduler under a stress-ng mix for minutes (eval image: needs
# stress-ng), >= 3 vCPUs. vsched.ko is loaded first (its kfuncs are then
# used; a missing module is a FAIL), vsched-loader registers the scheduler with
# the last vCPU hidden (RWC), and three stress-ng groups run at once for
# vsched.stress_secs (default 150):
#  - movable: CPU hogs, affinity churn (tasks re-pinning themselves to random
#    vCPUs, the hidden one included), yield, context-switch ping-pong, fork,
#    pthreads, futexes, short timer sleeps (nanosleep), pipes, and where this
#    stress-ng has it, policy churn (tasks moving between SCHED_OTHER/BATCH/
#    IDLE/FIFO/RR);
#  - pinned to the hidden vCPU: a CPU hog and a switch pair (RWC must serve them);
#  - pinned to vCPU 0: a SCHED_RR task woken every 1 ms (cyclic), so a higher
#    class keeps taking vCPU 0 from sched_ext work.
# No stressor may keep every vCPU busy with real-time work: sched_ext tasks then
# run only in the kernel's ext deadline server budget, and the first RCU stall
# that follows makes the kernel eject any BPF scheduler. stress-ng's hrtimers
# stressor did that under TCG (each instance forks 32 SCHED_RR timer processes;
# the default scheduler, same mix, starved its sampler for up to 14 s), so the
# mix has none.
# Every second: sched_ext state and root/ops, the loader alive. Checks: the
# scheduler stays attached the whole time (no watchdog ejection, no error exit),
# every stress-ng group ends with rc 0 and every stressor made progress, the
# pinned-to-hidden work ran, the loader exits 0 after detaching, the default
# scheduler is back, dmesg has no sched_ext error, stall, BUG or WARNING.
# vsched.stress_sched=default runs the same mix on the default scheduler (the
# control: what the sampler and stressors get without vsched).
# Writes checks.txt, samples.txt, sched.txt, stress-*.txt, dmesg.txt; rc 0 iff
# all checks passed.
set -u
TEST=sched-stress
# shellcheck source=../../vm-images/guest-tests/lib.sh
. "$(dirname "$0")/lib.sh"
ko=/opt/vsched/kmod/vsched.ko
secs=${VSCHED_STRESS_SECS:-150}
mode=${VSCHED_STRESS_SCHED:-vsched}
case "$mode" in vsched | default) ;; *) die "stress_sched '$mode' is neither vsched nor default" ;; esac

command -v stress-ng >/dev/null || die "no stress-ng here: boot the eval image (eval-image.sh)"
need_scheduler 3
hid=$((n - 1))
: >"$out/checks.txt"
expect state_before "$(state)" disabled
# The module is part of the mix, never skipped: eval-image.sh packs
# kmod/build/<series>/vsched.ko, which the suite builds first (prepare.sh
# --kernel-side). Loaded: kmod=yes, and it is removed at the end.
kmod=no
if [ ! -f "$ko" ]; then
	bad "insmod vsched.ko: $ko missing (kmod/build/<series>/vsched.ko not built or not packed)"
elif insmod "$ko"; then
	pass "insmod vsched.ko"
	kmod=yes
else
	bad "insmod vsched.ko"
fi

# policy churn exists in newer stress-ng only; record what this one offers
have() { stress-ng --stressors | tr ' ' '\n' | grep -qx "$1"; }
policy=""
if have schedpolicy; then policy="--schedpolicy 1"; fi
echo "stress-ng $(stress-ng --version | awk '{ print $3 }') policy_churn=${policy:-none}" >"$out/stress-version.txt"

if [ "$mode" = vsched ]; then
	# detached by SIGINT below; the duration is only a backstop
	attach_sched "" "$out/sched.txt" -d $((secs * 4 + 600)) -H "$hid"
	[ "$(state)" = enabled ] || die "the scheduler did not attach: $(cat "$out/sched.txt")"
	want="state=enabled ops=vsched loader=yes"
else
	sleep 1000000 &
	lpid=$!
	want="state=disabled ops=none loader=yes"
fi

common="--timeout ${secs}s --metrics-brief"
# shellcheck disable=SC2086 # option lists on purpose
stress-ng $common --cpu "$n" --cpu-method matrixprod --affinity "$n" --affinity-rand \
	--yield 2 --switch 1 --fork 1 --pthread 1 --pthread-max 32 --futex 1 --nanosleep 1 --pipe 1 $policy \
	>"$out/stress-movable.txt" 2>&1 &
s1=$!
# shellcheck disable=SC2086
stress-ng $common --taskset "$hid" --cpu 1 --switch 1 >"$out/stress-hidden.txt" 2>&1 &
s2=$!
# shellcheck disable=SC2086
stress-ng $common --taskset 0 --cyclic 1 --cyclic-policy rr --cyclic-sleep 1000000 >"$out/stress-cpu0.txt" 2>&1 &
s3=$!

# One line a second while stress-ng runs, from a bash loop that never forks
# (builtins only, and read -t on a FIFO nobody writes instead of sleep): an
# ordinary SCHED_OTHER sleeper that needs a few ms a second, so the gap
# between its lines shows how long a woken light task waited to run.
mkfifo "$out/.tick"
# shellcheck disable=SC2016 # expanded by bash
bash -c '
	exec 3<>"$1"
	rm -f "$1"
	t=0
	while kill -0 "$3" 2>/dev/null || kill -0 "$4" 2>/dev/null || kill -0 "$5" 2>/dev/null; do
		read -r up _ </proc/uptime
		read -r st <"$7/state"
		ops=none
		[ -r "$7/root/ops" ] && read -r ops <"$7/root/ops"
		alive=yes
		kill -0 "$2" 2>/dev/null || alive=no
		read -r l1 l2 l3 _ </proc/loadavg
		echo "t=$t up=$up state=$st ops=$ops loader=$alive load=$l1 $l2 $l3"
		read -r -t 1 -u 3 _
		t=$((t + 1))
		[ $t -lt "$6" ] || break
	done' sampler "$out/.tick" $lpid $s1 $s2 $s3 $((secs + 120)) "$scx" >"$out/samples.txt"
r1=0 r2=0 r3=0
wait $s1 || r1=$?
wait $s2 || r2=$?
wait $s3 || r3=$?
expect stress_movable_rc "$r1" 0
expect stress_hidden_rc "$r2" 0
expect stress_cpu0_rc "$r3" 0
# A scheduler that starves woken light tasks shows as a gap between samples.
# Bounds from runs of this mix (4 vCPUs, TCG thread=single, 2 GB, 300 s):
# vsched 185-194 samples, longest gap 3 s (5 runs); the default scheduler
# 127-141 samples (below the floor), gap 4 s (3 runs). Earlier, with the
# hrtimers stressor: default gaps up to 14 s; vsched with pinned work in FIFO
# local DSQs and an unbounded vtime clock 40-94 s.
nsamp=$(wc -l <"$out/samples.txt")
notenabled=$(grep -vc "$want" "$out/samples.txt")
gap=$(sed -n 's/.* up=\([0-9.]*\) .*/\1/p' "$out/samples.txt" |
	awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1 } END { printf "%d", g + 0.5 }')
echo "samples=$nsamp not_attached=$notenabled longest_gap=${gap}s (of ${secs}s)" >>"$out/checks.txt"
check "sampled $nsamp times in ${secs}s (>= $((secs / 2)))" [ "$nsamp" -ge $((secs / 2)) ]
check "longest sampler gap ${gap}s <= 8s" [ "$gap" -le 8 ]
expect samples_not_attached "$notenabled" 0
[ "$mode" = default ] || expect state_after_stress "$(state)" enabled

# every stressor of every group reported bogo ops > 0
# ("stress-ng: info:  [pid] NAME  BOGO-OPS  REAL ..." after the "stressor" header)
for f in "$out"/stress-*.txt; do
	[ "$f" != "$out/stress-version.txt" ] || continue
	g=$(basename "$f" .txt)
	# "stress-ng: metrc: [PID] NAME BOGO-OPS ..." (info: in older releases), up to
	# the miscellaneous metrics
	rows=$(awk '/stressor +bogo ops/ { on = 1; next } /miscellaneous metrics/ { on = 0 }
		on && /(info|metrc): +\[[0-9]+\] +[a-z][a-z0-9-]* +[0-9]/ { print $4, $5 }' "$f")
	[ -n "$rows" ] || bad "$g: no metrics (stress-ng output: $(tail -3 "$f" | tr '\n' ' '))"
	echo "$rows" | while read -r name ops; do
		[ -n "$name" ] || continue
		case "$ops" in
		'' | *[!0-9]*) echo "FAIL $g/$name bogo_ops='$ops' (not a number)" ;;
		0) echo "FAIL $g/$name made no progress (0 bogo ops)" ;;
		*) echo "ok   $g/$name bogo_ops=$ops" ;;
		esac
	done >>"$out/checks.txt"
done
grep -q '^FAIL' "$out/checks.txt" && fail=1

if [ "$mode" = default ]; then
	kill $lpid
	[ "$kmod" = no ] || check "rmmod vsched" rmmod vsched
	cat "$out/checks.txt"
	exit $fail
fi
detach_sched "" "$out/sched.txt" INT
exitl=$(grep '^exit ' "$out/sched.txt" || echo "exit line missing")
echo "loader: $exitl" >>"$out/checks.txt"
echo "$stats" >>"$out/checks.txt"
check "rwc_pinned=$(num rwc_pinned) > 0" [ "$(num rwc_pinned)" -gt 0 ]
[ "$kmod" = no ] || check "rmmod vsched" rmmod vsched

check_dmesg
# the kernel says why it disabled a scheduler: exactly once, because we asked
grep 'sched_ext: BPF scheduler .* disabled' "$out/dmesg.txt" >"$out/dmesg-disabled.txt"
expect disabled_lines "$(wc -l <"$out/dmesg-disabled.txt")" 1
if grep -q 'unregistered from user space' "$out/dmesg-disabled.txt"; then
	pass "disabled by user space"
else
	bad "disabled for another reason: $(cat "$out/dmesg-disabled.txt")"
fi
cat "$out/checks.txt"
exit $fail
