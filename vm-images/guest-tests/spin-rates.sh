#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Ground-truth check that needs no Java: one busy loop pinned to every vCPU, all
# at once, for VSCHED_SPIN_SECONDS (default 6). Each loop's count is proportional
# to the host time its vCPU got, so the counts' ratios show the imposed shares.
# Writes spin.txt with lines "cpu=<n> count=<loops>"; rc 0 iff every vCPU reported.
set -eu
secs=${VSCHED_SPIN_SECONDS:-6}
n=$(nproc)
dir=$(mktemp -d)
pids=""
i=0
while [ "$i" -lt "$n" ]; do
	# The count is written when the loop is told to stop (ash runs traps between commands).
	# shellcheck disable=SC2016 # $c and $1 belong to the inner shell
	taskset -c "$i" sh -c 'c=0; trap "echo \$c >$1; exit 0" TERM; while :; do c=$((c + 1)); done' \
		sh "$dir/$i" &
	pids="$pids $!"
	i=$((i + 1))
done
sleep "$secs"
# shellcheck disable=SC2086 # a list of pids
kill -TERM $pids
wait || true
out="$VSCHED_OUT/spin.txt"
: >"$out"
i=0
while [ "$i" -lt "$n" ]; do
	[ -s "$dir/$i" ] || { echo "vCPU $i reported no count"; exit 1; }
	echo "cpu=$i count=$(cat "$dir/$i")" >>"$out"
	i=$((i + 1))
done
cat "$out"
