#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Collect the facts that show the guest booted as intended:
# kernel release, sched_ext presence and state, command line, vCPU count,
# loaded modules.
# rc 0 iff every fact was collected.
out="$VSCHED_OUT/boot.txt"
set -e
{
	echo "uname_r=$(uname -r)"
	if [ -d /sys/kernel/sched_ext ]; then
		echo "sched_ext=yes"
		echo "sched_ext_state=$(cat /sys/kernel/sched_ext/state)"
	else
		echo "sched_ext=no"
		echo "sched_ext_state=none"
	fi
	echo "cmdline=$(cat /proc/cmdline)"
	echo "nproc=$(nproc)"
	echo "modules=$(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
} >"$out"
cat "$out"
