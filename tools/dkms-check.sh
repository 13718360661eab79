#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh KERNEL-VERSION...: "dkms add" and "dkms build" of this
# checkout (dkms.conf) for each kernel, in a scratch dkms tree and source
# tree, as an administrator's "dkms install" builds it; fails unless each
# build yields pviommu.ko for its kernel.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$root/dkms.conf")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src/pviommu-$ver
mkdir -p "$src" "$tmp/tree"
# What dkms needs: the Kbuild files, the sources, the compat probes.
(cd "$root" && cp -a dkms.conf Kbuild drivers include host "$src/" &&
	mkdir -p "$src/tools" && cp tools/compat-probe.sh "$src/tools/")
# dkms build does not run POST_INSTALL; dkms install would, from here.
post=$(sed -n 's/^POST_INSTALL="\(.*\)"$/\1/p' "$root/dkms.conf")
if [ ! -x "$src/$post" ]; then
	echo "dkms-check: POST_INSTALL $post is not in the dkms source tree" >&2
	exit 1
fi
find "$src" \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' -o \
	-name '*.mod*' -o -name '.*.d' \) -delete

dkms=(dkms --dkmstree "$tmp/tree" --sourcetree "$tmp/src")
"${dkms[@]}" add -m pviommu -v "$ver" >/dev/null
for kver in "$@"; do
	echo "  DKMS    pviommu $ver for $kver"
	if ! "${dkms[@]}" build -m pviommu -v "$ver" -k "$kver" \
		>"$tmp/build.log" 2>&1; then
		cat "$tmp/build.log"
		cat "$tmp/tree/pviommu/$ver/build/make.log" 2>/dev/null
		echo "dkms-check: dkms build for $kver failed" >&2
		exit 1
	fi
	ko=$(find "$tmp/tree/pviommu/$ver/$kver" -name 'pviommu.ko*' | head -n 1)
	if [ -z "$ko" ]; then
		echo "dkms-check: no pviommu.ko for $kver" >&2
		exit 1
	fi
	if [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" != "$kver" ]; then
		echo "dkms-check: $ko is not built for $kver" >&2
		exit 1
	fi
done
