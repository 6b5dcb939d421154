#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Edge cases of the vsched scheduler (kernel with sched_ext, >= 2 vCPUs):
#   bad input: vsched-loader refuses an out-of-range CPU, a bad capacity and
#              an unknown policy bit with a message naming it, and leaves
#              sched_ext disabled;
#   hide-all:  hiding every vCPU is refused by the scheduler (RWC off): busy
#              loops keep running, no ejection, rwc_avoid stays 0;
#   no-policy: policies 0 (a plain vtime scheduler) runs a load, no ejection.
# Writes edge-*.txt, checks.txt. rc 0 iff all passed.
set -eu
# busybox ash has pipefail; POSIX sh does not
# shellcheck disable=SC3040
set -o pipefail
TEST=sched-edge
# shellcheck source=../../vm-images/guest-tests/lib.sh
. "$(dirname "$0")/lib.sh"

need_scheduler 2
: >"$out/checks.txt"

# refuse ARGS... EXPECTED-TEXT: the loader must fail naming the problem
refuse() {
	want=$1
	shift
	rc=0
	"$bin/vsched-loader" sched -d 1 "$@" >"$out/edge-bad.txt" 2>&1 || rc=$?
	check "bad input '$*' refused (rc=$rc)" [ "$rc" = 1 ]
	check "bad input '$*' names '$want'" grep -q "$want" "$out/edge-bad.txt"
	check "bad input '$*' left sched_ext $(state)" [ "$(state)" = disabled ]
}
refuse "CPU in -H" -H "$n"
refuse "capacity in -C" -C 0:5000
refuse "policies (-P)" -P 99

# load NAME ARGS...: a busy loop per vCPU under the scheduler; sets stats
load() {
	name=$1
	shift
	attach_sched "$name" "$out/edge-$name.txt" -d 6 "$@"
	start_loops
	# shellcheck disable=SC2016 # expanded by the inner sh
	sh -c 'i=0; while [ $i -lt 5000 ]; do i=$((i + 1)); done; echo finished' >"$out/edge-$name-work.txt"
	# shellcheck disable=SC2086 # a pid list
	stop_tasks $loops
	check "$name: work finished under load" grep -q finished "$out/edge-$name-work.txt"
	detach_sched "$name" "$out/edge-$name.txt"
}

load hide-all -H "0-$((n - 1))"
check "hide-all: rwc_avoid=$(num rwc_avoid) = 0 (RWC refused)" [ "$(num rwc_avoid)" = 0 ]
load no-policy -P 0
check "no-policy: bvs_pick=$(num bvs_pick) ivh_move=$(num ivh_move) = 0" \
	[ "$(num bvs_pick)$(num ivh_move)" = 00 ]
cat "$out/checks.txt"
exit $fail
