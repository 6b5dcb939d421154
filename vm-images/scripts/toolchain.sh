#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) the Debian sid toolchain chroot at vm-images/build/toolchain/:
# gcc-16 (what the 7.2 kernel was built with, needed for its out-of-tree
# modules), clang/llvm + libbpf-dev + bpftool (BPF objects, vmlinux.h), pahole
# (module BTF), make, and the 7.2 guest kernel headers installed from the same
# .deb directory as the guest kernel. Rebuilt only when the recipe (this
# script, the package list, the mirror, the header .debs) changes.
# Use it through in-toolchain.sh.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(
	gcc-16 gcc-16-for-host libc6-dev make	# kbuild for the 7.2 module
	pahole					# BTF for .ko files
	clang llvm lld libbpf-dev bpftool	# BPF objects and skeletons
	libelf-dev zlib1g-dev pkg-config	# libbpf's own link deps
	ca-certificates
)
ROOT="$BUILD/toolchain"
STAMP="$BUILD/toolchain.stamp"

need_root
need_cmd mmdebstrap flock sha256sum
mkdir -p "$BUILD"

debs="$(kernel_debs_72)"
headers=(
	"$(one_file "$debs/linux-headers-*-cloud-amd64_*.deb")"
	"$(one_file "$debs/linux-headers-*-common_*.deb")"
	"$(one_file "$debs/linux-kbuild-*.deb")"
	"$(one_file "$debs/linux-base-*-cloud-amd64_*.deb")"
)
key="$(hash_inputs "$0" "str:${PACKAGES[*]}" "str:$MIRROR" "${headers[@]}")"

# Exclusive lock: in-toolchain.sh holds a shared one while a command runs.
exec 9>"$BUILD/toolchain.lock"
flock 9

if stamp_ok "$STAMP" "$key" && [[ -x $ROOT/usr/bin/gcc-16 ]]; then
	log "toolchain up to date: $ROOT"
	printf '%s\n' "$ROOT"
	exit 0
fi

log "building the sid toolchain chroot (about a minute)"
new="$BUILD/toolchain.new"
on_exit "rm -rf '$new'"
rm -rf "$new" "$STAMP"
# Hooks run in mmdebstrap's root mode; the .debs are copied in and installed
# with apt so that their dependencies (gcc-16-for-host, pahole...) resolve.
hook_in="copy-in ${headers[*]} /tmp/"
# shellcheck disable=SC2016 # "$1" is the chroot, expanded by mmdebstrap's sh
hook_inst='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends'
for h in "${headers[@]}"; do
	hook_inst+=" /tmp/$(basename "$h")"
done
# shellcheck disable=SC2016
hook_clean='rm -f "$1"/tmp/*.deb; chroot "$1" apt-get clean'
nice -n 10 mmdebstrap --variant=apt --mode=root \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--aptopt='Acquire::Languages "none"' \
	--include="$(IFS=,; echo "${PACKAGES[*]}")" \
	--customize-hook="$hook_in" \
	--customize-hook="$hook_inst" \
	--customize-hook="$hook_clean" \
	sid "$new" "$MIRROR" </dev/null >&2 ||
	die "mmdebstrap of the sid toolchain failed (mirror $MIRROR)"
kver="$(basename "${headers[0]}")"
kver="${kver#linux-headers-}"
kver="${kver%%_*}"
[[ -f $new/usr/src/linux-headers-$kver/Makefile ]] ||
	die "kernel headers $kver missing from the new toolchain"
mkdir -p "$new/src"
rm -rf "$ROOT"
mv "$new" "$ROOT"
echo "$key" >"$STAMP"
log "toolchain ready: $ROOT ($(du -sh "$ROOT" | cut -f1))"
printf '%s\n' "$ROOT"
