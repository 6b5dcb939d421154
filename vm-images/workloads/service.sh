#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A mixed service: latency-sensitive requests beside batch threads. rrbench at
# a fixed rate (VSCHED_RATE, default 20 batches per second per client;
# VSCHED_CLIENTS 2, VSCHED_WORKERS 2, VSCHED_WORK_US 200) and, started with it
# for the same VSCHED_SECONDS (default 10), VSCHED_BATCH (default nproc)
# CPU-bound stress-ng workers (VSCHED_METHOD, default matrixprod).
# Output: rrbench.txt (the requests, as rrbench.sh) and batch.yaml (stress-ng's
# metrics of the batch side: bogo-ops-per-second-real-time). rc 0 iff both ran.
set -u
PATH=/opt/eval/bin:$PATH # perf, rrbench (eval-tools.sh)
secs=${VSCHED_SECONDS:-10}
warm=${VSCHED_WARMUP:-1}
[ "$secs" -ge 3 ] || warm=${VSCHED_WARMUP:-0}
stress-ng --cpu "${VSCHED_BATCH:-$(nproc)}" --cpu-method "${VSCHED_METHOD:-matrixprod}" \
	--timeout "${secs}s" --metrics-brief --yaml "$VSCHED_OUT/batch.yaml" >"$VSCHED_OUT/batch.log" 2>&1 &
bpid=$!
rrbench -c "${VSCHED_CLIENTS:-2}" -w "${VSCHED_WORKERS:-2}" -u "${VSCHED_WORK_US:-200}" \
	-r "${VSCHED_RATE:-20}" -s "$secs" -W "$warm" >"$VSCHED_OUT/rrbench.txt"
rc=$?
wait $bpid || rc=$((rc + 100))
cat "$VSCHED_OUT/rrbench.txt"
grep 'bogo-ops-per-second-real-time' "$VSCHED_OUT/batch.yaml"
exit $rc
