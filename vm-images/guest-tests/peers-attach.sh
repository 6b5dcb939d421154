#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Which peer schedulers (eval image: /opt/eval/peers, eval-tools.sh) attach on
# this kernel: each in turn (VSCHED_PEERS, default all in peers/BUILT) is
# started, must reach sched_ext state "enabled" with its own ops name within
# 30 s, runs a short hackbench (VSCHED_LOOPS, default 20 loops) while
# attached, and is stopped with SIGINT and must detach (state "disabled")
# within 10 s. Output: peers.txt, one line per peer
#   "scx_NAME attach=ok|fail ops=OPS load_rc=N stop_rc=N detach=ok|fail"
# and scx_NAME.log (its output); checks.txt; rc 0 iff every peer attached and
# detached.
set -u
TEST=peers-attach
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
peers=/opt/eval/peers
[ -d "$scx" ] || die "kernel $(uname -r) has no sched_ext"
[ -f "$peers/BUILT" ] || die "no $peers/BUILT (not the eval image?)"
scx_dump_arm
: >"$out/peers.txt"
for p in ${VSCHED_PEERS:-$(cat "$peers/BUILT")}; do
	echo "peers-attach: $p" >/dev/console
	"$peers/$p" >"$out/$p.log" 2>&1 &
	pid=$!
	att=fail
	await_enabled $pid && att=ok
	o=$(ops)
	lrc=-
	[ $att = fail ] || { hackbench -g 2 -l "${VSCHED_LOOPS:-20}" >>"$out/$p.log" 2>&1; lrc=$?; }
	kill -INT $pid 2>/dev/null
	(sleep 30 && kill -KILL $pid 2>/dev/null) &
	wd=$!
	wait $pid
	src=$?
	kill $wd 2>/dev/null
	det=fail
	await_state disabled 10 && det=ok
	echo "$p attach=$att ops=$o load_rc=$lrc stop_rc=$src detach=$det" | tee -a "$out/peers.txt"
	check "$p attached (ops=$o)" [ $att = ok ]
	check "$p detached" [ $det = ok ]
	[ $det = ok ] || break
done
check_dmesg
cat "$out/checks.txt"
exit $fail
