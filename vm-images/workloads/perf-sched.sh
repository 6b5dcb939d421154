#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# IPC and wake-up throughput with perf bench (sid's linux-perf of the guest
# kernel's version, packed at /opt/eval/perf):
#   perf bench sched pipe       VSCHED_PIPE_LOOPS (default 20000) round trips
#                               between two processes over a pair of pipes
#   perf bench sched messaging  VSCHED_MSG_GROUPS (default 2) groups of 20
#                               senders and 20 receivers (processes; threads
#                               with VSCHED_MSG_THREADS=1), VSCHED_MSG_LOOPS
#                               (default 20) messages per sender and receiver
# Output: perf-pipe.txt and perf-messaging.txt, perf's own text ("Total time:
# S [sec]"; pipe also "N usecs/op" and "N ops/sec"). rc 0 iff both ran and
# printed their total time.
set -u
PATH=/opt/eval/bin:$PATH # perf, rrbench (eval-tools.sh)
rc=0
perf bench sched pipe -l "${VSCHED_PIPE_LOOPS:-20000}" >"$VSCHED_OUT/perf-pipe.txt" 2>&1 || rc=1
t=""
[ "${VSCHED_MSG_THREADS:-0}" = 0 ] || t=-t
# shellcheck disable=SC2086 # t is empty or one word
perf bench sched messaging $t -g "${VSCHED_MSG_GROUPS:-2}" -l "${VSCHED_MSG_LOOPS:-20}" \
	>"$VSCHED_OUT/perf-messaging.txt" 2>&1 || rc=1
for f in perf-pipe perf-messaging; do
	grep -q 'Total time:' "$VSCHED_OUT/$f.txt" || { echo "$f: no total time" >&2; rc=1; }
	grep -E 'Total time|usecs/op|ops/sec' "$VSCHED_OUT/$f.txt" | sed "s/^ */$f: /"
done
exit $rc
