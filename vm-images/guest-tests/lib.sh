#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Helpers the guest tests share (these, bpf/tests' and kmod/tests', all flat in
# the guest's /tests); sourced, never run as a test:
#   TEST=sched-basic; . "$(dirname "$0")/lib.sh"
# Check lines go to $VSCHED_OUT/checks.txt, one "ok   ..." or "FAIL ..." each;
# a FAIL sets fail=1, which the test returns as its exit status.
out=$VSCHED_OUT
fail=0
scx=/sys/kernel/sched_ext
bin=/opt/vsched/bpf
run=/run/vsched
# The JVM options of vsched command $1, as the launcher gives them: the lines
# for $1 and for * of /opt/vsched/jvm-flags (guest-agent/jvm-flags).
jvm_flags() {
	[ -r /opt/vsched/jvm-flags ] || echo "$TEST: /opt/vsched/jvm-flags missing (not packed)" >&2
	while read -r _c _f _; do
		case "$_c" in
		"*" | "$1") printf '%s ' "$_f" ;;
		esac
	done </opt/vsched/jvm-flags
}
# java and its options for vsched command $1, up to the jar; the guest adds
# -Xshare:auto (the runtime's CDS archive), and vsched.java_opts= more
# options (diagnostics, e.g. -XX:+PrintCompilation).
vsched_java() {
	echo "java $(jvm_flags "$1")-Xshare:auto ${VSCHED_JAVA_OPTS:-} -jar /opt/vsched/vsched.jar"
}
JAVA=$(vsched_java status) # the tests run `$JAVA status` only
AGENT="$(vsched_java agent) agent"

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
# shellcheck disable=SC2317 # called through check
not() { ! "$@"; }
# stops the test: the reason on stderr, with the checks so far
die() {
	echo "$TEST: $*" >&2
	cat "$out/checks.txt" >&2 2>/dev/null
	exit 1
}

# the scheduler tests' preconditions: loader and object packed, sched_ext, at
# least $1 vCPUs; sets n to the vCPU count
need_scheduler() {
	[ -x "$bin/vsched-loader" ] || die "$bin/vsched-loader missing (bpf/build not built or not packed)"
	[ -f "$bin/vsched_sched.bpf.o" ] || die "$bin/vsched_sched.bpf.o missing"
	[ -d "$scx" ] || die "kernel $(uname -r) has no sched_ext"
	n=$(nproc)
	[ "$n" -ge "$1" ] || die "needs at least $1 vCPUs, have $n"
	scx_dump_arm
}

# When the kernel ejects a scheduler (stall, error) it dumps its state (each
# vCPU's queues and current task, the stalled task, its DSQ and flags) to the
# sched_ext_dump tracepoint only; record it so a failure can be explained.
trace=/sys/kernel/debug/tracing
scx_dump_arm() {
	if [ -w "$trace/events/sched_ext/sched_ext_dump/enable" ]; then
		echo 1 >"$trace/events/sched_ext/sched_ext_dump/enable"
	fi
}
# saves the dump (if the kernel wrote one) to scx-dump.txt; adds to checks.txt
# its header, each vCPU's state line and the block of the task dmesg names as
# stalled
scx_dump_save() {
	[ -r "$trace/trace" ] || return 0
	grep 'sched_ext_dump' "$trace/trace" | sed 's/^.*sched_ext_dump: //' >"$out/scx-dump.txt"
	[ -s "$out/scx-dump.txt" ] || return 0
	_stalled=$(dmesg | sed -n 's/.*sched_ext: [^:]*: \(.*\[[0-9]*\]\) failed to run.*/\1/p' | head -1)
	{
		echo "kernel's sched_ext dump, $(wc -l <"$out/scx-dump.txt") lines in scx-dump.txt:"
		head -8 "$out/scx-dump.txt"
		grep -A1 '^CPU ' "$out/scx-dump.txt"
		[ -z "$_stalled" ] || grep -F -A6 "$_stalled" "$out/scx-dump.txt" | head -40
	} | sed 's/^/dump /' >>"$out/checks.txt"
}

