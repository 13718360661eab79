#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The QEMU series' first patch carries a copy of the uAPI header
# (linux-headers/linux/pviommu.h, as QEMU's update-linux-headers.sh keeps
# kernel headers): it must be include/uapi/linux/pviommu.h as it is.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
patch=$(ls "$root"/tools/qemu/patches/0001-*.patch)
copy=$(mktemp)
trap 'rm -f "$copy"' EXIT
# The added lines of the new file, from its hunk to the patch's trailer.
awk '/^\+\+\+ b\/linux-headers\/linux\/pviommu\.h$/ { f = 1; next }
     f && /^@@/ { h = 1; next }
     f && h && /^\+/ { print substr($0, 2); next }
     f && h { exit }' "$patch" > "$copy"
if ! cmp -s "$copy" "$root/include/uapi/linux/pviommu.h"; then
	diff -u "$root/include/uapi/linux/pviommu.h" "$copy" | head -n 40
	echo "qemu: $(basename "$patch") carries another pviommu.h than" \
		"include/uapi/linux/pviommu.h: refresh the series" >&2
	exit 1
fi
echo "qemu: the series carries the current uAPI header"
