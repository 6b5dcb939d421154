#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build what the eval image carries beside its bookworm packages, into
# vm-images/build/eval-tools/ (eval-image.sh packs it at /opt/eval; the
# workload scripts put /opt/eval/bin first in their PATH):
#   peers/scx_*   the sched_ext example schedulers of the guest kernel's own
#                 source: Debian sid's linux-source-7.2 of the pinned kernel's
#                 version, tools/sched_ext, compiled in the toolchain chroot
#                 against its libbpf (>= 1.7), static. peers/BUILT lists them;
#                 one that does not compile is left out (peers/FAILED says so),
#                 but scx_simple and scx_central must build.
#   bin/rrbench   vm-images/workloads/rrbench/rrbench.c, static
#   bin/perf      sid's linux-perf of the same version, with the glibc and
#                 libraries it links under perf/lib (the rootfs is bookworm;
#                 the wrapper runs perf through its own dynamic loader)
# Each part has a stamp over its inputs and is rebuilt alone. Downloads are
# cached in build/debs-eval/ (never committed); linux-source-7.2 and linux-perf
# .debs of the kernel's version in the kernel's .deb directory are used first.
# Prints the output directory.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERIES=7.2
# the schedulers tried, in tools/sched_ext of 7.2 (scx_prev is not there)
SCHEDS=(scx_simple scx_central scx_flatcg scx_qmap scx_cpu0 scx_pair scx_sdt scx_userland)
OUT="$BUILD/eval-tools"
DEBS="$BUILD/debs-eval"

