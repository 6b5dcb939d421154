#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Scheduler wake-up throughput: hackbench with VSCHED_GROUPS (default 4) groups
# and VSCHED_LOOPS (default 200) loops, VSCHED_RUNS (default 3) times.
# Output: hackbench.txt, one "Time: <s>" line per run; rc 0 iff every run finished.
set -eu
i=0
: >"$VSCHED_OUT/hackbench.txt"
while [ "$i" -lt "${VSCHED_RUNS:-3}" ]; do
	# shellcheck disable=SC2086 # extra arguments are a list of words
	hackbench -g "${VSCHED_GROUPS:-4}" -l "${VSCHED_LOOPS:-200}" ${VSCHED_HACKBENCH_ARGS:-} |
		tee -a "$VSCHED_OUT/hackbench.txt"
	i=$((i + 1))
done
[ "$(grep -c '^Time:' "$VSCHED_OUT/hackbench.txt")" -eq "${VSCHED_RUNS:-3}" ]
