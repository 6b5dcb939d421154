#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vsched.ko in a guest (7.2 or 6.1): insmod, the root-only per-vCPU sysfs
# view reads for every possible vCPU, the BPF vACT programs use the module's
# kfuncs while it is loaded (7.2, where the module has BTF), rmmod removes
# everything, and the kernel logged nothing above notice level except the
# expected out-of-tree/unsigned taint lines. With sched_ext, the scheduler
# (whose struct_ops programs call the kfuncs) also loads and runs with it.
# Writes sysfs.txt, vact.txt and sched.txt (7.2), checks.txt, dmesg-new.txt.
# rc 0 iff all passed.
set -eu
# busybox ash has pipefail; POSIX sh does not
# shellcheck disable=SC3040
set -o pipefail
TEST=kmod-basic
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ko=/opt/vsched/kmod/vsched.ko
sys=/sys/kernel/vsched

[ -f "$ko" ] || die "$ko missing (kmod/build/<series>/vsched.ko not built or not packed)"
: >"$out/checks.txt"
kver=$(uname -r)
dmesg -r >"$out/dmesg-before.txt"
before=$(wc -l <"$out/dmesg-before.txt")

if ! insmod "$ko"; then
	bad insmod
	cat "$out/checks.txt"
	exit 1
fi
pass insmod
check listed grep -q '^vsched ' /proc/modules
expect intf_version "$(cat $sys/intf_version)" 1
expect mode_root_only "$(stat -c %a $sys/cpu0/steal_ns)" 400
kf=$(cat $sys/kfuncs)
case "$kver" in
6.1.*) expect kfuncs "$kf" 0 ;;	# bookworm headers carry no vmlinux: no module BTF
*) expect kfuncs "$kf" 1 ;;
esac

# every possible vCPU has a directory with sane values
possible=$(cat /sys/devices/system/cpu/possible)
ncpu=0
: >"$out/sysfs.txt"
for d in "$sys"/cpu*; do
	c=${d##*/cpu}
	on=$(cat "$d/online")
	pre=$(cat "$d/preempted")
	st=$(cat "$d/steal_ns")
	echo "cpu=$c online=$on preempted=$pre steal_ns=$st" >>"$out/sysfs.txt"
	ncpu=$((ncpu + 1))
	case "$on" in 0 | 1) ;; *) bad "cpu$c online='$on'" ;; esac
	case "$pre" in 0 | 1 | unsupported) ;; *) bad "cpu$c preempted='$pre'" ;; esac
	case "$st" in '' | *[!0-9]*) bad "cpu$c steal_ns='$st'" ;; esac
done
last=${possible##*-}
expect cpu_dirs "$ncpu" $((last + 1))
# TCG has no paravirt preempted flag
expect pv_preempt "$(cat $sys/pv_preempt)" 0
expect preempted_cpu0 "$(cat $sys/cpu0/preempted)" unsupported

# the BPF side picks the kfuncs up while the module is loaded
if [ "$kf" = 1 ]; then
	if [ -x "$bin/vsched-loader" ] && [ -f "$bin/vsched_vact.bpf.o" ]; then
		# a pinned busy loop per vCPU: idle vCPUs are tickless and report nothing
		loops=""
		for c in $(seq 0 $(($(nproc) - 1))); do
			taskset -c "$c" sh -c 'while :; do :; done' &
			loops="$loops $!"
		done
		check vact_loader "$bin/vsched-loader" vact -d 2 >"$out/vact.txt" 2>&1
		for p in $loops; do kill "$p"; done
		for p in $loops; do wait "$p" 2>/dev/null || true; done
		k=$(grep -c 'kmod_steal=1' "$out/vact.txt" || true)
		expect vact_kmod_steal_cpus "$k" "$(nproc)"
	else
		bad "vsched-loader or vsched_vact.bpf.o missing"
	fi
	# the scheduler's struct_ops programs call the kfuncs too
	if [ -d "$scx" ]; then
		check sched_with_kmod "$bin/vsched-loader" sched -d 2 >"$out/sched.txt" 2>&1
		check sched_kmod_steal grep -q 'kmod_steal=1' "$out/sched.txt"
	fi
fi

# BPF programs drop their module reference after an RCU grace period: retry
tries=0
until rmmod vsched 2>"$out/rmmod.err"; do
	tries=$((tries + 1))
	[ $tries -lt 50 ] || break
	sleep 0.1
done
check "rmmod (retries=$tries) $(cat "$out/rmmod.err")" [ $tries -lt 50 ]
check unlisted not grep -q '^vsched ' /proc/modules
check sysfs_removed not [ -e $sys ]

# new kernel messages: nothing at warning level or above except the taint
# notes and clocksource complaints (TCG on a loaded host skews the TSC)
dmesg -r | tail -n +$((before + 1)) >"$out/dmesg-new.txt"
if grep -E '^<[0-4]>' "$out/dmesg-new.txt" |
	grep -vE 'loading out-of-tree module taints kernel|module verification failed|clocksource:' \
		>"$out/dmesg-bad.txt"; then
	bad "dmesg: $(head -3 "$out/dmesg-bad.txt")"
else
	pass "dmesg clean ($(wc -l <"$out/dmesg-new.txt") new lines)"
fi
check "load logged" grep -q 'vsched: loaded' "$out/dmesg-new.txt"
cat "$out/checks.txt"
exit $fail
