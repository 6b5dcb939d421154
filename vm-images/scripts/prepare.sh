#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Everything the VM tests need, built or confirmed up to date:
#   prepare.sh [--toolchain] [--kernel-side] [--eval] [SERIES...]  (default series: 7.2 6.1)
# runs host-deps.sh, toolchain.sh (with --toolchain or --kernel-side), kernels.sh,
# with --kernel-side the bpf/ objects and loader and kmod/ for each series (the
# 7.2 module and bpf/ in the toolchain, the 6.1 module on the host),
# initramfs.sh SERIES, and with --eval eval-image.sh 7.2 (the disk with
# stress-ng, sysbench and rt-tests), then prints the produced paths on stdout,
# one a line.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

toolchain=0
kernel_side=0
eval_img=0
series=()
for a in "$@"; do
	case "$a" in
	--toolchain) toolchain=1 ;;
	--kernel-side) toolchain=1 kernel_side=1 ;;
	--eval) eval_img=1 ;;
	7.2 | 6.1) series+=("$a") ;;
	-h | --help) sed -n '3,8s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$a' (usage: prepare.sh [--toolchain] [--kernel-side] [--eval] [7.2] [6.1])" ;;
	esac
done
((${#series[@]})) || series=(7.2 6.1)

"$VM_SCRIPTS/host-deps.sh"
((toolchain == 0)) || "$VM_SCRIPTS/toolchain.sh"
"$VM_SCRIPTS/kernels.sh" "${series[@]}"
if ((kernel_side)); then
	# make keeps these incremental; output lands in bpf/build and kmod/build/<series> (ignored).
	"$VM_SCRIPTS/in-toolchain.sh" make -C /src/bpf >&2
	for s in "${series[@]}"; do
		case "$s" in
		7.2) "$VM_SCRIPTS/in-toolchain.sh" make -C /src/kmod SERIES=7.2 >&2 ;;
		6.1) make -C "$REPO/kmod" SERIES=6.1 >&2 ;;
		esac
	done
fi
for s in "${series[@]}"; do
	"$VM_SCRIPTS/initramfs.sh" "$s"
done
if ((eval_img)); then
	[[ " ${series[*]} " == *" 7.2 "* ]] || "$VM_SCRIPTS/kernels.sh" 7.2
	"$VM_SCRIPTS/eval-image.sh" 7.2
fi
