#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run a command inside the sid toolchain chroot (built first if needed):
#   vm-images/scripts/in-toolchain.sh make -C kmod KDIR=...
# The repository is bind-mounted at /src and the current directory is mapped
# to the same place below /src (or /src itself when outside the repository).
# Everything runs in a private mount namespace with its own /proc (objtool
# needs it), /dev, /sys and /tmp, so the mounts vanish with the command.
# Environment: PATH/HOME/LANG/TERM are set; VSCHED_* and MAKEFLAGS pass through.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${1:-} == --inside-ns ]]; then
	# Second stage, already in the private mount namespace.
	shift
	root=$1 wd=$2
	shift 2
	# Never mount anything in the caller's namespace: the first stage passes
	# its own mount namespace, which this one must differ from.
	[[ -n ${_VSCHED_OUTER_MNT_NS:-} && $(readlink /proc/self/ns/mnt) != "$_VSCHED_OUTER_MNT_NS" ]] ||
		die "--inside-ns is internal: run in-toolchain.sh COMMAND"
	[[ -d $root/src && -x $root/usr/bin/gcc-16 ]] || die "'$root' is not the toolchain chroot"
	mount --rbind "$REPO" "$root/src"
	mount -t proc proc "$root/proc"
	mount --rbind /dev "$root/dev"
	mount -t sysfs -o ro sysfs "$root/sys"
	mount -t tmpfs tmpfs "$root/tmp"
	envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		HOME=/root LANG=C.UTF-8 "TERM=${TERM:-dumb}")
	while IFS='=' read -r -d '' k v; do
		[[ $k == VSCHED_* || $k == MAKEFLAGS ]] && envs+=("$k=$v")
	done < <(env -0)
	# shellcheck disable=SC2016 # expanded by the inner sh
	exec chroot "$root" env -i "${envs[@]}" sh -c 'cd "$1" && shift && exec "$@"' sh "$wd" "$@"
fi

(($#)) || die "usage: in-toolchain.sh COMMAND [ARG...]"
need_root
need_cmd unshare chroot flock
root="$("$VM_SCRIPTS/toolchain.sh")"

cwd="$(pwd -P)"
repo="$(cd "$REPO" && pwd -P)"
case "$cwd/" in
"$repo"/*) wd="/src${cwd#"$repo"}" ;;
*) wd=/src ;;
esac

# Shared lock so toolchain.sh does not replace the chroot under a running command.
exec 9>"$BUILD/toolchain.lock"
flock -s 9
_VSCHED_OUTER_MNT_NS="$(readlink /proc/self/ns/mnt)" \
	unshare --mount --propagation private "$0" --inside-ns "$root" "$wd" "$@"
