#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Schedulers side by side in one boot: VSCHED_ROUNDS (default 3) rounds, each
# running every workload once under each arm. Arms (VSCHED_ARMS, default
# "default vsched"; spaces or commas):
#   default   the kernel's own scheduler (sched_ext disabled)
#   vsched    `vsched agent` in sched_ext mode (VSCHED_SCHED=agent, the product
#             as a user runs it) or the bare scheduler with no vCPU state
#             (VSCHED_SCHED=loader, with VSCHED_LOADER_ARGS added to its command
#             line, e.g. "-P 0" for no policies: the vtime scheduler alone)
#   scx_NAME  a peer: the kernel's own sched_ext example scheduler packed at
#             /opt/eval/peers/scx_NAME (eval-tools.sh; peers/BUILT lists them),
#             with VSCHED_SCX_NAME_ARGS (upper case) added to its command line
# Every arm but default is started in the background before each of its runs,
# must be attached (sched_ext state "enabled", /sys/kernel/sched_ext/root/ops
# its own: NAME for scx_NAME) before the workload starts and the whole time it
# runs, and is stopped after it (SIGTERM for the agent, SIGINT otherwise) and
# must have detached (state "disabled"). An arm that cannot attach or detach
# fails the experiment at once, the reason in the log (runs.txt's last line
# then reads "NN ARM rc=start-failed"). The order of the arms rotates by one
# each round (round R starts with the R-th arm), so a drift of the host hits
# every arm alike; with two arms it alternates. Workloads (VSCHED_WORKLOAD,
# default cpu; several, separated by spaces or commas, run one after the other
# in every round, each under every arm):
#   cpu     sysbench cpu, VSCHED_THREADS (nproc) threads, VSCHED_SECONDS (20)
#   mixed   the same with cyclictest beside it: one unpinned SCHED_OTHER timer
#           thread per vCPU, 1 ms interval (wake-up latency of light tasks;
#           histogram to 200 ms: under TCG p95 passes 10 ms)
#   NAME    any workload script /tests/NAME.sh (vm-images/workloads: hackbench,
#           perf-sched, stress-ng-ipc, rrbench, service, ...), run with
#           VSCHED_OUT set to the run's directory, its knobs from the same
#           kernel parameters, stdout and stderr to NAME.log there
# Output, one directory per run, runs/NN-ARM/: run.txt ("round=R arm=ARM
# workload=W start=UPTIME end=UPTIME"), the workload's files (cpu and mixed:
# sysbench.txt, cyclictest.json), states.txt (sched_ext state each second),
# stat-before.txt and stat-after.txt (/proc/stat's cpu lines around the
# workload: idle vCPU time while work waited shows there); for every arm but
# default also sched.txt ("arm=", "ops=" as attached, "sched_cpu_ticks=N
# clk_tck=N" over the workload, "stop_rc=", "state_after="), threads.txt (the
# ticks of each of its threads that ran during the workload, most first); for
# vsched also vsched.txt ("vsched_cpu_ticks=N clk_tck=N", stop status),
# agent.log, status-start.json, status-end.json and start.txt (agent) or
# loader.txt; for a peer sched.log (its output). runs.txt lists the runs in
# order ("NN ARM rc=N"). The console gets "sched-compare: round R arm A start"
# as each run starts. VSCHED_SETTLE (default 0) seconds pass between vsched's
# start (agent: its first applied plan) and the workload, so that the agent
# runs past its start-up as a long-running daemon would; its CPU time is
# counted from the workload's start. rc 0 iff every run completed and every
# arm was attached the whole time of its runs.
set -u
TEST=sched-compare
# shellcheck source=../guest-tests/lib.sh
. "$(dirname "$0")/lib.sh"
rounds=${VSCHED_ROUNDS:-3}
secs=${VSCHED_SECONDS:-20}
threads=${VSCHED_THREADS:-$(nproc)}
workloads=$(echo "${VSCHED_WORKLOAD:-cpu}" | tr ',' ' ')
arms=$(echo "${VSCHED_ARMS:-default vsched}" | tr ',' ' ')
sched=${VSCHED_SCHED:-agent}
settle=${VSCHED_SETTLE:-0}
peers=/opt/eval/peers
for w in $workloads; do
	case "$w" in
	cpu | mixed) ;;
	sched-compare | lib | *[!A-Za-z0-9_-]*) die "workload '$w' is not a workload" ;;
	*) [ -f "/tests/$w.sh" ] || die "unknown workload '$w' (cpu, mixed or a /tests/NAME.sh)" ;;
	esac
