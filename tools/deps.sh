#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything pviommu builds and tests with, from Debian packages.
# Idempotent: a second run with everything present does nothing but check.
# Versions are resolved from apt at run time: the newest 6.12 +deb12 kernel
# image with its matching headers, and the newest 6.1.0 headers with their
# image.
set -euo pipefail

BASE_PKGS="build-essential bc flex bison libelf-dev libssl-dev python3 cpio
sparse qemu-system-x86 busybox-static linux-source-6.12 xz-utils kmod
pciutils gcc-multilib rsync dkms mmdebstrap"

newest() {
	# newest package name matching an extended regex, by version sort
	apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -n 1
}

have_all() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || return 1
	done
}

stamp=${PVIOMMU_CACHE:-/var/cache/pviommu}/deps.stamp
# A cheap fast path: when this script is unchanged since the stamp was
# written and the packages it names are all installed, skip apt entirely
# (an update costs ~10 s).
self=$(sha256sum "$0" | cut -d' ' -f1)
# shellcheck disable=SC2046,SC2086
if [ -f "$stamp" ] && [ "$(head -n 1 "$stamp")" = "$self" ] &&
	have_all $(tail -n +2 "$stamp"); then
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq

img=$(newest '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$')
[ -n "$img" ] || { echo "deps: no linux-image-6.12.*+deb12-amd64-unsigned in apt" >&2; exit 1; }
ver=${img#linux-image-}
ver=${ver%-unsigned}
hdr612=linux-headers-$ver
hdr61=$(newest '^linux-headers-6\.1\.0-[0-9]+-amd64$')
[ -n "$hdr61" ] || { echo "deps: no linux-headers-6.1.0-*-amd64 in apt" >&2; exit 1; }
# The 6.1 kernel image matching those headers, for the VM tests on 6.1.
img61=linux-image-${hdr61#linux-headers-}-unsigned

pkgs="$BASE_PKGS $img $hdr612 $hdr61 $img61"
# shellcheck disable=SC2086
if ! have_all $pkgs; then
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $pkgs
fi
mkdir -p "$(dirname "$stamp")"
printf '%s\n%s\n' "$self" "$pkgs" > "$stamp"
echo "deps: $img $hdr612 $hdr61 $img61"
