#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vsched.ko in a guest (7.2 or 6.1): insmod, the root-only per-vCPU sysfs
# view reads for every possible vCPU, every sysfs file has the mode the module
# declares and no other file is there, a non-root reader (nobody, through
# busybox su) is refused every file, the BPF vACT programs use the module's
# kfuncs while it is loaded (7.2, where the module has BTF), rmmod removes
# everything, and the kernel logged nothing above notice level except the
# expected out-of-tree/unsigned taint lines. With sched_ext, the scheduler
# (whose struct_ops programs call the kfuncs) also loads and runs with it.
# Writes sysfs.txt, sysfs-modes.txt (declared), sysfs-files.txt (found),
# vact.txt and sched.txt (7.2), checks.txt, dmesg-new.txt.
# rc 0 iff all passed.
set -eu
# busybox ash has pipefail; POSIX sh does not
# shellcheck disable=SC3040
set -o pipefail
TEST=kmod-basic
# shellcheck source=../../vm-images/guest-tests/lib.sh
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

# Every sysfs file has the mode vsched_main.c declares (__ATTR(name, MODE, ...)),
# and no other file is there. All are root-only.
root_files="intf_version:400 pv_preempt:400 kfuncs:400"
cpu_files="online:400 preempted:400 steal_ns:400"
for fm in $root_files; do
	echo "${fm%%:*} ${fm#*:}"
done >"$out/sysfs-modes.txt"
for d in "$sys"/cpu*; do
	for fm in $cpu_files; do
		echo "${d##*/}/${fm%%:*} ${fm#*:}"
	done
done >>"$out/sysfs-modes.txt"
find "$sys" -type f | sed "s|^$sys/||" | sort >"$out/sysfs-files.txt"
while read -r f mode; do
	if [ -f "$sys/$f" ]; then
		expect "mode $f" "$(stat -c %a "$sys/$f")" "$mode"
	else
		bad "$sys/$f missing"
	fi
done <"$out/sysfs-modes.txt"
while read -r f; do
	grep -q "^$f " "$out/sysfs-modes.txt" || bad "$sys/$f not declared (mode $(stat -c %a "$sys/$f"))"
done <"$out/sysfs-files.txt"
# A non-root reader (nobody, through su) is refused every one (cat's
# complaint must name the file: su's own failures do not count). It is nobody
# and can read a world-readable sysfs file, so a refusal is the mode's doing.
nonroot() { su -s /bin/sh nobody -c "$1" </dev/null; }
expect nonroot_uid "$(nonroot 'id -u')" 65534
check "nonroot reads /sys/devices/system/cpu/possible" nonroot 'cat /sys/devices/system/cpu/possible >/dev/null'
while read -r f; do
	if nonroot "cat $sys/$f" >/dev/null 2>"$out/nonroot.err"; then
		bad "nonroot read $f"
	elif grep -F "$sys/$f" "$out/nonroot.err" | grep -q 'Permission denied'; then
		pass "nonroot read $f refused"
	else
		bad "nonroot read $f failed otherwise: $(cat "$out/nonroot.err")"
	fi
done <"$out/sysfs-files.txt"
rm -f "$out/nonroot.err"

# the BPF side picks the kfuncs up while the module is loaded
if [ "$kf" = 1 ]; then
	if [ -x "$bin/vsched-loader" ] && [ -f "$bin/vsched_vact.bpf.o" ]; then
		# idle vCPUs are tickless and report nothing
		start_loops pinned
		check vact_loader "$bin/vsched-loader" vact -d 2 >"$out/vact.txt" 2>&1
		# shellcheck disable=SC2086 # a pid list
		stop_tasks $loops
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
