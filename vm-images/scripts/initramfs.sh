#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the test initramfs vm-images/build/initramfs-<series>.cpio (uncompressed:
# it boots faster under TCG) for a kernel unpacked by kernels.sh:
#   /bin            busybox-static and its applets
#   /opt/java       a jlink'd Java 25 runtime with the modules jdeps finds in the jar
#   /lib...         the glibc (and libbpf) libraries that runtime and the agent load
#   /opt/vsched     vsched.jar, jvm-flags, bpf/*.bpf.o and kmod/vsched.ko when they are built
#   /tests          the guest tests: vm-images/guest-tests, bpf/tests, kmod/tests
#   /init           vm-images/init/init
# Rebuilt only when one of those inputs changed.
# Environment:
#   VSCHED_JAR             jar to package (default guest-agent/target/vsched.jar)
#   VSCHED_GUEST_MODULES   kernel modules (names, e.g. "tcp_bbr") to insmod at boot
#   VSCHED_GUEST_LIBS      extra sonames from the host (default libbpf.so.1)
#   VSCHED_JLINK_MODULES   extra Java modules beyond those jdeps finds
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Kernel options the /init and the tests rely on being built in.
REQUIRED_BUILTIN=(CONFIG_BLK_DEV_INITRD CONFIG_DEVTMPFS CONFIG_TMPFS CONFIG_SERIAL_8250_CONSOLE
	CONFIG_BPF_SYSCALL CONFIG_CGROUPS CONFIG_DEBUG_FS CONFIG_PROC_FS CONFIG_SYSFS)

usage() { die "usage: initramfs.sh SERIES   (a kernel series unpacked by kernels.sh: 7.2 or 6.1)"; }

# guest_libs RUNTIME HOSTLIB... : the host shared libraries that the runtime
# and the given host libraries need, themselves included.
guest_libs() {
	local rt=$1 p
	shift
	local -a objs
	mapfile -t objs < <(find "$rt" -type f \( -name '*.so' -o -path '*/bin/*' \))
	for p in "$@" "${objs[@]}"; do
		printf '%s\n' "$p"
		# ldd prints "name => path (addr)", or "path (addr)" for the loader; a
		# library whose own deps are missing (X11 for AWT) is never loaded headless.
		{ ldd "$p" 2>/dev/null || true; } |
			awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
	done | grep -v "^$rt/" | sort -u
}

# module_closure KVER MODDIR NAME... : module files (relative) in load order.
module_closure() {
	local kver=$1 moddir=$2 m
	shift 2
	for m in "$@"; do
		modprobe -d "$moddir" -S "$kver" --show-depends "$m" 2>/dev/null |
			awk '$1 == "insmod" { print $2 }' ||
			die "kernel module '$m' (VSCHED_GUEST_MODULES) not found for $kver"
	done | awk '!seen[$0]++'
}

