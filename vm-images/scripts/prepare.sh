#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Everything the VM tests need, built or confirmed up to date:
#   prepare.sh [--toolchain] [SERIES...]     (default series: 7.2 6.1)
# runs host-deps.sh, toolchain.sh (only with --toolchain), kernels.sh and
# initramfs.sh SERIES, then prints the produced paths on stdout, one a line.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

toolchain=0
series=()
for a in "$@"; do
	case "$a" in
	--toolchain) toolchain=1 ;;
	7.2 | 6.1) series+=("$a") ;;
	-h | --help) sed -n '3,6s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$a' (usage: prepare.sh [--toolchain] [7.2] [6.1])" ;;
	esac
done
((${#series[@]})) || series=(7.2 6.1)

"$VM_SCRIPTS/host-deps.sh"
((toolchain == 0)) || "$VM_SCRIPTS/toolchain.sh"
"$VM_SCRIPTS/kernels.sh" "${series[@]}"
for s in "${series[@]}"; do
	"$VM_SCRIPTS/initramfs.sh" "$s"
done
