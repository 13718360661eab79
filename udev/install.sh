#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the udev rule for /dev/pviommu (dkms's POST_INSTALL, make install)
# and apply it to a /dev/pviommu that exists already.
set -e
dir=$(cd "$(dirname "$0")" && pwd)
dest=${PVIOMMU_UDEV_DIR:-/etc/udev/rules.d}
mkdir -p "$dest"
install -m 644 "$dir/60-pviommu.rules" "$dest/60-pviommu.rules"
if command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
	udevadm control --reload-rules || :
	udevadm trigger --subsystem-match=misc --sysname-match=pviommu || :
fi
