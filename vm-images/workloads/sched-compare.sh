#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vsched vs the default scheduler in one boot: VSCHED_ROUNDS (default 3) rounds,
# each running the workload once under each scheduler, in the order
# default,vsched then vsched,default then ... (so a drift of the host hits both
# sides alike). "vsched" is `vsched agent` in sched_ext mode (VSCHED_SCHED=agent,
# the product as a user runs it) or the bare scheduler with no vCPU state
# (VSCHED_SCHED=loader, with VSCHED_LOADER_ARGS added to its command line, e.g.
# "-P 0" for no policies: the vtime scheduler alone). Workloads (VSCHED_WORKLOAD):
#   cpu     sysbench cpu, VSCHED_THREADS (nproc) threads, VSCHED_SECONDS (20)
#   mixed   the same with cyclictest beside it: one unpinned SCHED_OTHER timer
#           thread per vCPU, 1 ms interval (wake-up latency of light tasks;
#           histogram to 200 ms: under TCG p95 passes 10 ms)
# Output, one directory per run, runs/NN-MODE/: sysbench.txt, cyclictest.json
# (mixed), states.txt (sched_ext state each second), stat-before.txt and
# stat-after.txt (/proc/stat's cpu lines around the workload: idle vCPU time
# while work waited shows there); for vsched runs also
# vsched.txt (its CPU ticks, stop status), threads.txt (the ticks of each of its
# threads that ran during the workload, most first), agent.log, status-start.json,
# status-end.json and start.txt (agent) or loader.txt. runs.txt lists the runs
# in order ("NN MODE rc=N"). VSCHED_SETTLE (default 0) seconds pass between
# vsched's start (agent: its first applied plan) and the workload, so that the
# agent runs past its start-up as a long-running daemon would; its CPU time is
# counted from the workload's start. rc 0 iff every run completed and every
# vsched run was attached the whole time.
set -u
TEST=sched-compare
# shellcheck source=../guest-tests/lib.sh
. "$(dirname "$0")/lib.sh"
rounds=${VSCHED_ROUNDS:-3}
secs=${VSCHED_SECONDS:-20}
threads=${VSCHED_THREADS:-$(nproc)}
workload=${VSCHED_WORKLOAD:-cpu}
sched=${VSCHED_SCHED:-agent}
settle=${VSCHED_SETTLE:-0}
case "$workload" in cpu | mixed) ;; *) die "unknown workload '$workload' (cpu, mixed)" ;; esac
case "$sched" in agent | loader) ;; *) die "unknown scheduler side '$sched' (agent, loader)" ;; esac
case "$settle" in '' | *[!0-9]*) die "VSCHED_SETTLE='$settle' is not a number of seconds" ;; esac
[ -d "$scx" ] || die "kernel $(uname -r) has no sched_ext"
[ "$(state)" = disabled ] || die "sched_ext is $(state) before the first run"

uptime_s() { cut -d' ' -f1 /proc/uptime; }

cpu_ticks() { # utime+stime of PID in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

thread_ticks() { # "TID TICKS NAME" per thread of PID (NAME may hold spaces: it goes last)
	for t in /proc/"$1"/task/*; do
		# after the ") " closing the name, utime and stime are fields 12 and 13
		s=$(cat "$t/stat" 2>/dev/null) && echo "${t##*/} $(echo "${s##*) }" | awk '{ print $12 + $13 }') $(cat "$t/comm")"
	done
}

thread_delta() { # $1 before, $2 after (thread_ticks): "TICKS NAME" per thread that used CPU, most first
	awk 'NR == FNR { b[$1] = $2; next } { n = $2 - ($1 in b ? b[$1] : 0); $1 = ""; $2 = ""; sub(/^  /, ""); if (n > 0) print n, $0 }' "$1" "$2" | sort -rn
}

