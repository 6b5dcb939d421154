# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the vm-images build scripts. Sourced, never run.
# shellcheck shell=bash disable=SC2034 # the variables are used by the sourcing scripts

VM_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VM_DIR="$(dirname "$VM_SCRIPTS")"
REPO="$(dirname "$VM_DIR")"
BUILD="$VM_DIR/build"
# Debian mirror used for chroots, images and kernel downloads (the only one reachable here).
MIRROR="${VSCHED_MIRROR:-http://deb.debian.org/debian}"
# Host JDK whose jlink makes the guest runtimes (the guest must run Java 25).
HOST_JDK="${VSCHED_HOST_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${0##*/}" "$*" >&2; exit 1; }

need_root() {
	[[ $(id -u) -eq 0 ]] || die "must run as root (needs apt-get, chroot, mounts)"
	return 0
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "command '$c' not found: run vm-images/scripts/host-deps.sh first"
	done
}

# hash_inputs ITEM... : sha256 over the named files' contents (directories
# recursively, sorted, with relative names) and over literal strings given
# as "str:..." so a recipe's parameters are part of its key.
hash_inputs() {
	local item f
	for item in "$@"; do
		case "$item" in
		str:*)
			printf 'S %s\n' "${item#str:}"
			;;
		*)
			if [[ -d $item ]]; then
				while IFS= read -r -d '' f; do
					printf 'F %s %s\n' "${f#"$item"/}" "$(sha256sum <"$f" | cut -d' ' -f1)"
				done < <(find "$item" -type f -print0 | LC_ALL=C sort -z)
			elif [[ -f $item ]]; then
				printf 'F %s %s\n' "${item##*/}" "$(sha256sum <"$item" | cut -d' ' -f1)"
			else
				printf 'M %s\n' "$item"
			fi
			;;
		esac
	done | sha256sum | cut -d' ' -f1
}

# build_lock : serialise kernels/initramfs/eval builds between concurrent
# callers (several engineers and test runs call prepare.sh at once).
build_lock() {
	mkdir -p "$BUILD"
	exec 8>"$BUILD/.build.lock"
	flock 8 || die "cannot lock $BUILD/.build.lock"
}

# stamp_ok STAMP HASH : true when STAMP exists and holds HASH.
stamp_ok() {
	[[ -f $1 ]] && [[ $(cat "$1") == "$2" ]]
}

