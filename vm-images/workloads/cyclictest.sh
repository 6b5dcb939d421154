#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Wake-up latency: cyclictest, one SCHED_OTHER thread per vCPU (VSCHED_PRIO=N
# for SCHED_FIFO), interval VSCHED_INTERVAL_US (default 1000) for VSCHED_SECONDS
# (default 10). Output: cyclictest.json (per-thread min/avg/max, histogram);
# rc = cyclictest's rc (stdout, the same histogram as text, is dropped).
set -eu
prio=""
[ -z "${VSCHED_PRIO:-}" ] || prio="--priority=$VSCHED_PRIO"
# shellcheck disable=SC2086 # prio is empty or one word
cyclictest --mlockall --smp --quiet $prio --interval="${VSCHED_INTERVAL_US:-1000}" \
	--duration="${VSCHED_SECONDS:-10}" --histogram=10000 \
	--json="$VSCHED_OUT/cyclictest.json" >/dev/null
# The histogram is in the JSON; the log gets the per-thread summary.
grep -E '"(min|avg|max)"' "$VSCHED_OUT/cyclictest.json"