# $1: run directory. Starts vsched and waits until it schedules; sets vpid.
start_vsched() {
	if [ "$sched" = agent ]; then
		# shellcheck disable=SC2086
		$AGENT --set agent.mode=sched_ext >"$1/agent.log" 2>&1 &
		vpid=$!
		# the agent attaches the scheduler at start and applies its first plan after a few
		# probe rounds; poll the cheap sysfs state first, then the status (a JVM each)
		t0=$(uptime_s)
		await_state enabled 300 $vpid || return 1
		t1=$(uptime_s)
		await_status $vpid 300 '"applied" : "' || return 1
		mv "$out/status.tmp" "$1/status-start.json"
		echo "agent_start=$t0 enabled=$t1 applied=$(uptime_s)" >"$1/start.txt"
		[ "$(state)" = enabled ]
		return
	fi
	# shellcheck disable=SC2086 # split into arguments
	/opt/vsched/bpf/vsched-loader sched -d 86400 ${VSCHED_LOADER_ARGS:-} >"$1/loader.txt" 2>&1 &
	vpid=$!
	await_enabled $vpid
}

stop_vsched() { # $1: run directory
	if [ "$sched" = agent ]; then
		$JAVA status --json --run-dir "$run" >"$1/status-end.json" 2>/dev/null
		kill -TERM $vpid
	else
		kill -INT $vpid
	fi
	wait $vpid
	echo "stop_rc=$?" >>"$1/vsched.txt"
	await_state disabled 10
	echo "state_after=$(state)" >>"$1/vsched.txt"
}

run_workload() { # $1: run directory
	cyc=""
	if [ "$workload" = mixed ]; then
		cyclictest --mlockall --quiet --threads="$(nproc)" --interval=1000 \
			--duration="$secs" --histogram=200000 --json="$1/cyclictest.json" >/dev/null 2>"$1/cyclictest.err" &
		cyc=$!
	fi
	grep '^cpu' /proc/stat >"$1/stat-before.txt"
	sysbench cpu --threads="$threads" --time="$secs" --cpu-max-prime=10000 run >"$1/sysbench.txt" 2>&1
	rc=$?
	grep '^cpu' /proc/stat >"$1/stat-after.txt"
	if [ -n "$cyc" ]; then
		wait "$cyc" || rc=$((rc + 100))
	fi
	return $rc
}

: >"$out/runs.txt"
fail=0
n=0
r=1
while [ $r -le "$rounds" ]; do
	if [ $((r % 2)) -eq 1 ]; then order="default vsched"; else order="vsched default"; fi
	for mode in $order; do
		n=$((n + 1))
		d="$out/runs/$(printf %02d $n)-$mode"
		mkdir -p "$d"
		if [ "$mode" = vsched ]; then
			start_vsched "$d" || {
				echo "$(printf %02d $n) $mode rc=start-failed" >>"$out/runs.txt"
				die "vsched did not start (run $n): $(cat "$d/agent.log" "$d/loader.txt" 2>/dev/null | tail -5)"
			}
			sleep "$settle"
			t0=$(cpu_ticks $vpid)
			thread_ticks $vpid >"$d/threads-before.txt"
		fi
		# sample sched_ext's state each second beside the workload
		(while :; do echo "$(cut -d' ' -f1 /proc/uptime) $(state)"; sleep 1; done) >"$d/states.txt" &
		spid=$!
		run_workload "$d"
		rc=$?
		kill $spid
		wait $spid 2>/dev/null
		if [ "$mode" = vsched ]; then
			echo "vsched_cpu_ticks=$(($(cpu_ticks $vpid) - t0)) clk_tck=$(getconf CLK_TCK)" >"$d/vsched.txt"
			thread_ticks $vpid >"$d/threads-after.txt"
			thread_delta "$d/threads-before.txt" "$d/threads-after.txt" >"$d/threads.txt"
			if grep -qv ' enabled$' "$d/states.txt"; then
				echo "detached during the run: $(grep -v ' enabled$' "$d/states.txt" | head -1)" >>"$d/vsched.txt"
				rc=99
			fi
			stop_vsched "$d"
		fi
		echo "$(printf %02d $n) $mode rc=$rc" >>"$out/runs.txt"
		[ $rc -eq 0 ] || fail=1
		grep -E 'events per second|95th percentile' "$d/sysbench.txt" | tr -s ' ' | sed "s/^/$n $mode:/"
	done
	r=$((r + 1))
done
cat "$out/runs.txt"
exit $fail