main() {
	(($# == 1)) || usage
	local series=$1
	[[ $series =~ ^[0-9]+\.[0-9]+$ ]] || usage
	local kdir="$BUILD/kernels/$series"
	[[ -f $kdir/version ]] || die "kernel $series not unpacked: run vm-images/scripts/kernels.sh $series"
	need_cmd cpio busybox ldd ldconfig sha256sum
	build_lock
	[[ -x $HOST_JDK/bin/jlink ]] || die "no jlink in $HOST_JDK (VSCHED_HOST_JDK)"
	local kver opt
	kver="$(cat "$kdir/version")"
	for opt in "${REQUIRED_BUILTIN[@]}"; do
		grep -qx "$opt=y" "$kdir/config" ||
			die "kernel $kver lacks $opt=y, which /init needs built in"
	done

	local jar mods rt busybox
	jar="$(vsched_jar)"
	mods="$(runtime_modules "$jar")"
	rt="$(jlink_runtime "$mods")"
	busybox="$(command -v busybox)"
	ldd "$busybox" >/dev/null 2>&1 && die "$busybox is dynamically linked: install busybox-static"

	local -a libs payload kmods=() extra hostlibs=()
	local so p
	read -r -a extra <<<"${VSCHED_GUEST_LIBS-libbpf.so.1}"
	for so in "${extra[@]}"; do
		# awk reads to the end: an early exit would SIGPIPE ldconfig and fail the pipeline (pipefail).
		p="$(ldconfig -p | awk -v s="$so" '$1 == s && /x86-64/ && f == "" { f = $NF } END { print f }')"
		[[ -n $p ]] || die "library $so (VSCHED_GUEST_LIBS) not found on the host: run host-deps.sh"
		hostlibs+=("$p")
	done
	mapfile -t libs < <(guest_libs "$rt" "${hostlibs[@]}")
	mapfile -t payload < <(payload_files "$series" "$jar")
	if [[ -n ${VSCHED_GUEST_MODULES:-} ]]; then
		local -a names
		read -r -a names <<<"$VSCHED_GUEST_MODULES"
		# modprobe -d wants DIR/lib/modules/KVER: point it at a temporary root.
		local mroot
		mroot="$(mktemp -d)"
		on_exit "rm -rf '$mroot'"
		mkdir -p "$mroot/lib"
		ln -s "$kdir/modules" "$mroot/lib/modules"
		[[ -f $kdir/modules/$kver/modules.dep ]] || depmod -b "$mroot" "$kver" ||
			die "depmod for $kver failed"
		mapfile -t kmods < <(module_closure "$kver" "$mroot" "${names[@]}")
	fi

	local -a tests
	local tlist
	tlist="$(guest_test_files)"
	mapfile -t tests <<<"$tlist"
	local out="$BUILD/initramfs-$series.cpio" stamp="$BUILD/initramfs-$series.stamp" key
	key="$(hash_inputs "$0" "$VM_SCRIPTS/lib.sh" "$VM_DIR/init" "${GUEST_TEST_DIRS[@]}" "$busybox" \
		"$kdir/.stamp" "str:$rt" "${libs[@]}" "${payload[@]}" "str:${VSCHED_GUEST_MODULES:-}")"
	if [[ -f $out ]] && stamp_ok "$stamp" "$key"; then
		log "initramfs-$series up to date"
		printf '%s\n' "$out"
		return 0
	fi

	log "building initramfs-$series ($kver, jar $jar, java modules $mods)"
	local st
	st="$(mktemp -d "$BUILD/.initramfs-$series.XXXXXX")"
	on_exit "rm -rf '$st'"
	mkdir -p "$st"/{bin,boot,dev,proc,sys,tmp,run,root,etc,tests,opt/vsched,lib/x86_64-linux-gnu,lib64,usr}
	# the guest's / (mktemp made it 0700: only root could reach /bin)
	chmod 755 "$st"
	# where distributions keep it: tests read CONFIG_HZ from it
	cp "$kdir/config" "$st/boot/config-$kver"
	mkdir -p "$st"/sys/fs/cgroup "$st"/sys/fs/bpf "$st"/sys/kernel/debug "$st"/sys/kernel/tracing
	ln -s bin "$st/sbin"
	ln -s ../bin "$st/usr/bin"
	ln -s ../bin "$st/usr/sbin"
	ln -s ../lib "$st/usr/lib"
	cp "$busybox" "$st/bin/busybox"
	local a
	for a in $("$busybox" --list); do
		[[ $a == busybox ]] || ln -s busybox "$st/bin/$a"
	done

	cp -a "$rt" "$st/opt/java"
	local l
	for l in "${libs[@]}"; do
		case "$l" in
		/lib64/*) cp -L "$l" "$st/lib64/" ;;
		*) cp -L "$l" "$st/lib/x86_64-linux-gnu/" ;;
		esac
	done
	[[ -f $st/lib64/ld-linux-x86-64.so.2 ]] || die "the dynamic loader was not among the runtime's libraries"
	printf '%s\n' /lib/x86_64-linux-gnu >"$st/etc/ld.so.conf"
	ldconfig -r "$st" || die "ldconfig for the initramfs failed"

	install_payload "$st" "${payload[@]}"
	if ((${#kmods[@]})); then
		local m base
		mkdir -p "$st/lib/modules"
		for m in "${kmods[@]}"; do
			base="$(basename "$m")"
			case "$base" in
			# busybox insmod takes plain .ko files: decompress on the host.
			*.ko.xz) xz -dc "$m" >"$st/lib/modules/${base%.xz}"; base="${base%.xz}" ;;
			*.ko.zst) zstd -qdc "$m" >"$st/lib/modules/${base%.zst}"; base="${base%.zst}" ;;
			*) cp "$m" "$st/lib/modules/" ;;
			esac
			echo "$base" >>"$st/lib/modules/load.list"
		done
	fi

	cp "${tests[@]}" "$st/tests/"
	cp "$VM_DIR/init/init" "$st/init"
	chmod 755 "$st/init" "$st"/tests/*.sh
	# nobody: the tests' non-root user (kmod-basic: reading root-only files)
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' \
		>"$st/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$st/etc/group"
	printf '127.0.0.1 localhost vsched-guest\n::1 localhost\n' >"$st/etc/hosts"

	(cd "$st" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --quiet -o -H newc --reproducible -R 0:0 >"$out.tmp") ||
		die "cpio of the initramfs failed"
	mv "$out.tmp" "$out"
	echo "$key" >"$stamp"
	log "initramfs-$series: $(du -h "$out" | cut -f1)"
	printf '%s\n' "$out"
}
main "$@"
