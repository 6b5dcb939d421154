#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unpack the guest kernels to vm-images/build/kernels/<series>/:
#   7.2  Debian sid cloud kernel (sched_ext) from a directory of .debs
#        (VSCHED_KERNEL_DEBS, else ../shared/debs/linux-7.2.13-cloud, else the
#        current sid kernel downloaded from the mirror), checked by SHA256SUMS;
#   6.1  Debian bookworm's current 6.1 cloud kernel (no sched_ext), looked up
#        by name in the host's apt lists; its headers are installed on the host
#        so kmod/ can build against it with the host gcc-12.
# Each gets vmlinuz, config, System.map, modules/<uname -r>/ (a /lib/modules
# tree), version (uname -r) and kdir (the kbuild directory for out-of-tree
# modules: inside the toolchain chroot for 7.2, on the host for 6.1).
# Usage: kernels.sh [7.2] [6.1]     (default: both)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# check_config CONFIG OPTION... : every option must be =y.
check_config() {
	local cfg=$1 opt
	shift
	for opt in "$@"; do
		grep -qx "$opt=y" "$cfg" ||
			die "kernel config $cfg lacks $opt=y (found: $(grep -E "^(# )?${opt}[= ]" "$cfg" || echo 'not set'))"
	done
}

# install_tree SERIES TMPROOT KVER : move an unpacked kernel into place.
install_tree() {
	local series=$1 root=$2 kver=$3 out="$BUILD/kernels/$1" stage
	stage="$BUILD/kernels/.$series.new"
	rm -rf "$stage" && mkdir -p "$stage/modules"
	local src="$root/usr/lib/modules/$kver"
	[[ -d $src ]] || src="$root/lib/modules/$kver"
	[[ -d $src ]] || die "no modules directory for $kver in the .debs"
	local vml="$src/vmlinuz" cfg="$src/config" map="$src/System.map"
	[[ -f $vml ]] || vml="$root/boot/vmlinuz-$kver"
	[[ -f $cfg ]] || cfg="$root/boot/config-$kver"
	[[ -f $map ]] || map="$root/boot/System.map-$kver"
	local f
	for f in "$vml" "$cfg" "$map"; do
		[[ -f $f ]] || die "$(basename "$f") for $kver not found in the .debs"
	done
	cp "$vml" "$stage/vmlinuz"
	cp "$cfg" "$stage/config"
	cp "$map" "$stage/System.map"
	rm -f "$src/vmlinuz" "$src/config" "$src/System.map"
	mv "$src" "$stage/modules/$kver"
	# modules.dep lets initramfs.sh (modprobe -d) resolve module dependencies.
	mkdir -p "$root/.depmod/lib"
	ln -s "$stage/modules" "$root/.depmod/lib/modules"
	depmod -b "$root/.depmod" "$kver" || die "depmod for $kver failed"
	echo "$kver" >"$stage/version"
	rm -rf "$out" && mv "$stage" "$out"
}

kernel_72() {
	local debs bin mods base kver tmp key out="$BUILD/kernels/7.2"
	debs="$(kernel_debs_72)"
	bin="$(one_file "$debs/linux-binary-*-cloud-amd64_*.deb")"
	mods="$(one_file "$debs/linux-modules-*-cloud-amd64_*.deb")"
	base="$(one_file "$debs/linux-base-*-cloud-amd64_*.deb")"
	key="$(hash_inputs "$0" "$VM_SCRIPTS/lib.sh" "$bin" "$mods" "$base")"
	if stamp_ok "$out/.stamp" "$key"; then
		log "7.2 kernel up to date: $(cat "$out/version")"
		return 0
	fi
	kver="$(basename "$bin")"
	kver="${kver#linux-binary-}"
	kver="${kver%%_*}"
	log "unpacking 7.2 kernel $kver from $debs"
	tmp="$(mktemp -d "$BUILD/.kernel72.XXXXXX")"
	on_exit "rm -rf '$tmp'"
	local d
	for d in "$bin" "$mods" "$base"; do
		dpkg-deb -x "$d" "$tmp" || die "cannot unpack $d"
	done
	check_config "$tmp/usr/lib/modules/$kver/config" \
		CONFIG_SCHED_CLASS_EXT CONFIG_DEBUG_INFO_BTF CONFIG_MODULES
	install_tree 7.2 "$tmp" "$kver"
	echo "/usr/src/linux-headers-$kver" >"$out/kdir"
	echo "$key" >"$out/.stamp"
}

kernel_61() {
	local meta_ver pkg pkgver kver debdir deb="" key tmp out="$BUILD/kernels/6.1"
	apt_update_once
	debdir="$BUILD/debs/6.1"
	mkdir -p "$debdir"
	local try
	for try in 1 2; do
		# The bookworm meta package names the current 6.1 ABI; backports' 6.12 is skipped.
		meta_ver="$(apt-cache madison linux-image-cloud-amd64 |
			awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep '^6\.1\.' | sort -V | tail -1 || true)"
		[[ -n $meta_ver ]] || die "no 6.1 linux-image-cloud-amd64 in the host's apt lists (is this bookworm?)"
		pkg="$(apt-cache show "linux-image-cloud-amd64=$meta_ver" |
			sed -n 's/^Depends:.*\(linux-image-6\.1[^ ,]*-cloud-amd64\) (= \([^)]*\)).*/\1=\2/p' | awk 'NR == 1')"
		[[ -n $pkg ]] || die "cannot resolve the kernel package of linux-image-cloud-amd64=$meta_ver"
		pkgver="${pkg#*=}"
		pkg="${pkg%%=*}"
		kver="${pkg#linux-image-}"
		deb="$debdir/${pkg}_${pkgver//:/%3a}_amd64.deb"
		[[ ! -f $deb ]] || break
		log "downloading $pkg=$pkgver"
		if (cd "$debdir" && apt-get -o APT::Sandbox::User=root download -qq "$pkg=$pkgver" </dev/null >&2); then
			[[ -f $deb ]] || deb="$(one_file "$debdir/${pkg}_*.deb")"
			break
		fi
		((try == 1)) || die "apt-get download $pkg=$pkgver failed"
		# Stale lists name a kernel the mirror no longer has: refresh once.
		log "download failed; refreshing the apt lists and retrying"
		rm -f /var/lib/apt/periodic/vsched-update-stamp
		apt_update_once
	done
	# Headers on the host, for building kmod/ against this exact ABI.
	apt_install "linux-headers-$kver"
	key="$(hash_inputs "$0" "$VM_SCRIPTS/lib.sh" "$deb")"
	if stamp_ok "$out/.stamp" "$key"; then
		log "6.1 kernel up to date: $(cat "$out/version")"
		return 0
	fi
	log "unpacking 6.1 kernel $kver"
	tmp="$(mktemp -d "$BUILD/.kernel61.XXXXXX")"
	on_exit "rm -rf '$tmp'"
	dpkg-deb -x "$deb" "$tmp" || die "cannot unpack $deb"
	check_config "$tmp/boot/config-$kver" CONFIG_DEBUG_INFO_BTF CONFIG_MODULES
	install_tree 6.1 "$tmp" "$kver"
	echo "/usr/src/linux-headers-$kver" >"$out/kdir"
	echo "$key" >"$out/.stamp"
	# Keep only the current .deb.
	find "$debdir" -name '*.deb' ! -samefile "$deb" -delete
}

main() {
	local s series=("$@")
	((${#series[@]})) || series=(7.2 6.1)
	need_cmd dpkg-deb sha256sum apt-get depmod
	mkdir -p "$BUILD/kernels"
	build_lock
	for s in "${series[@]}"; do
		case "$s" in
		7.2) kernel_72 ;;
		6.1) kernel_61 ;;
		*) die "unknown kernel series '$s' (known: 7.2 6.1)" ;;
		esac
		printf '%s\n' "$BUILD/kernels/$s"
	done
}
main "$@"
