#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/vm/rootfs.sh: a Debian 12 root file system with Debian 13's libvirt
# and QEMU from bookworm-backports, as an administrator's KVM host has them
# (systemd, udev, AppArmor, libvirt-daemon-system), built with mmdebstrap
# and cached as a tar file; prints its path. The libvirt test
# (make vmtest-libvirt) boots it as the test VM's root. The cache is keyed
# by this script and by the candidate versions of the packages it asks
# for, so a new libvirt or QEMU in either suite or a change here builds it
# again (a new version of a dependency alone does not).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PVIOMMU_CACHE:-/var/cache/pviommu}
mirror=http://deb.debian.org/debian
pkgs="libvirt-daemon-system libvirt-clients qemu-system-x86 apparmor kmod"

"$root/tools/backports.sh"
command -v mmdebstrap > /dev/null || {
	echo "rootfs: mmdebstrap is missing (make deps)" >&2
	exit 1
}
# What apt takes from bookworm-backports when asked to (-t): its
# candidates' versions are the part of the key that the suites change.
# shellcheck disable=SC2086
vers=$(apt-cache -t bookworm-backports policy $pkgs | grep -E '^\S|Candidate')
key=$( (cat "$0"; echo "$vers") | sha256sum | cut -c1-16)
dir=$cache/rootfs
tar=$dir/$key.tar
mkdir -p "$dir"
exec 9> "$dir/.lock"
flock 9
if [ ! -s "$tar" ]; then
	find "$dir" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
	# No documentation, manual pages or translations: the file system
	# is a RAM disk in the VM.
	mmdebstrap --quiet --variant=apt \
		--aptopt='APT::Install-Recommends "false"' \
		--aptopt='APT::Default-Release "bookworm-backports"' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		--include="${pkgs// /,}" \
		bookworm "$dir/$key.tmp.tar" "deb $mirror bookworm main" \
		"deb $mirror bookworm-backports main" >&2
	mv "$dir/$key.tmp.tar" "$tar"
fi
echo "$tar"
