#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prepares what the guest agent's BPF integration tests (dev.vsched.agent.bpf.*IT) need on a
# bookworm host, all under guest-agent/target/bpf/ (or $1):
#   - host packages through bpf/scripts/host-deps.sh: libbpf1 (libbpf-dev), bpftool, clang;
#   - vsched_vact.bpf.o built from bpf/ with bpf/README.md's host recipe (vmlinux.h from the
#     7.2 headers .deb's BTF, the same input as the real build in the toolchain chroot);
#   - the test programs of src/test/bpf/: verifier_reject.bpf.o (the verifier must refuse it) and
#     percpu_count.bpf.o (a per-CPU map filled on every CPU);
#   - bpf/build/: the objects the guest images ship, built in the sid toolchain chroot as
#     vm-images/scripts/prepare.sh --kernel-side does (make keeps it incremental, so prepare.sh
#     later finds it up to date). BpfObjectIT loads them on this host: they must exist when it
#     runs, also in a fresh clone, where guest-agent's ITs come before vm-images in the reactor.
# Idempotent; make rebuilds only what changed.  Needs root (apt-get).
set -euo pipefail
AGENT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(dirname "$AGENT")"
OUT="${1:-$AGENT/target/bpf}"
# shellcheck source=vm-images/scripts/lib.sh source-path=SCRIPTDIR/../..
source "$REPO/vm-images/scripts/lib.sh"

"$REPO/bpf/scripts/host-deps.sh"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

btf="$OUT/btf/vmlinux"
if [[ ! -s $btf ]]; then
	debs="$(kernel_debs_72)"
	deb="$(one_file "$debs/linux-headers-*-cloud-amd64_*.deb")"
	tmp="$(mktemp -d)"
	on_exit "rm -rf '$tmp'"
	dpkg-deb -x "$deb" "$tmp"
	src=("$tmp"/usr/src/linux-headers-*/vmlinux)
	[[ -f ${src[0]} ]] || die "$deb has no BTF-only vmlinux"
	mkdir -p "$OUT/btf"
	cp "${src[0]}" "$btf.tmp"
	mv "$btf.tmp" "$btf"
fi
nice -n 10 make -s -C "$REPO/bpf" BUILD="$OUT" VMLINUX_BTF="$btf" LOADER_STATIC=0 \
	"$OUT/vsched_vact.bpf.o"

clang="$(command -v "${VSCHED_CLANG:-clang-19}" || command -v clang || true)"
[[ -n $clang ]] || die "no clang after bpf/scripts/host-deps.sh"
for src in "$AGENT"/src/test/bpf/*.bpf.c; do
	obj="$OUT/$(basename "${src%.c}").o"
	if [[ ! -f $obj || $src -nt $obj ]]; then
		"$clang" -g -O2 -target bpf -Wall -Werror \
			-I"/usr/include/$(gcc -print-multiarch)" -c "$src" -o "$obj.tmp"
		mv "$obj.tmp" "$obj"
	fi
	printf '%s\n' "$obj"
done
printf '%s\n' "$OUT/vsched_vact.bpf.o"

"$REPO/vm-images/scripts/host-deps.sh" >&2
"$REPO/vm-images/scripts/in-toolchain.sh" make -C /src/bpf >&2
printf '%s\n' "$REPO/bpf/build/vsched_vact.bpf.o" "$REPO/bpf/build/vsched_sched.bpf.o"
