#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# IPC and context-switch throughput: stress-ng's pipe, switch and futex
# stressors (VSCHED_STRESSORS, default "pipe switch futex"), one after the
# other, each with VSCHED_THREADS (default nproc) instances for VSCHED_SECONDS
# (default 10). Output: stress-ng-<stressor>.yaml each (metrics: bogo-ops,
# bogo-ops-per-second-real-time, ...). rc 0 iff every stressor's run succeeded.
set -u
rc=0
for s in ${VSCHED_STRESSORS:-pipe switch futex}; do
	stress-ng --"$s" "${VSCHED_THREADS:-$(nproc)}" --timeout "${VSCHED_SECONDS:-10}s" \
		--metrics-brief --yaml "$VSCHED_OUT/stress-ng-$s.yaml" 2>&1 | grep -E 'metrc|error|fail' || true
	grep -q "stressor: $s" "$VSCHED_OUT/stress-ng-$s.yaml" 2>/dev/null || { echo "$s: no metrics" >&2; rc=1; }
done
exit $rc
