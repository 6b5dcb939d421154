#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# BVS in the vsched scheduler (kernel with sched_ext, >= 3 vCPUs): vCPU 1 is
# given capacity 100/1024; a light task (a shell that sleeps 10 ms in a loop)
# starts pinned to vCPU 1, then may run anywhere, and keeps waking while the
# other vCPUs are mostly idle. Two runs:
#   bvs:    all policies: its wakeups leave vCPU 1 (at most 10% of the
#           samples of its CPU there), bvs_pick >= 1;
#   no-bvs: IVH|RWC (control): bvs_pick = 0, and the waker is on vCPU 1 at
#           least as often as under BVS (the kernel's default tends to keep
#           the idle prev_cpu; recorded in checks.txt).
# Neither run may be ejected.
# Writes sched-<run>.txt, checks.txt. rc 0 iff all passed.
set -eu
# busybox ash has pipefail; POSIX sh does not
# shellcheck disable=SC3040
set -o pipefail
TEST=sched-bvs
# shellcheck source=../../vm-images/guest-tests/lib.sh
. "$(dirname "$0")/lib.sh"

need_scheduler 3
: >"$out/checks.txt"

# run NAME POLICIES: sets on1 (samples of the waker on vCPU 1 out of 30) and stats
run() {
	attach_sched "$1" "$out/sched-$1.txt" -d 7 -C 1:100 -P "$2"
	# shellcheck disable=SC2016 # expanded by the inner sh
	sample_task 1 0.3 30 'i=0; while [ $i -lt 400 ]; do sleep 0.01; i=$((i + 1)); done'
	on1=$hits
	detach_sched "$1" "$out/sched-$1.txt"
}

run bvs 7
check "bvs: waker on low-capacity vCPU 1 in $on1/30 samples (wanted <= 3)" [ "$on1" -le 3 ]
check "bvs: bvs_pick=$(num bvs_pick) >= 1" [ "$(num bvs_pick)" -ge 1 ]
bvs_on1=$on1
run no-bvs 6
# The kernel's default usually keeps an idle prev_cpu (12-14 of 30 on an idle
# host) but a loaded host perturbs it (2 of 30 seen), so only the order is
# asserted: without BVS the waker is not *less* often on the weak vCPU.
check "no-bvs: waker on vCPU 1 in $on1/30 samples (wanted >= bvs run's $bvs_on1)" \
	[ "$on1" -ge "$bvs_on1" ]
check "no-bvs: bvs_pick=$(num bvs_pick) = 0" [ "$(num bvs_pick)" = 0 ]
cat "$out/checks.txt"
exit $fail
