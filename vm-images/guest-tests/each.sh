#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Several guest tests in one boot (the VM tests' shared boots): runs /tests/<name>.sh
# for each name in VSCHED_TESTS (vsched.tests="a b c"), in that order, each as /init
# runs a lone test (cwd /tmp, no stdin, stdout and stderr to its log) but with
# VSCHED_OUT=$VSCHED_OUT/<name>/, so every test's files, its log <name>/<name>.log
# and its exit status <name>/rc come back apart. The console shows
# "vsched-each: <name> started" and "vsched-each: <name> finished rc=<rc>".
# rc 0 iff every test ran and exited 0; a missing script gives that test rc 127.
set -u
[ -n "${VSCHED_TESTS:-}" ] || { echo "each: no vsched.tests on the kernel command line"; exit 127; }
all=0
for t in $VSCHED_TESTS; do
	dir="$VSCHED_OUT/$t"
	mkdir -p "$dir"
	echo "vsched-each: $t started uptime=$(cut -d' ' -f1 /proc/uptime)" >/dev/console
	if [ -f "/tests/$t.sh" ]; then
		(cd /tmp && VSCHED_OUT="$dir" exec sh "/tests/$t.sh") >"$dir/$t.log" 2>&1 </dev/null
		rc=$?
	else
		echo "each: no test script /tests/$t.sh" >"$dir/$t.log"
		rc=127
	fi
	echo "$rc" >"$dir/rc"
	echo "vsched-each: $t finished rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)" >/dev/console
	echo "$t rc=$rc"
	[ "$rc" = 0 ] || all=1
done
exit $all