done
[ -n "$workloads" ] || die "no workload"
for a in $arms; do
	case "$a" in
	default | vsched) ;;
	scx_*) [ -x "$peers/$a" ] || die "peer '$a' is not in $peers (built: $(tr '\n' ' ' <"$peers/BUILT" 2>/dev/null))" ;;
	*) die "unknown arm '$a' (default, vsched, scx_NAME)" ;;
	esac
	[ "$(echo "$arms" | tr ' ' '\n' | grep -cx "$a")" -eq 1 ] || die "arm '$a' named twice"
done
narms=$(echo "$arms" | wc -w)
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
	_rc=$?
	echo "stop_rc=$_rc" >>"$1/vsched.txt"
	echo "stop_rc=$_rc" >>"$1/sched.txt"
	await_state disabled 10
	echo "state_after=$(state)" >>"$1/vsched.txt"
}

run_workload() { # $1: workload, $2: run directory
	case "$1" in
	cpu | mixed) ;;
	*)
		grep '^cpu' /proc/stat >"$2/stat-before.txt"
		VSCHED_OUT="$2" sh "/tests/$1.sh" >"$2/$1.log" 2>&1
		rc=$?
		grep '^cpu' /proc/stat >"$2/stat-after.txt"
		return $rc
		;;
	esac
	cyc=""
	if [ "$1" = mixed ]; then
		cyclictest --mlockall --quiet --threads="$(nproc)" --interval=1000 \
			--duration="$secs" --histogram=200000 --json="$2/cyclictest.json" >/dev/null 2>"$2/cyclictest.err" &
		cyc=$!
	fi
	grep '^cpu' /proc/stat >"$2/stat-before.txt"
	sysbench cpu --threads="$threads" --time="$secs" --cpu-max-prime=10000 run >"$2/sysbench.txt" 2>&1
	rc=$?
	grep '^cpu' /proc/stat >"$2/stat-after.txt"
	if [ -n "$cyc" ]; then
		wait "$cyc" || rc=$((rc + 100))
	fi
	return $rc
}

# $1: arm, $2: run directory. Starts the arm and waits until it is attached;
# sets apid. rc 1 with the reason in $2/attach-error when it does not attach.
start_arm() {
	case "$1" in
	vsched)
		start_vsched "$2"
		_ok=$?
		apid=$vpid
		;;
	scx_*)
		eval "_args=\${VSCHED_$(echo "$1" | tr 'a-z' 'A-Z')_ARGS:-}"
		# shellcheck disable=SC2086,SC2154 # split into arguments; set by eval
		"$peers/$1" $_args >"$2/sched.log" 2>&1 &
		apid=$!
		await_enabled $apid
		_ok=$?
		;;
	esac
	echo "arm=$1" >"$2/sched.txt"
	echo "ops=$(ops)" >>"$2/sched.txt"
	if [ $_ok -ne 0 ]; then
		{
			echo "$1 did not attach: state $(state), ops $(ops), process $(kill -0 "$apid" 2>/dev/null && echo running || echo exited)"
			tail -n 5 "$2/sched.log" "$2/agent.log" "$2/loader.txt" 2>/dev/null
			dmesg | grep -i 'sched_ext' | tail -n 5
		} >"$2/attach-error"
		return 1
	fi
	case "$1" in
	scx_*)
		case "$(ops)" in
		"${1#scx_}" | "${1#scx_}"_*) ;;
		*)
			echo "$1 attached, but ops is '$(ops)'" >"$2/attach-error"
			return 1
			;;
		esac
		;;
	esac
	return 0
}

