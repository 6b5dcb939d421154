#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Request/response latency and throughput together, schbench-style: rrbench
# (vm-images/workloads/rrbench) with VSCHED_CLIENTS (default 2) client threads
# each posting requests to VSCHED_WORKERS (default 2) worker threads, a request
# being VSCHED_WORK_US (default 50) us of CPU work, closed loop or
# VSCHED_RATE batches per second per client, for VSCHED_SECONDS (default 10)
# of which VSCHED_WARMUP (default 1, 0 for runs under 3 s) are not counted.
# Output: rrbench.txt (see rrbench.c: "requests count= seconds= rps=",
# "request_us min= p50= p90= p99= p99.9= max= mean=", "wakeup_us ..."); rc = rrbench's.
set -u
PATH=/opt/eval/bin:$PATH # perf, rrbench (eval-tools.sh)
secs=${VSCHED_SECONDS:-10}
warm=${VSCHED_WARMUP:-1}
[ "$secs" -ge 3 ] || warm=${VSCHED_WARMUP:-0}
rrbench -c "${VSCHED_CLIENTS:-2}" -w "${VSCHED_WORKERS:-2}" -u "${VSCHED_WORK_US:-50}" \
	-r "${VSCHED_RATE:-0}" -s "$secs" -W "$warm" >"$VSCHED_OUT/rrbench.txt"
rc=$?
cat "$VSCHED_OUT/rrbench.txt"
exit $rc
