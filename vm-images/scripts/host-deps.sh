#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install every host package the VM pieces need. Fast no-op when all are present.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PKGS=(
	qemu-system-x86		# runs the guests (TCG)
	mmdebstrap		# toolchain chroot and eval rootfs
	debian-archive-keyring	# verifies the mirror in those chroots
	busybox-static		# the initramfs userland
	cpio			# packs the initramfs
	e2fsprogs		# mke2fs -d for the eval image
	zstd			# kernel .debs may be zstd-compressed
	xz-utils		# and older ones xz
	dpkg-dev		# dpkg-deb, dpkg-scanpackages
	util-linux		# unshare for private mount namespaces
	kmod			# depmod/modinfo for guest kernel modules
	libc-bin		# ldd/ldconfig for the guest runtime's libraries
	ca-certificates
)
apt_install "${PKGS[@]}"

# libbpf for the guest agent's FFM bindings, copied into the initramfs. The
# sched_ext struct_ops support wants >= 1.4, only in bookworm-backports; the
# source file is the one bpf/scripts/host-deps.sh also writes.
if ! dpkg --compare-versions "$(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null || echo 0)" ge 1:1.4; then
	need_root
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		log "enabling bookworm-backports"
		printf '%s\n' 'Types: deb' "URIs: $MIRROR" 'Suites: bookworm-backports' 'Components: main' \
			'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
			>/etc/apt/sources.list.d/vsched-bookworm-backports.sources
		rm -f /var/lib/apt/periodic/vsched-update-stamp
	fi
	apt_update_once
	log "apt-get install -t bookworm-backports libbpf1"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
		--no-install-recommends -t bookworm-backports libbpf1 </dev/null >&2 ||
		die "apt-get install -t bookworm-backports libbpf1 failed"
fi

[[ -x $HOST_JDK/bin/jlink ]] ||
	die "Java 25 JDK not found at $HOST_JDK (set VSCHED_HOST_JDK to a JDK 25 with jlink)"
"$HOST_JDK/bin/java" -version 2>&1 | grep -q 'version "25' ||
	die "$HOST_JDK is not a Java 25 JDK (set VSCHED_HOST_JDK)"
log "host dependencies present"
