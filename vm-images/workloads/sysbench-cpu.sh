#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# CPU-bound throughput: sysbench cpu, VSCHED_THREADS (default nproc) threads for
# VSCHED_SECONDS (default 10). Output: sysbench-cpu.txt; rc = sysbench's rc.
set -eu
sysbench cpu --threads="${VSCHED_THREADS:-$(nproc)}" --time="${VSCHED_SECONDS:-10}" \
	--cpu-max-prime="${VSCHED_PRIME:-10000}" run >"$VSCHED_OUT/sysbench-cpu.txt"
grep -E 'events per second|total number of events|95th percentile' "$VSCHED_OUT/sysbench-cpu.txt"
