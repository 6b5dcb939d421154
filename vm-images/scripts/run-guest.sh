#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot one test guest the way the Java harness does and decode its results:
#   run-guest.sh [--eval] SERIES TEST [vsched.KEY=VALUE ...]
# (--eval boots build/eval-SERIES.img from NVMe instead of the initramfs).
# e.g. run-guest.sh 7.2 boot-check, run-guest.sh 6.1 probe 'vsched.probe_args="--duration 1s"'.
# Files the guest sent on ttyS1 land in vm-images/build/runs/SERIES-TEST/out/,
# next to console.log and results.log. Exit status: the test's rc, 124 when
# QEMU timed out, 125 when the results channel was incomplete.
# Environment: VSCHED_SMP (2), VSCHED_MEM (1G), VSCHED_TCG_THREAD (single),
# VSCHED_TIMEOUT (120 s), VSCHED_APPEND (extra kernel parameters).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { die "usage: run-guest.sh [--eval] SERIES TEST [vsched.KEY=VALUE ...]"; }
eval_img=0
[[ ${1:-} != --eval ]] || { eval_img=1; shift; }
(($# >= 2)) || usage
series=$1 test=$2
shift 2
[[ $test =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad test name '$test'"
kdir="$BUILD/kernels/$series"
[[ -f $kdir/vmlinuz ]] || die "no kernel $series: run vm-images/scripts/prepare.sh $series"
need_cmd qemu-system-x86_64 timeout base64
if ((eval_img)); then
	img="$BUILD/eval-$series.img"
	[[ -f $img ]] || die "no $img: run vm-images/scripts/eval-image.sh $series"
	# snapshot=on: the image stays as built, every run starts from the same state.
	boot=(-drive "file=$img,format=raw,if=none,id=root,snapshot=on"
		-device "nvme,drive=root,serial=vsched-root")
	root="root=/dev/nvme0n1 ro rootwait init=/init"
	run="$BUILD/runs/eval-$series-$test"
else
	initrd="$BUILD/initramfs-$series.cpio"
	[[ -f $initrd ]] || die "no $initrd: run vm-images/scripts/prepare.sh $series"
	boot=(-initrd "$initrd")
	root=""
	run="$BUILD/runs/$series-$test"
fi

rm -rf "$run" && mkdir -p "$run/out"
append="console=ttyS0 panic=-1 quiet $root vsched.test=$test $* ${VSCHED_APPEND:-}"
log "booting $series with: $append"
start=$(date +%s.%N)
rc=0
timeout --foreground -k 5 "${VSCHED_TIMEOUT:-120}" qemu-system-x86_64 \
	-accel "tcg,thread=${VSCHED_TCG_THREAD:-single}" -smp "${VSCHED_SMP:-2}" -m "${VSCHED_MEM:-1G}" \
	-kernel "$kdir/vmlinuz" "${boot[@]}" -append "$append" \
	-nographic -nic none -no-reboot -monitor none \
	-serial "file:$run/console.log" -serial "file:$run/results.log" </dev/null || rc=$?
end=$(date +%s.%N)
log "QEMU exited rc=$rc after $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s"
((rc != 124)) || { log "timed out; console tail:"; tail -5 "$run/console.log" >&2; exit 124; }

# Decode "VSCHED FILE p / base64 / VSCHED ENDFILE p" blocks.
cur=""
trc=""
while IFS= read -r line; do
	case "$line" in
	"VSCHED BEGIN "*) ;;
	"VSCHED FILE "*)
		cur=${line#VSCHED FILE }
		[[ $cur != /* && $cur != *..* ]] || die "unsafe path '$cur' in results"
		mkdir -p "$(dirname "$run/out/$cur")"
		: >"$run/out/$cur.b64"
		;;
	"VSCHED ENDFILE "*)
		base64 -d <"$run/out/$cur.b64" >"$run/out/$cur" || die "bad base64 for $cur"
		rm -f "$run/out/$cur.b64"
		cur=""
		;;
	"VSCHED END "*) trc=${line##*rc=} ;;
	*) [[ -z $cur ]] || printf '%s\n' "$line" >>"$run/out/$cur.b64" ;;
	esac
done <"$run/results.log"
[[ -n $trc ]] || { log "no 'VSCHED END' on ttyS1; console tail:"; tail -5 "$run/console.log" >&2; exit 125; }
log "test $test rc=$trc; files in $run/out: $(cd "$run/out" && find . -type f | sed 's|^\./||' | tr '\n' ' ')"
printf '%s\n' "$run"
exit "$trc"