# src_path PATH : PATH (below the repository) as the toolchain sees it
src_path() {
	local p
	p="$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")"
	[[ $p == "$REPO_P"/* ]] || die "'$1' is not below the repository"
	printf '/src%s\n' "${p#"$REPO_P"}"
}

# sid_deb PACKAGE : the .deb of PACKAGE at the pinned guest kernel's package
# version $VER: from the kernel's .deb directory (a pinned copy may sit beside
# the kernel), else the cache, else downloaded from sid. When sid has moved on
# from $VER, sid's current PACKAGE is taken instead, with a warning.
sid_deb() {
	local f opts
	for f in "$KDEBS/${1}_${VER}_" "$DEBS/${1}_${VER}_"; do
		if compgen -G "$f*.deb" >/dev/null; then
			one_file "$f*.deb"
			return 0
		fi
	done
	mapfile -t opts < <(sid_apt_opts)
	sid_apt_update
	mkdir -p "$DEBS"
	log "downloading $1=$VER from sid"
	if (cd "$DEBS" && apt-get "${opts[@]}" download -qq "$1=$VER" </dev/null >&2); then
		one_file "$DEBS/${1}_${VER}_*.deb"
		return 0
	fi
	log "WARNING: sid no longer has $1=$VER, the guest kernel's version: taking sid's current $1"
	(cd "$DEBS" && apt-get "${opts[@]}" download -qq "$1" </dev/null >&2) ||
		die "cannot download $1 from sid ($MIRROR)"
	find "$DEBS" -maxdepth 1 -name "${1}_*.deb" ! -name "${1}_${VER}_*" -printf '%T@ %p\n' |
		sort -n | tail -1 | cut -d' ' -f2-
}

build_peers() {
	local deb key stamp="$BUILD/eval-tools-peers.stamp" src scx s built=() failed=()
	deb="$(sid_deb "linux-source-$SERIES")"
	key="$(hash_inputs "$0" "$VM_DIR/peers" "$BUILD/toolchain.stamp" "str:$(basename "$deb")" "str:${SCHEDS[*]}")"
	if stamp_ok "$stamp" "$key" && [[ -s $OUT/peers/BUILT ]]; then
		return 0
	fi
	src="$BUILD/eval-tools-src/linux-source-$VER"
	if [[ ! -f $src/tools/sched_ext/Makefile ]]; then
		log "unpacking tools/sched_ext from $(basename "$deb") (decompresses the whole tree: minutes)"
		rm -rf "$src" "$src.tmp"
		mkdir -p "$src.tmp"
		on_exit "rm -rf '$src.tmp'"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
			xz -dc | tar -C "$src.tmp" --strip-components=1 -x --wildcards '*/tools/sched_ext/*' ||
			die "cannot unpack tools/sched_ext from $deb"
		mv "$src.tmp" "$src"
	fi
	scx="$(src_path "$src/tools/sched_ext")"
	rm -rf "$OUT/peers" "$stamp"
	mkdir -p "$OUT/peers" "$BUILD/eval-tools-logs"
	log "building ${SCHEDS[*]} in the toolchain"
	for s in "${SCHEDS[@]}"; do
		if "$VM_SCRIPTS/in-toolchain.sh" make -s -f "$(src_path "$VM_DIR/peers/Makefile")" \
			SCX="$scx" OUT="$(src_path "$OUT/peers")" "$s" >"$BUILD/eval-tools-logs/$s.log" 2>&1; then
			built+=("$s")
		else
			failed+=("$s")
			log "$s did not build: $(tail -3 "$BUILD/eval-tools-logs/$s.log" | tr '\n' ' ')"
		fi
	done
	rm -rf "$OUT/peers/obj"
	printf '%s\n' "${built[@]}" >"$OUT/peers/BUILT"
	printf '%s\n' "${failed[@]}" >"$OUT/peers/FAILED"
	for s in scx_simple scx_central; do
		[[ -x $OUT/peers/$s ]] || die "$s did not build (see $BUILD/eval-tools-logs/$s.log)"
	done
	echo "$key" >"$stamp"
}

build_rrbench() {
	local key stamp="$BUILD/eval-tools-rrbench.stamp" c="$VM_DIR/workloads/rrbench/rrbench.c"
	key="$(hash_inputs "$0" "$c" "$BUILD/toolchain.stamp")"
	if stamp_ok "$stamp" "$key" && [[ -x $OUT/bin/rrbench ]]; then
		return 0
	fi
	mkdir -p "$OUT/bin"
	"$VM_SCRIPTS/in-toolchain.sh" gcc-16 -O2 -g -Wall -Wextra -Werror -static -pthread \
		-o "$(src_path "$OUT/bin/rrbench")" "$(src_path "$c")" >&2 || die "rrbench did not build"
	echo "$key" >"$stamp"
}

build_perf() {
	local key stamp="$BUILD/eval-tools-perf.stamp" root lib deb
	deb="$(sid_deb linux-perf)"
	key="$(hash_inputs "$0" "str:$(basename "$deb")" "str:$MIRROR")"
	if stamp_ok "$stamp" "$key" && [[ -x $OUT/perf/bin/perf ]]; then
		return 0
	fi
	log "$(basename "$deb") and its dependencies from sid, extracted (not installed)"
	root="$(mktemp -d "$BUILD/.perf-root.XXXXXX")"
	on_exit "rm -rf '$root'"
	nice -n 10 mmdebstrap --variant=extract --mode=root \
		--aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Languages "none"' \
		--include="$deb" sid "$root" "$MIRROR" </dev/null >&2 ||
		die "mmdebstrap (extract) of sid with $(basename "$deb") failed"
	rm -rf "$OUT/perf" "$stamp"
	mkdir -p "$OUT/perf/bin" "$OUT/perf/lib" "$OUT/bin"
	cp "$root/usr/bin/perf" "$OUT/perf/bin/"
	# the libraries sid's own loader resolves for perf, and the loader itself
	lib="$root/usr/lib/x86_64-linux-gnu"
	"$lib/ld-linux-x86-64.so.2" --library-path "$lib" --list "$root/usr/bin/perf" >"$root/perf.ldd" ||
		die "sid's loader cannot resolve perf's libraries: $(cat "$root/perf.ldd")"
	! grep 'not found' "$root/perf.ldd" || die "perf needs libraries the extract lacks"
	awk '$2 == "=>" && $3 ~ /^\// { print $3 }' "$root/perf.ldd" | while read -r l; do
		[[ $l == "$root"/* ]] || die "perf's $l resolved outside the sid extract"
		cp -L "$l" "$OUT/perf/lib/"
	done
	cp -L "$lib/ld-linux-x86-64.so.2" "$OUT/perf/lib/"
	[[ -f $OUT/perf/lib/ld-linux-x86-64.so.2 ]] || die "no dynamic loader found for perf"
	cat >"$OUT/bin/perf" <<-'EOF'
		#!/bin/sh
		# sid's perf with its own glibc and libraries (the eval rootfs is bookworm)
		exec /opt/eval/perf/lib/ld-linux-x86-64.so.2 --library-path /opt/eval/perf/lib /opt/eval/perf/bin/perf "$@"
	EOF
	chmod 755 "$OUT/bin/perf"
	echo "$key" >"$stamp"
}

need_root
need_cmd mmdebstrap dpkg-deb xz tar
REPO_P="$(cd "$REPO" && pwd -P)"
"$VM_SCRIPTS/toolchain.sh" >/dev/null
# the version of the pinned guest kernel's packages, e.g. 7.2.13-1
VER="$(basename "$(one_file "$(kernel_debs_72)/linux-binary-*.deb")")"
VER="${VER#*_}"
VER="${VER%%_*}"
KDEBS="$(kernel_debs_72)"
mkdir -p "$OUT"
exec 7>"$BUILD/.eval-tools.lock"
flock 7 || die "cannot lock $BUILD/.eval-tools.lock"
build_peers
build_rrbench
build_perf
log "eval tools ($VER): peers $(tr '\n' ' ' <"$OUT/peers/BUILT")rrbench perf"
printf '%s\n' "$OUT"
