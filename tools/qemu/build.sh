#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/qemu/build.sh: build Debian's QEMU 7.2 with pviommu's patch series
# (tools/qemu/patches) into the cache, once, and print the path of its
# qemu-system-x86_64. A minimal x86_64 build: TCG, q35, VT-d, vfio-pci and
# edu (about 6 minutes on two cores). The build is keyed by the source
# package version and a hash of the patches and of this script, so a
# change to either builds anew; an unchanged key finds the binary at once.
#
# The source is the version of the installed qemu-system-x86 package (the
# stock QEMU the tests compare with), from the deb-src entries this script
# adds to apt's sources.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PVIOMMU_CACHE:-/var/cache/pviommu}
patches=$root/tools/qemu/patches

ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null) || {
	echo "qemu: qemu-system-x86 is not installed (run 'make deps')" >&2
	exit 1
}
key=$( (echo "$ver"; cat "$0" "$patches"/*.patch) | sha256sum | cut -c1-16)
dir=$cache/qemu/$key
bin=$dir/build/qemu-system-x86_64
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
mkdir -p "$cache/qemu"
find "$cache/qemu" -mindepth 1 -maxdepth 1 ! -name "$key" -exec rm -rf {} +
mkdir -p "$dir/dl"
(cd "$dir/dl" && apt-get source --download-only "qemu=$ver" >&2)
dpkg-source -x "$dir"/dl/qemu_*.dsc "$dir/src" >&2
rm -rf "$dir/dl"
for p in "$patches"/*.patch; do
	patch -d "$dir/src" -p1 --quiet --forward < "$p" >&2
done

# The devices the tests use, on top of what q35 itself selects.
cat > "$dir/src/configs/devices/x86_64-softmmu/pviommu.mak" <<'EOF'
CONFIG_Q35=y
CONFIG_VTD=y
CONFIG_VFIO_PCI=y
CONFIG_EDU=y
EOF
mkdir -p "$dir/build"
(cd "$dir/build" &&
	../src/configure --target-list=x86_64-softmmu \
		--without-default-features --without-default-devices \
		--with-devices-x86_64=pviommu --disable-docs >&2 &&
	ninja qemu-system-x86_64 >&2)
# Only the binary is needed: drop the source and objects (about 1 GiB).
find "$dir/build" -mindepth 1 -maxdepth 1 ! -name qemu-system-x86_64 \
	-exec rm -rf {} +
rm -rf "$dir/src"
echo "$bin"
