#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `vsched agent` in sched_ext mode on a guest whose host layout stacks vCPUs:
#  1. start the agent (agent.mode=sched_ext: required); once it has applied a plan, save sched_ext's
#     sysfs state and two statuses a few seconds apart; pin a busy loop to a hidden vCPU, start unpinned
#     busy loops, sample every loop's CPU (/proc/PID/stat field 39) and CPU time; SIGTERM; save the state.
# (agent-schedext-exit.sh covers kill -9 and ejection: every sched_ext enable/disable patches kernel text,
# which multi-threaded TCG, needed here for the host layout, sometimes turns into an int3 oops.)
# Files: status-1.json, status-2.json, status-text.txt, attached.txt, samples.txt, detached.txt,
# agent-1.log.
# rc 0 if every step ran (the host-side test judges the content); non-zero names the failed step.
set -u
TEST=agent-schedext
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# rwc.straggler_fraction=0: the plan hides stacked duplicates only. The host test judges the loops against
# the plan status-1.json shows, and a straggler verdict swings with host noise (a fresh-clone run saw the
# plan move to "usable 3" while the loops were sampled, and failed on a loop running on vCPU 3).
AGENT_ARGS="--set agent.mode=sched_ext --set probe.period=500ms --set vtop.revalidate=0s \
--set rwc.hysteresis_rounds=2 --set rwc.straggler_fraction=0"

expand() { # a CPU list like 0,2-3 -> "0 2 3"
	echo "$1" | tr ',' '\n' | while IFS=- read -r a b; do
		seq "$a" "${b:-$a}"
	done | tr '\n' ' '
}

[ -d "$scx" ] || die "no $scx in this kernel"
scx_snapshot "$out/before.txt"

# attach, feed, keep movable work off hidden vCPUs, SIGTERM detaches
# shellcheck disable=SC2086 # word lists on purpose
$AGENT $AGENT_ARGS >"$out/agent-1.log" 2>&1 &
agent=$!
await_status "$agent" 300 '"applied" : "' || die "first agent never applied a plan"
cp "$out/status.tmp" "$out/status-1.json"
scx_snapshot "$out/attached.txt"
usable=$(sed -n 's/.*"applied" : "\([0-9,-]*\)".*/\1/p' "$out/status-1.json")
hidden=""
for c in $(seq 0 $(($(grep -c '^processor' /proc/cpuinfo) - 1))); do
	case " $(expand "$usable") " in
	*" $c "*) ;;
	*) hidden="$hidden $c" ;;
	esac
done
first_hidden=$(echo "$hidden" | awk '{ print $1 }')
[ -n "$first_hidden" ] || die "the plan hides no vCPU (usable $usable)"
echo "usable=$usable" >>"$out/attached.txt"
echo "hidden=$hidden" >>"$out/attached.txt"

taskset -c "$first_hidden" sh -c 'while :; do :; done' &
pinned=$!
loops=""
for _ in 1 2 3 4; do
	sh -c 'while :; do :; done' &
	loops="$loops $!"
done
sleep 2 # the scheduler pushes movable work off hidden vCPUs at their next enqueue
{
	echo "pinned=$pinned cpu=$first_hidden"
	echo "loops=$loops"
	n=0
	while [ "$n" -lt 25 ]; do
		for p in $pinned $loops; do
			# fields after the command: 14 utime, 39 processor (the command "(sh)" has no blanks)
			echo "sample $n $p $(awk '{ print $39, $14 }' "/proc/$p/stat")"
		done
		sleep 0.2
		n=$((n + 1))
	done
} >"$out/samples.txt"
$JAVA status --json --run-dir "$run" >"$out/status-2.json" || die "status failed while attached"
$JAVA status --run-dir "$run" >"$out/status-text.txt" || die "text status failed"
# shellcheck disable=SC2086
kill "$pinned" $loops
kill -TERM "$agent"
wait "$agent"
echo "agent1_rc=$?" >"$out/detached.txt"
scx_snapshot "$out/detached.tmp"
cat "$out/detached.tmp" >>"$out/detached.txt"
rm -f "$out/status.tmp" "$out/detached.tmp"
exit 0
