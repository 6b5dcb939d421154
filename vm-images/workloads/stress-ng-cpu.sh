#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# CPU stressor throughput: VSCHED_THREADS (default nproc) cpu workers for
# VSCHED_SECONDS (default 10). Output: stress-ng.yaml (metrics); rc = stress-ng's rc.
set -eu
stress-ng --cpu "${VSCHED_THREADS:-$(nproc)}" --cpu-method "${VSCHED_METHOD:-matrixprod}" \
	--timeout "${VSCHED_SECONDS:-10}s" --metrics-brief --yaml "$VSCHED_OUT/stress-ng.yaml"
