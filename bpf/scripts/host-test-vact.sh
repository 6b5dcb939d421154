#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds vsched_vact.bpf.o and a dynamically linked vsched-loader on this
# (bookworm) host into bpf/build/host/, then attaches the vACT programs to the
# running kernel for VSCHED_VACT_SECS (default 2) seconds while one pinned busy
# loop per CPU keeps every CPU ticking, and checks each CPU's heartbeats.
# Needs root and a kernel with BTF; no sched_ext, no module.
# The 7.2 BTF for vmlinux.h comes from the headers .deb in VSCHED_KERNEL_DEBS
# (default ../shared/debs/linux-7.2.13-cloud next to the repository).
# Prints one line per check and "N passed, N failed"; exit 0 iff none failed.
set -euo pipefail
BPF="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(dirname "$BPF")"
OUT="$BPF/build/host"
SECS=${VSCHED_VACT_SECS:-2}
DEBS=${VSCHED_KERNEL_DEBS:-$REPO/../shared/debs/linux-7.2.13-cloud}

die() { echo "host-test-vact: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "must run as root (loads BPF programs)"
[[ -r /sys/kernel/btf/vmlinux ]] || die "the running kernel has no BTF (/sys/kernel/btf/vmlinux)"
"$BPF/scripts/host-deps.sh"

btf="$OUT/btf/vmlinux"
if [[ ! -f $btf ]]; then
	shopt -s nullglob
	debs=("$DEBS"/linux-headers-*-cloud-amd64_*.deb)
	((${#debs[@]} == 1)) || die "want exactly one linux-headers-*-cloud-amd64 .deb in $DEBS, found ${#debs[@]}"
	tmp="$(mktemp -d)"
	trap 'rm -rf "$tmp"' EXIT
	dpkg-deb -x "${debs[0]}" "$tmp"
	src=("$tmp"/usr/src/linux-headers-*/vmlinux)
	((${#src[@]} == 1)) || die "${debs[0]} has no BTF vmlinux"
	mkdir -p "$OUT/btf"
	cp "${src[0]}" "$btf"
fi
make -s -C "$BPF" BUILD=build/host VMLINUX_BTF="$btf" LOADER_STATIC=0 \
	build/host/vsched_vact.bpf.o build/host/vsched-loader

loops=()
cleanup() {
	local p
	for p in "${loops[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT
ncpu=$(nproc)
for ((c = 0; c < ncpu; c++)); do
	taskset -c "$c" sh -c 'while :; do :; done' &
	loops+=($!)
done
res="$("$OUT/vsched-loader" vact -o "$OUT/vsched_vact.bpf.o" -d "$SECS")"
cleanup
loops=()
echo "$res"

passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
# HZ >= 100 and a pinned busy loop: at least 50 ticks per second on every CPU
min=$((SECS * 50))
for ((c = 0; c < ncpu; c++)); do
	line="$(grep "^vact cpu=$c " <<<"$res" || true)"
	hb="$(field hb_count "$line")"
	if [[ -n $hb ]] && ((hb >= min)); then
		ok "cpu$c heartbeats=$hb tick_ns=$(field tick_ns "$line") steal_ns=$(field steal_ns "$line") steal_jumps=$(field steal_jumps "$line") inactive=$(field inactive_count "$line")"
	else
		bad "cpu$c heartbeats=${hb:-none} (wanted >= $min in ${SECS}s)"
	fi
done
echo "$passed passed, $failed failed"
((failed == 0))
