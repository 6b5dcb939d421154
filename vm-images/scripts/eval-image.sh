#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the evaluation disk image vm-images/build/eval-<series>.img (default 7.2):
# an ext4 root filesystem (no partition table) holding a Debian bookworm minbase
# system with sysbench, stress-ng and rt-tests (hackbench, cyclictest), a
# jlink'd Java 25 runtime at /opt/java, /opt/vsched (jar, jvm-flags, BPF objects, module),
# /opt/eval with VSCHED_EVAL_TOOLS=1 (eval-tools.sh: peer sched_ext schedulers, rrbench, sid's perf),
# the kernel's modules, /init (the same protocol as the test initramfs) and
# /tests (the guest tests of vm-images/guest-tests, bpf/tests and kmod/tests,
# and vm-images/workloads). Boot it with
#   run-guest.sh --eval 7.2 sysbench-cpu vsched.seconds=20
# which uses -kernel build/kernels/7.2/vmlinuz, -device nvme on a snapshot of the
# image and "root=/dev/nvme0n1 ro rootwait init=/init". prepare.sh --eval runs
# this for the suite (SchedStressIT) and eval/compare; the first build takes
# about a minute (the rootfs tarball is cached).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUITE=bookworm
PACKAGES=(
	sysbench stress-ng rt-tests	# workloads
	kmod procps iproute2 util-linux	# insmod, ps, ip, taskset
	busybox-static			# poweroff without an init system
	libelf1 zlib1g			# libbpf's own deps (libbpf1 comes from backports)
)

main() {
	local series=${1:-7.2}
	(($# <= 1)) || die "usage: eval-image.sh [SERIES]   (default 7.2)"
	local kdir="$BUILD/kernels/$series"
	[[ -f $kdir/version ]] || die "kernel $series not unpacked: run vm-images/scripts/kernels.sh $series"
	need_root
	need_cmd mmdebstrap mke2fs tar sha256sum
	# Peer schedulers, rrbench and sid's perf (eval-tools.sh) go to /opt/eval only for
	# eval/compare (VSCHED_EVAL_TOOLS=1): building them downloads and unpacks the
	# 164 MB linux-source, which the VM tests' boots of this image do not need.
	local tools="" with_tools=${VSCHED_EVAL_TOOLS:-0}
	if [[ $with_tools == 1 ]]; then
		tools="$("$VM_SCRIPTS/eval-tools.sh")"
	fi
	build_lock
	local kver jar mods rt
	kver="$(cat "$kdir/version")"
	jar="$(vsched_jar)"
	mods="$(runtime_modules "$jar")"
	rt="$(jlink_runtime "$mods")"

	# 1. The Debian rootfs, cached as a tarball keyed by its recipe (bump
	# rootfs-vN when the mmdebstrap command below changes).
	local rkey rootfs
	rkey="$(hash_inputs "str:$SUITE" "str:${PACKAGES[*]}" "str:$MIRROR" "str:rootfs-v1")"
	rootfs="$BUILD/eval/rootfs-${rkey:0:16}.tar"
	mkdir -p "$BUILD/eval"
	if [[ ! -f $rootfs ]]; then
		log "mmdebstrap $SUITE minbase rootfs (about a minute)"
		on_exit "rm -f '$rootfs.tmp'"
		# libbpf >= 1.4 (sched_ext struct_ops) is only in bookworm-backports.
		# shellcheck disable=SC2016 # "$1" is the chroot, expanded by mmdebstrap
		nice -n 10 mmdebstrap --variant=minbase --mode=root --format=tar \
			--aptopt='Acquire::Languages "none"' \
			--include="$(IFS=,; echo "${PACKAGES[*]}")" \
			--customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -t bookworm-backports libbpf1' \
			--customize-hook='chroot "$1" apt-get clean' \
			"$SUITE" "$rootfs.tmp" \
			"deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-backports main" </dev/null >&2 ||
			die "mmdebstrap of the eval rootfs failed (mirror $MIRROR)"
		mv "$rootfs.tmp" "$rootfs"
		find "$BUILD/eval" -maxdepth 1 -name 'rootfs-*.tar' ! -path "$rootfs" -delete
	fi

	# 2. The image, rebuilt when any input changed.
	local img="$BUILD/eval-$series.img" stamp="$BUILD/eval-$series.stamp" key
	local -a payload tests
	local tlist
	mapfile -t payload < <(payload_files "$series" "$jar")
	tlist="$(guest_test_files)"
	mapfile -t tests <<<"$tlist"
	key="$(hash_inputs "$0" "$VM_SCRIPTS/lib.sh" "str:$rootfs" "$VM_DIR/init" "${GUEST_TEST_DIRS[@]}" \
		"$VM_DIR/workloads" "str:$rt" "$kdir/.stamp" "${payload[@]}" "str:tools=$with_tools" ${tools:+"$tools"})"
	if [[ -f $img ]] && stamp_ok "$stamp" "$key"; then
		log "eval-$series.img up to date"
		printf '%s\n' "$img"
		return 0
	fi
	log "assembling eval-$series.img ($kver, jar $jar)"
	local st root
	st="$(mktemp -d "$BUILD/.eval-$series.XXXXXX")"
	on_exit "rm -rf '$st'"
	root="$st/root"
	mkdir -p "$root"
	tar -C "$root" --numeric-owner -xpf "$rootfs" || die "cannot unpack $rootfs"
	cp -a "$rt" "$root/opt/java"
	ln -sf /opt/java/bin/java "$root/usr/local/bin/java"
	install_payload "$root" "${payload[@]}"
	if [[ -n $tools ]]; then
		cp -a "$tools" "$root/opt/eval"
	fi
	mkdir -p "$root/usr/lib/modules"
	cp -a "$kdir/modules/$kver" "$root/usr/lib/modules/"
	mkdir -p "$root/boot"
	cp "$kdir/config" "$root/boot/config-$kver"
	mkdir -p "$root/tests"
	cp "${tests[@]}" "$VM_DIR"/workloads/*.sh "$root/tests/"
	cp "$VM_DIR/init/init" "$root/init"
	chmod 755 "$root/init" "$root"/tests/*.sh
	echo vsched-guest >"$root/etc/hostname"

	local mb
	mb="$(du -sm "$root" | cut -f1)"
	mb=$((mb + mb / 4 + 256))
	rm -f "$img.tmp"
	on_exit "rm -f '$img.tmp'"
	mke2fs -q -t ext4 -L vsched-root -d "$root" -F "$img.tmp" "${mb}M" ||
		die "mke2fs of the eval image failed"
	mv "$img.tmp" "$img"
	echo "$key" >"$stamp"
	log "eval-$series.img: ${mb} MiB ($(du -h "$img" | cut -f1) allocated)"
	printf '%s\n' "$img"
}
main "$@"
