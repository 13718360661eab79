#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/qemu/build.sh: build Debian's QEMU 7.2 with pviommu's patch series
# (tools/qemu/patches) into the cache, once, and print the path of its
# qemu-system-x86_64. A minimal x86_64 build: TCG, q35, VT-d, vfio-pci and
# edu (about 6 minutes on two cores). The build is keyed by the source
# package version, the patches, the device list (pviommu.mak) and the
# configure options, so a change to any of them builds anew; an unchanged
# key finds the binary at once.
#
# The source is the version of the installed qemu-system-x86 package (the
# stock QEMU the tests compare with), from the deb-src entries this script
# adds to apt's sources.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PVIOMMU_CACHE:-/var/cache/pviommu}
patches=$root/tools/qemu/patches
devices=$root/tools/qemu/pviommu.mak
configure_opts="--target-list=x86_64-softmmu --without-default-features
--without-default-devices --with-devices-x86_64=pviommu --disable-docs"

ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null) || {
	echo "qemu: qemu-system-x86 is not installed (run 'make deps')" >&2
	exit 1
}
key=$( (echo "$ver $configure_opts"; cat "$devices" "$patches"/*.patch) |
	sha256sum | cut -c1-16)
dir=$cache/qemu/$key
bin=$dir/build/qemu-system-x86_64
# One build at a time: a second caller waits for the first one's binary.
mkdir -p "$cache/qemu"
exec 9> "$cache/qemu/.lock"
flock 9
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

# What the build needs, and where apt finds the source.
export DEBIAN_FRONTEND=noninteractive
src_list=/etc/apt/sources.list.d/pviommu-deb-src.sources
if [ ! -f "$src_list" ]; then
	cat > "$src_list" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
echo "qemu: building Debian's QEMU $ver with pviommu's patches in $dir" >&2
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends dpkg-dev ninja-build meson \
	pkg-config libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev \
	python3 >&2

# Builds of other versions or patches go: only one is kept.
find "$cache/qemu" -mindepth 1 -maxdepth 1 ! -name "$key" ! -name .lock \
	-exec rm -rf {} +
mkdir -p "$dir/dl"
(cd "$dir/dl" && apt-get source --download-only "qemu=$ver" >&2)
dpkg-source -x "$dir"/dl/qemu_*.dsc "$dir/src" >&2
rm -rf "$dir/dl"
for p in "$patches"/*.patch; do
	patch -d "$dir/src" -p1 --quiet --forward < "$p" >&2
done

cp "$devices" "$dir/src/configs/devices/x86_64-softmmu/pviommu.mak"
mkdir -p "$dir/build"
# shellcheck disable=SC2086
(cd "$dir/build" && ../src/configure $configure_opts >&2 &&
	ninja qemu-system-x86_64 >&2)
# Only the binary is needed: drop the source and objects (about 1 GiB).
find "$dir/build" -mindepth 1 -maxdepth 1 ! -name qemu-system-x86_64 \
	-exec rm -rf {} +
rm -rf "$dir/src"
echo "$bin"