state() { cat "$scx/state"; }
ops() { cat "$scx/root/ops" 2>/dev/null || echo none; }
scx_snapshot() { # $1: file for state= and ops= lines
	{
		echo "state=$(state)"
		echo "ops=$(ops)"
	} >"$1"
}
await_state() { # STATE SECS [PID]: rc 0 once sched_ext is STATE; gives up after
	# SECS seconds, or early when PID (the process attaching or detaching) is gone
	_i=0
	while [ "$(state)" != "$1" ] && [ $_i -lt $(($2 * 10)) ]; do
		[ -z "${3:-}" ] || kill -0 "$3" 2>/dev/null || break
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(state)" = "$1" ]
}
# waits up to 30 s for sched_ext to be enabled while process $1 (the loader) lives
await_enabled() { await_state enabled 30 "$1"; }
# saves dmesg.txt; one check: no sched_ext error or stall, BUG, WARNING or Oops
check_dmesg() {
	dmesg >"$out/dmesg.txt"
	if grep -E 'sched_ext:.*([Ee]rror|stall)|BUG:|WARNING:|Oops' "$out/dmesg.txt" \
		>"$out/dmesg-bad.txt"; then
		bad "dmesg: $(head -3 "$out/dmesg-bad.txt" | tr '\n' ' ')"
		scx_dump_save
	else
		pass "dmesg clean"
	fi
}
# $1: vsched-loader's output once it detached, $2: a name for the checks (may
# be empty): the kernel never ejected the scheduler, and the loader saw the
# default scheduler back
check_detached() {
	check "${2:+$2: }never ejected" grep -q '^before_detach state=enabled ejected=0' "$1"
	check "${2:+$2: }after_detach" grep -q '^after_detach state=disabled' "$1"
}
# $1: a loader's "stats k=v ..." (or "vact k=v ...") line, $2: counter name ->
# its value (0 if absent)
stat_num() {
	_v=$(echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p")
	echo "${_v:-0}"
}
# $1: counter name -> its value in the stats line detach_sched read
num() { stat_num "$stats" "$1"; }

# The scheduler's runs: attach_sched NAME LOG ARGS... starts `vsched-loader
# sched ARGS` in the background (output to LOG, pid in lpid) and waits until
# sched_ext is enabled; detach_sched NAME LOG [SIG] ends it: sends it SIG if
# given (else it runs out its -d duration) and waits. NAME prefixes the check
# names ("" for none). Checks: attached, root/ops names vsched; loader rc 0 (2:
# the kernel ejected it), sched_ext disabled again, check_detached, a stats
# line in LOG, which detach_sched leaves in stats (read it with num).
attach_sched() {
	_p=${1:+$1: }
	_log=$2
	shift 2
	"$bin/vsched-loader" sched "$@" >"$_log" 2>&1 &
	lpid=$!
	await_enabled $lpid || true
	expect "${_p}state_attached" "$(state)" enabled
	expect "${_p}root_ops" "$(ops)" vsched
}
detach_sched() {
	_p=${1:+$1: }
	_lrc=0
	[ -z "${3:-}" ] || kill -"$3" "$lpid" 2>/dev/null || true
	wait "$lpid" || _lrc=$?
	expect "${_p}loader_rc" "$_lrc" 0
	expect "${_p}state_after" "$(state)" disabled
	check_detached "$2" "$1"
	stats=$(grep '^stats ' "$2" || true)
	[ -n "$stats" ] || bad "${_p}no stats line in ${2##*/}"
}

# start_loops [pinned]: one busy loop per vCPU, unpinned or loop i pinned to
# vCPU i (an idle vCPU is tickless and reports no heartbeats); pids in loops
start_loops() {
	loops=""
	for _c in $(seq 0 $(($(nproc) - 1))); do
		if [ "${1:-}" = pinned ]; then
			taskset -c "$_c" sh -c 'while :; do :; done' &
		else
			sh -c 'while :; do :; done' &
		fi
		loops="$loops $!"
	done
}
# stop_tasks PID...: kills them and reaps them
stop_tasks() {
	for _t in "$@"; do kill "$_t" 2>/dev/null || true; done
	for _t in "$@"; do wait "$_t" 2>/dev/null || true; done
}
# sample_task CPU SECS COUNT CMD: where a task goes when it may: sh -c CMD
# starts pinned to vCPU CPU and after SECS seconds may run on any vCPU (only a
# policy moves it away); SECS seconds later sample_cpu reads its vCPU COUNT
# times 0.1 s apart (samples, hits: on CPU); then it is stopped
sample_task() {
	taskset -c "$1" sh -c "$4" &
	task=$!
	sleep "$2"
	taskset -p -c "0-$(($(nproc) - 1))" "$task" >/dev/null
	sleep "$2"
	sample_cpu "$1" "$3" 0.1 "$task"
	stop_tasks "$task"
}
# sample_cpu CPU COUNT SECS PID...: COUNT times, SECS apart, reads the vCPU
# each PID last ran on (field 39 of /proc/PID/stat; the command, "(sh)", has no
# blanks); sets samples (readings of a live PID) and hits (those on vCPU CPU)
sample_cpu() {
	_cpu=$1
	_count=$2
	_secs=$3
	shift 3
	samples=0
	hits=0
	for _ in $(seq 1 "$_count"); do
		sleep "$_secs"
		for _t in "$@"; do
			_on=$(cut -d' ' -f39 "/proc/$_t/stat" 2>/dev/null || true)
			[ -n "$_on" ] || continue
			samples=$((samples + 1))
			[ "$_on" != "$_cpu" ] || hits=$((hits + 1))
		done
	done
}

# $1: a file with vact lines (vsched-loader's output). Every vCPU that ticked
# at least 300 times (over a second at HZ=250) must use a tick period within
# 2% of 1e9/CONFIG_HZ (the guest image carries /boot/config-RELEASE, as
# distributions do).
check_tick() {
	_cfg=/boot/config-$(uname -r)
	_hz=$(sed -n 's/^CONFIG_HZ=//p' "$_cfg" 2>/dev/null || true)
	[ -n "$_hz" ] || { bad "no CONFIG_HZ in $_cfg"; return 0; }
	_want=$((1000000000 / _hz))
	grep '^vact cpu=' "$1" >"$out/vact-lines.tmp" || true
	while read -r _l; do
		[ "$(stat_num "$_l" hb_count)" -ge 300 ] || continue
		_t=$(stat_num "$_l" tick_ns)
		_d=$((_t > _want ? _t - _want : _want - _t))
		check "cpu$(stat_num "$_l" cpu) tick_ns=$_t within 2% of $_want (HZ=$_hz)" \
			[ $((_d * 50)) -le "$_want" ]
	done <"$out/vact-lines.tmp"
	rm -f "$out/vact-lines.tmp"
}

# $1: agent pid, $2: seconds, $3: pattern `vsched status --json` must show;
# leaves the last status in $out/status.tmp. Fails at once if the agent exits.
await_status() {
	_i=0
	while [ "$_i" -lt "$2" ]; do
		kill -0 "$1" 2>/dev/null || return 1
		if $JAVA status --json --run-dir "$run" >"$out/status.tmp" 2>/dev/null &&
			grep -q "$3" "$out/status.tmp"; then
			return 0
		fi
		sleep 1
		_i=$((_i + 1))
	done
	return 1
}
