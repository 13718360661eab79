#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/qemu/stock.sh: Debian's stock QEMU 10.0 (the qemu-system-x86
# package of bookworm-backports, Debian 13's QEMU), unpacked into the cache
# without installing it, and the path of its qemu-system-x86_64: the stock
# side of the end-to-end benchmark, the same QEMU version as the patched
# one (tools/qemu/build.sh). Its libraries are Debian 12's; its firmware
# comes from Debian 12's seabios and qemu-system-data, as the patched
# QEMU's does.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PVIOMMU_CACHE:-/var/cache/pviommu}

"$root/tools/backports.sh"
ver=$(apt-cache madison qemu-system-x86 | awk -F'|' '/bookworm-backports/ {
	gsub(/ /, "", $2); print $2; exit }')
[ -n "$ver" ] || {
	echo "qemu: no qemu-system-x86 in bookworm-backports" >&2
	exit 1
}
dir=$cache/qemu-stock/${ver//[:~+]/_}
bin=$dir/root/usr/bin/qemu-system-x86_64
mkdir -p "$cache/qemu-stock"
exec 9> "$cache/qemu-stock/.lock"
flock 9
if [ ! -x "$bin" ]; then
	find "$cache/qemu-stock" -mindepth 1 -maxdepth 1 ! -name .lock \
		-exec rm -rf {} +
	mkdir -p "$dir/dl"
	(cd "$dir/dl" && apt-get download -qq "qemu-system-x86=$ver" >&2)
	dpkg-deb -x "$dir"/dl/qemu-system-x86_*.deb "$dir/root"
	rm -rf "$dir/dl"
fi
echo "$bin"