# $1: arm, $2: run directory. Stops the arm; rc 1 with the reason in
# $2/attach-error when sched_ext is not back to disabled.
stop_arm() {
	case "$1" in
	vsched) stop_vsched "$2" ;;
	scx_*)
		kill -INT "$apid"
		# a peer that ignores SIGINT gets SIGKILL after 30 s (the kernel then detaches it)
		(sleep 30 && kill -KILL "$apid" 2>/dev/null) &
		_wd=$!
		wait "$apid"
		echo "stop_rc=$?" >>"$2/sched.txt"
		kill "$_wd" 2>/dev/null
		await_state disabled 10
		;;
	esac
	echo "state_after=$(state)" >>"$2/sched.txt"
	if [ "$(state)" != disabled ]; then
		echo "$1 did not detach: state $(state), ops $(ops)" >"$2/attach-error"
		return 1
	fi
}

# the arms in round $1's order: rotated left by R-1
rotation() {
	_k=$((($1 - 1) % narms))
	# shellcheck disable=SC2086 # a list of words
	set -- $arms
	while [ $_k -gt 0 ]; do
		_a=$1
		shift
		set -- "$@" "$_a"
		_k=$((_k - 1))
	done
	echo "$*"
}

: >"$out/runs.txt"
fail=0
n=0
r=1
while [ $r -le "$rounds" ]; do
	order=$(rotation $r)
	for w in $workloads; do
		for arm in $order; do
			n=$((n + 1))
			nn=$(printf %02d $n)
			d="$out/runs/$nn-$arm"
			mkdir -p "$d"
			echo "sched-compare: round $r arm $arm start" >/dev/console
			t_start=$(uptime_s)
			if [ "$arm" != default ]; then
				start_arm "$arm" "$d" || {
					echo "$nn $arm rc=start-failed" >>"$out/runs.txt"
					die "run $n (round $r, $w): $(cat "$d/attach-error")"
				}
				[ "$arm" != vsched ] || sleep "$settle"
				t0=$(cpu_ticks $apid)
				thread_ticks $apid >"$d/threads-before.txt"
			fi
			# sample sched_ext's state each second beside the workload
			(while :; do echo "$(cut -d' ' -f1 /proc/uptime) $(state)"; sleep 1; done) >"$d/states.txt" &
			spid=$!
			run_workload "$w" "$d"
			rc=$?
			kill $spid
			wait $spid 2>/dev/null
			if [ "$arm" != default ]; then
				ticks="$(($(cpu_ticks $apid) - t0)) clk_tck=$(getconf CLK_TCK)"
				echo "sched_cpu_ticks=$ticks" >>"$d/sched.txt"
				[ "$arm" != vsched ] || echo "vsched_cpu_ticks=$ticks" >"$d/vsched.txt"
				thread_ticks $apid >"$d/threads-after.txt"
				thread_delta "$d/threads-before.txt" "$d/threads-after.txt" >"$d/threads.txt"
				if grep -qv ' enabled$' "$d/states.txt"; then
					echo "detached during the run: $(grep -v ' enabled$' "$d/states.txt" | head -1)" >>"$d/sched.txt"
					rc=99
				fi
				stop_arm "$arm" "$d" || {
					echo "$nn $arm rc=98" >>"$out/runs.txt"
					die "run $n (round $r, $w): $(cat "$d/attach-error")"
				}
			elif grep -qv ' disabled$' "$d/states.txt"; then
				rc=99 # something else attached a scheduler during a default run
			fi
			echo "round=$r arm=$arm workload=$w start=$t_start end=$(uptime_s)" >"$d/run.txt"
			echo "$nn $arm rc=$rc" >>"$out/runs.txt"
			[ $rc -eq 0 ] || fail=1
			echo "run $n round $r $w $arm rc=$rc"
			case "$w" in
			cpu | mixed) grep -E 'events per second|95th percentile' "$d/sysbench.txt" | tr -s ' ' | sed "s/^/$n $arm:/" ;;
			*) sed "s/^/$n $arm: /" "$d/$w.log" | tail -8 ;;
			esac
		done
	done
	r=$((r + 1))
done
cat "$out/runs.txt"
exit $fail
