#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run `vsched probe --json` once; extra arguments come from
# vsched.probe_args="..." on the kernel command line (VSCHED_PROBE_ARGS).
# "probe: timeline started" and "probe: timeline ended" go to the console when
# the probe's timeline threads (vCAP/vACT, one spinning on each vCPU) appear
# and when they are gone, so a host-side test can measure what the host gave
# each vCPU thread in that window (it ends when the threads do).
# The JVM runs with probe's options from jvm-flags, as the launcher runs it.
# rc is java's rc.
TEST=probe
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2086 # VSCHED_PROBE_ARGS is a list of words on purpose
$(vsched_java probe) probe --json ${VSCHED_PROBE_ARGS:-} >"$VSCHED_OUT/probe.json" 2>"$VSCHED_OUT/probe.err" &
jpid=$!
# thread names are cut to 15 characters: "vsched-timeline-<cpu>" reads "vsched-timeline"
timeline() { grep -qsx 'vsched-timeline' /proc/$jpid/task/*/comm; }
seen=no
while kill -0 $jpid 2>/dev/null; do
	if [ $seen = no ] && timeline; then
		echo "probe: timeline started" >/dev/console
		seen=yes
	elif [ $seen = yes ] && ! timeline; then
		echo "probe: timeline ended" >/dev/console
		break
	fi
	sleep 0.05
done
wait $jpid
