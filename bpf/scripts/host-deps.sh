#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs what building and loading the vACT tracing programs on a Debian
# bookworm host needs: clang (BPF target), libbpf headers/library and bpftool
# (vmlinux.h from the running kernel's BTF, loading for tests). libbpf-dev 1.4
# and bpftool 7.5 exist only in bookworm-backports, so that suite is enabled.
# Idempotent: a fast no-op when everything is present.
set -euo pipefail

CLANG=${VSCHED_CLANG:-clang-19}
need=()
command -v "$CLANG" >/dev/null 2>&1 || need+=("$CLANG")
command -v bpftool >/dev/null 2>&1 || need+=(bpftool)
# libbpf >= 1.4 is needed for bpf_ksym_exists()/__weak kfunc handling.
if ! pkg-config --atleast-version=1.4 libbpf 2>/dev/null; then
	need+=(libbpf-dev)
fi
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v make >/dev/null 2>&1 || need+=(make)
dpkg -s libelf-dev >/dev/null 2>&1 || need+=(libelf-dev)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)

if [ ${#need[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "host-deps.sh: missing ${need[*]} and not root; run as root" >&2
	exit 1
fi

. /etc/os-release
if [ "${VERSION_CODENAME:-}" != bookworm ]; then
	echo "host-deps.sh: expected Debian bookworm, found '${VERSION_CODENAME:-unknown}';" \
		"install ${need[*]} by hand" >&2
	exit 1
fi

bp=/etc/apt/sources.list.d/vsched-bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	cat >"$bp" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi

export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
	-t bookworm-backports "${need[@]}"