# Cleanup actions run on exit in reverse order of registration.
_CLEANUPS=()
on_exit() { _CLEANUPS+=("$1"); }
_run_cleanups() {
	local rc=$? i
	for ((i = ${#_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${_CLEANUPS[i]}" || true
	done
	return "$rc"
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM HUP

# apt_update_once : run apt-get update unless this project did so in the last day.
apt_update_once() {
	local stamp=/var/lib/apt/periodic/vsched-update-stamp
	if [[ -f $stamp ]] && [[ -z $(find "$stamp" -mmin +1440) ]]; then
		return 0
	fi
	log "apt-get update"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq </dev/null ||
		die "apt-get update failed"
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
}

# apt_install [-t RELEASE] PKG... : install the packages that are not installed yet.
apt_install() {
	local missing=() target=() p
	if [[ ${1:-} == -t ]]; then
		target=(-t "$2")
		shift 2
	fi
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	need_root
	apt_update_once
	log "apt-get install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
		--no-install-recommends "${target[@]}" "${missing[@]}" </dev/null >&2 ||
		die "apt-get install ${missing[*]} failed"
}

# A private apt state for Debian sid, so the bookworm host can look up and
# download sid packages without adding sid to its own sources.
SID_APT_DIR="$BUILD/apt-sid"
sid_apt_opts() {
	printf '%s\n' \
		-o "Dir::Etc::SourceList=$SID_APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o "Dir::State::Lists=$SID_APT_DIR/lists" \
		-o "Dir::State::status=$SID_APT_DIR/status" \
		-o "Dir::Cache=$SID_APT_DIR/cache" \
		-o Acquire::Check-Valid-Until=false \
		-o Acquire::Languages=none \
		-o APT::Sandbox::User=root \
		-o APT::Architecture=amd64 \
		-o APT::Architectures::=amd64
}
sid_apt_update() {
	local opts
	mapfile -t opts < <(sid_apt_opts)
	mkdir -p "$SID_APT_DIR"/lists/partial "$SID_APT_DIR"/cache/archives/partial
	echo "deb $MIRROR sid main" >"$SID_APT_DIR/sources.list"
	touch "$SID_APT_DIR/status"
	if [[ -f $SID_APT_DIR/updated ]] && [[ -z $(find "$SID_APT_DIR/updated" -mmin +1440) ]]; then
		return 0
	fi
	log "updating the private sid package lists from $MIRROR"
	apt-get "${opts[@]}" update -qq </dev/null || die "apt-get update for sid ($MIRROR) failed"
	touch "$SID_APT_DIR/updated"
}

# kernel_debs_72 : print the directory holding the 7.2 sid cloud kernel .debs
# (VSCHED_KERNEL_DEBS, the pinned shared copy, or a download of the current
# sid kernel), after checking it against its SHA256SUMS.
kernel_debs_72() {
	local dir="${VSCHED_KERNEL_DEBS:-}"
	if [[ -z $dir ]] && [[ -d $REPO/../shared/debs/linux-7.2.13-cloud ]]; then
		dir="$(cd "$REPO/../shared/debs/linux-7.2.13-cloud" && pwd)"
	fi
	if [[ -z $dir ]]; then
		dir="$(download_sid_kernel)"
	fi
	[[ -d $dir ]] || die "kernel .deb directory '$dir' (VSCHED_KERNEL_DEBS) does not exist"
	[[ -f $dir/SHA256SUMS ]] || die "no SHA256SUMS in kernel .deb directory '$dir'"
	(cd "$dir" && sha256sum --quiet -c SHA256SUMS >&2) ||
		die "kernel .debs in '$dir' do not match their SHA256SUMS"
	printf '%s\n' "$dir"
}

download_sid_kernel() {
	local opts meta ver pkgs dir p
	mapfile -t opts < <(sid_apt_opts)
	sid_apt_update
	meta="$(apt-cache "${opts[@]}" show linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[^ ,]*-cloud-amd64\) (=.*/\1/p' | awk 'NR == 1')"
	[[ -n $meta ]] || die "cannot find linux-image-cloud-amd64 in sid on $MIRROR"
	ver="${meta#linux-image-}"
	ver="${ver%-cloud-amd64}"
	dir="$BUILD/debs/sid-$ver"
	if [[ -f $dir/SHA256SUMS ]]; then
		printf '%s\n' "$dir"
		return 0
	fi
	log "downloading sid kernel $ver from $MIRROR"
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	pkgs=("linux-binary-$ver-cloud-amd64" "linux-modules-$ver-cloud-amd64"
		"linux-base-$ver-cloud-amd64" "linux-headers-$ver-cloud-amd64"
		"linux-headers-$ver-common" "linux-kbuild-$ver")
	if ! (cd "$dir.tmp" && apt-get "${opts[@]}" download -qq "${pkgs[@]}" </dev/null >&2); then
		# Stale lists name a kernel sid no longer has: refresh once and start over.
		[[ -z ${_SID_RETRIED:-} ]] || die "downloading ${pkgs[*]} from $MIRROR failed"
		log "download failed; refreshing the sid lists and retrying"
		rm -rf "$dir.tmp" "$SID_APT_DIR/updated"
		_SID_RETRIED=1 download_sid_kernel
		return
	fi
	for p in "${pkgs[@]}"; do
		compgen -G "$dir.tmp/${p}_*.deb" >/dev/null || die "download of $p produced no .deb"
	done
	(cd "$dir.tmp" && sha256sum -- *.deb >SHA256SUMS)
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
	printf '%s\n' "$dir"
}

# one_file GLOB : the single file matching GLOB, or die.
one_file() {
	local m=()
	mapfile -t m < <(compgen -G "$1" || true)
	((${#m[@]} == 1)) || die "expected exactly one file matching '$1', found ${#m[@]}"
	printf '%s\n' "${m[0]}"
}

# runtime_modules JAR : the Java modules the jar needs, cached by jar content.
runtime_modules() {
	local jar=$1 h cache mods
	h="$(sha256sum <"$jar" | cut -d' ' -f1)"
	cache="$BUILD/jre/jdeps-$h"
	if [[ ! -f $cache ]]; then
		mkdir -p "$BUILD/jre"
		log "jdeps $jar"
		mods="$("$HOST_JDK/bin/jdeps" --multi-release 25 --ignore-missing-deps \
			--print-module-deps "$jar" 2>"$BUILD/jre/jdeps.err")" ||
			die "jdeps failed on $jar: $(cat "$BUILD/jre/jdeps.err")"
		[[ $mods =~ ^[a-z0-9.,]+$ ]] || die "jdeps printed no module list for $jar: '$mods'"
		echo "$mods" >"$cache"
	fi
	mods="$(cat "$cache")"
	[[ -z ${VSCHED_JLINK_MODULES:-} ]] || mods="$mods,${VSCHED_JLINK_MODULES// /,}"
	printf '%s\n' "$mods"
}

# jlink_runtime MODULES : print the directory of a cached jlink'd runtime.
jlink_runtime() {
	local mods=$1 key dir
	key="$(hash_inputs "$HOST_JDK/release" "str:$mods" "str:jlink-v1")"
	dir="$BUILD/jre/rt-${key:0:16}"
	if [[ ! -x $dir/bin/java ]]; then
		log "jlink --add-modules $mods"
		rm -rf "$dir" "$dir.tmp"
		# A CDS archive spares the guest most of the class loading, slow under TCG.
		# (Its CDS step warns about absent java.logging classes: harmless, kept out of sight.)
		nice -n 10 "$HOST_JDK/bin/jlink" --add-modules "$mods" --strip-debug \
			--no-header-files --no-man-pages --generate-cds-archive \
			--output "$dir.tmp" >"$BUILD/jre/jlink.log" 2>&1 ||
			die "jlink of $mods from $HOST_JDK failed: $(tail -20 "$BUILD/jre/jlink.log")"
		mv "$dir.tmp" "$dir"
		find "$BUILD/jre" -maxdepth 1 -name 'rt-*' ! -path "$dir" -exec rm -rf {} +
	fi
	printf '%s\n' "$dir"
}

# vsched_jar : the guest agent jar to package (VSCHED_JAR overrides).
vsched_jar() {
	local jar="${VSCHED_JAR:-$REPO/guest-agent/target/vsched.jar}"
	[[ -f $jar ]] || die "jar '$jar' not found: build it with './mvnw -B -q package -DskipTests' or set VSCHED_JAR"
	printf '%s\n' "$jar"
}

# Where the guest test scripts live: the harness's and the agent's in
# vm-images/guest-tests, the scheduler's in bpf/tests, the module's in
# kmod/tests. A guest gets them all flat in /tests, with
# vm-images/guest-tests/lib.sh, which they all source.
GUEST_TEST_DIRS=("$VM_DIR/guest-tests" "$REPO/bpf/tests" "$REPO/kmod/tests")

# guest_test_files : the *.sh of GUEST_TEST_DIRS, one a line; fails when two
# share a name (they would overwrite each other in /tests).
guest_test_files() {
	local d f
	local -A seen=()
	for d in "${GUEST_TEST_DIRS[@]}"; do
		for f in "$d"/*.sh; do
			[[ -f $f ]] || continue
			[[ -z ${seen[${f##*/}]:-} ]] ||
				die "guest test ${f##*/} is both in ${seen[${f##*/}]} and in $d"
			seen[${f##*/}]=$d
			printf '%s\n' "$f"
		done
	done
}

# payload_files SERIES JAR : what goes to /opt/vsched in a guest: the jar, the
# JVM options its commands run with (guest-agent/jvm-flags, read by
# guest-tests/lib.sh), bpf/build/*.bpf.o and bpf/build/vsched-loader (static),
# and kmod/build/SERIES/vsched.ko, those when they are built.
payload_files() {
	printf '%s\n' "$2" "$REPO/guest-agent/jvm-flags"
	compgen -G "$REPO/bpf/build/*.bpf.o" | LC_ALL=C sort || true
	[[ ! -x $REPO/bpf/build/vsched-loader ]] || printf '%s\n' "$REPO/bpf/build/vsched-loader"
	[[ ! -f $REPO/kmod/build/$1/vsched.ko ]] || printf '%s\n' "$REPO/kmod/build/$1/vsched.ko"
}

# install_payload DEST FILE... : copy payload_files' output into DEST/opt/vsched.
install_payload() {
	local dest=$1/opt/vsched f
	shift
	mkdir -p "$dest"
	for f in "$@"; do
		case "$f" in
		*.bpf.o | */vsched-loader) mkdir -p "$dest/bpf" && cp "$f" "$dest/bpf/" ;;
		*.ko) mkdir -p "$dest/kmod" && cp "$f" "$dest/kmod/vsched.ko" ;;
		*/jvm-flags) cp "$f" "$dest/jvm-flags" ;;
		*) cp "$f" "$dest/vsched.jar" ;;
		esac
	done
}
