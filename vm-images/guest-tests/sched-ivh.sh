#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# IVH in the vsched scheduler (kernel with sched_ext, >= 2 vCPUs): vCPU 0 is
# given capacity 300/1024 (below the 0.9 cut-off), a busy loop starts pinned
# to it, builds up its utilisation, then may run anywhere. With the other
# vCPUs idle, IVH must move it off vCPU 0 (ivh_move >= 1) and it must stay
# off (>= 80% of later samples elsewhere), all without an ejection.
# Writes sched.txt, checks.txt. rc 0 iff all passed.
set -eu
# busybox ash has pipefail; POSIX sh does not
# shellcheck disable=SC3040
set -o pipefail
out=$VSCHED_OUT
bin=/opt/vsched/bpf
fail=0
pass() { echo "ok   $*" >>"$out/checks.txt"; }
bad() { echo "FAIL $*" >>"$out/checks.txt"; fail=1; }
check() { # NAME COMMAND... : passes when COMMAND succeeds
	name=$1
	shift
	if "$@"; then pass "$name"; else bad "$name"; fi
}
die() { echo "sched-ivh: $*" >&2; exit 1; }
state() { cat /sys/kernel/sched_ext/state; }

[ -x "$bin/vsched-loader" ] || die "$bin/vsched-loader missing"
[ -d /sys/kernel/sched_ext ] || die "kernel $(uname -r) has no sched_ext"
n=$(nproc)
[ "$n" -ge 2 ] || die "needs at least 2 vCPUs, have $n"
: >"$out/checks.txt"

"$bin/vsched-loader" sched -d 12 -C 0:300 >"$out/sched.txt" 2>&1 &
lpid=$!
i=0
while [ "$(state)" != enabled ] && [ $i -lt 300 ] && kill -0 $lpid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
check "attached ($(state))" [ "$(state)" = enabled ]

taskset -c 0 sh -c 'while :; do :; done' &
hog=$!
sleep 1
taskset -p -c "0-$((n - 1))" $hog >/dev/null
sleep 1
samples=0
off0=0
for _ in $(seq 1 20); do
	sleep 0.1
	cpu=$(cut -d' ' -f39 "/proc/$hog/stat")
	samples=$((samples + 1))
	[ "$cpu" = 0 ] || off0=$((off0 + 1))
done
kill $hog
wait $hog 2>/dev/null || true
echo "samples=$samples off_cpu0=$off0" >>"$out/checks.txt"
check "hog off vCPU 0 in $off0/$samples samples (wanted >= 80%)" [ $((off0 * 100)) -ge $((samples * 80)) ]
check "still enabled ($(state))" [ "$(state)" = enabled ]

lrc=0
wait $lpid || lrc=$?
check "loader rc=$lrc" [ "$lrc" = 0 ]
stats=$(grep '^stats ' "$out/sched.txt" || true)
num() { v=$(echo "$stats" | tr ' ' '\n' | sed -n "s/^$1=//p"); echo "${v:-0}"; }
check "ivh_move=$(num ivh_move) >= 1" [ "$(num ivh_move)" -ge 1 ]
check "ivh_scan=$(num ivh_scan) >= 1" [ "$(num ivh_scan)" -ge 1 ]
cat "$out/checks.txt"
exit $fail
