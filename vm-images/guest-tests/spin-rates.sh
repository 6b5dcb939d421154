#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Ground-truth check that needs no Java: one busy loop pinned to every vCPU, all
# at once, for VSCHED_SPIN_SECONDS (default 6). A loop's count is proportional to
# the host time its vCPU got, so the counts' ratios show the imposed shares.
# Every second each loop appends its running count (SIGUSR1), so a transient
# disturbance shows up as one odd interval instead of skewing the whole run.
# Writes spin.txt with "cpu=<n> count=<loops>" and spin-intervals.txt with
# "cpu=<n> counts=<c1>,<c2>,..." (running totals), and spin-sched.txt with each
# loop's /proc/PID/schedstat in the guest (run ns, wait ns, slices): a loop that
# counted less without waiting lost host time, not guest time. rc 0 iff every
# vCPU reported.
set -eu
secs=${VSCHED_SPIN_SECONDS:-6}
n=$(nproc)
dir=$(mktemp -d)
pids=""
i=0
while [ "$i" -lt "$n" ]; do
	# ash runs traps between commands, so the loop itself stays a tight increment.
	# shellcheck disable=SC2016 # $c and $1 belong to the inner shell
	taskset -c "$i" sh -c 'c=0
		trap "echo \$c >>$1.seq" USR1
		trap "echo \$c >$1; exit 0" TERM
		while :; do c=$((c + 1)); done' sh "$dir/$i" &
	pids="$pids $!"
	i=$((i + 1))
done
# Lets a host-side test time a layout change against the intervals.
echo "spin-rates: loops started" >/dev/console
s=0
while [ "$s" -lt "$secs" ]; do
	sleep 1
	# shellcheck disable=SC2086 # a list of pids
	kill -USR1 $pids
	s=$((s + 1))
done
# What each loop got of its own vCPU inside the guest (run and wait ns): a loop
# that waited for other guest work counts less without its vCPU getting less.
sched="$VSCHED_OUT/spin-sched.txt"
: >"$sched"
i=0
for pid in $pids; do
	echo "cpu=$i schedstat=$(cat "/proc/$pid/schedstat" 2>/dev/null || echo none)" >>"$sched"
	i=$((i + 1))
done
# shellcheck disable=SC2086 # a list of pids
kill -TERM $pids
wait || true
out="$VSCHED_OUT/spin.txt"
seq="$VSCHED_OUT/spin-intervals.txt"
: >"$out"
: >"$seq"
i=0
while [ "$i" -lt "$n" ]; do
	[ -s "$dir/$i" ] || { echo "vCPU $i reported no count"; exit 1; }
	echo "cpu=$i count=$(cat "$dir/$i")" >>"$out"
	echo "cpu=$i counts=$(paste -s -d, "$dir/$i.seq")" >>"$seq"
	i=$((i + 1))
done
cat "$out" "$seq" "$sched"
