#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `vsched agent` in sched_ext mode, how it ends (thread=single TCG: no layout needed, and no int3 oops
# when the kernel patches its text at every sched_ext enable/disable):
#  1. start the agent, start a finite workload once attached, kill -9 the agent: save the state the
#     kernel is in and whether the workload completed;
#  2. start it with a cpuset slice configured, eject the scheduler with SysRq-S, save the status once the
#     agent has noticed (it must fall back to cpuset mode); SIGTERM.
# Files: kill9.txt, fallback-status.json, fallback.txt, agent-*.log.
# rc 0 if every step ran (the host-side test judges the content); non-zero names the failed step.
set -u
TEST=agent-schedext-exit
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cg=/sys/fs/cgroup
AGENT_ARGS="--set agent.mode=sched_ext --set probe.period=500ms --set vtop.revalidate=0s \
--set rwc.hysteresis_rounds=2"

[ -d "$scx" ] || die "no $scx in this kernel"

# 1. kill -9: the kernel detaches the scheduler itself; a workload started before completes
# shellcheck disable=SC2086
$AGENT $AGENT_ARGS >"$out/agent-1.log" 2>&1 &
agent=$!
await_status "$agent" 120 '"state" : "enabled"' || die "first agent never attached"
sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i + 1)); done' &
work=$!
sleep 1
kill -9 "$agent"
wait "$agent" 2>/dev/null
{
	if await_state disabled 20; then echo "disabled_after_kill9=yes"; else echo "disabled_after_kill9=no"; fi
} >"$out/kill9.txt"
scx_snapshot "$out/state.tmp"
cat "$out/state.tmp" >>"$out/kill9.txt"
if timeout 120 sh -c "while kill -0 $work 2>/dev/null; do sleep 0.5; done"; then
	wait "$work"
	echo "workload_rc=$?" >>"$out/kill9.txt"
else
	echo "workload_rc=timeout" >>"$out/kill9.txt"
	kill "$work"
fi

# 2. the kernel ejects the scheduler: the agent falls back to cpusets of the configured slice
echo "+cpuset" >"$cg/cgroup.subtree_control" || die "cannot enable the cpuset controller"
mkdir -p "$cg/work.slice" || die "cannot create work.slice"
# shellcheck disable=SC2086
$AGENT $AGENT_ARGS --set rwc.cpuset_slices=work.slice >"$out/agent-2.log" 2>&1 &
agent=$!
await_status "$agent" 120 '"state" : "enabled"' || die "second agent never attached"
echo S >/proc/sysrq-trigger
await_status "$agent" 60 '"mode" : "cpuset"' || die "second agent did not fall back to cpuset mode"
cp "$out/status.tmp" "$out/fallback-status.json"
scx_snapshot "$out/fallback.txt"
kill -TERM "$agent"
wait "$agent"
echo "agent2_rc=$?" >>"$out/fallback.txt"
rm -f "$out/status.tmp" "$out/state.tmp"
exit 0
