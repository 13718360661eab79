#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/qemu/build.sh: build QEMU 10.0, as Debian 13 ships it (also in
# Debian 12's bookworm-backports), with pviommu's patch series
# (tools/qemu/patches) into the cache, once, and print the path of its
# qemu-system-x86_64. A minimal x86_64 build: TCG, q35, VT-d, vfio-pci, edu
# and the root ports and bridges of libvirt's layouts (pviommu.mak; about
# 10 minutes on two cores). The build is keyed by the source version, the
# patches, the device list and the configure options, so a change to any
# of them builds anew; an unchanged key finds the binary at once.
#
# The source is the newest qemu source package of bookworm-backports. Its
# upstream tarball (10.0.2+ds: upstream 10.0.2 without the prebuilt
# firmware) is what is built; the archive serves that file but not the
# package's .dsc and debian/ patches, so Debian's own patches are not
# applied. The build needs Meson 1.5 or newer, from the same suite.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PVIOMMU_CACHE:-/var/cache/pviommu}
patches=$root/tools/qemu/patches
devices=$root/tools/qemu/pviommu.mak
# Debian's prefix and firmware path: the binary takes the place of the
# qemu-system-x86 package's on a Debian host (the libvirt test), and finds
# the firmware of Debian's qemu-system-data, seabios and ipxe-qemu there.
configure_opts="--python=/usr/bin/python3 --target-list=x86_64-softmmu
--without-default-features --without-default-devices
--with-devices-x86_64=pviommu --disable-docs --disable-download
--disable-install-blobs --prefix=/usr
--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu"

"$root/tools/backports.sh"
ver=$(apt-cache showsrc qemu | sed -n 's/^Version: //p' | grep '~bpo12' |
	sort -V | tail -n 1)
[ -n "$ver" ] || {
	echo "qemu: no qemu source in bookworm-backports" >&2
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

export DEBIAN_FRONTEND=noninteractive
echo "qemu: building QEMU $ver with pviommu's patches in $dir" >&2
apt-get install -y -qq --no-install-recommends ninja-build pkg-config \
	libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev python3 \
	python3-venv bzip2 curl >&2
apt-get install -y -qq --no-install-recommends -t bookworm-backports \
	meson python3-pycotap >&2

# Builds of other versions or patches go: only one is kept.
find "$cache/qemu" -mindepth 1 -maxdepth 1 ! -name "$key" ! -name .lock \
	-exec rm -rf {} +
mkdir -p "$dir/dl" "$dir/src"
# The upstream tarball, checked against the sum in the Sources index.
read -r url file _ sum < <(apt-get source --print-uris -qq "qemu=$ver" |
	grep "\.orig\.tar\." | tr -d "'")
curl -fsS -o "$dir/dl/$file" "$url"
echo "${sum#SHA256:}  $dir/dl/$file" | sha256sum -c --quiet
tar -xJf "$dir/dl/$file" -C "$dir/src" --strip-components=1
rm -rf "$dir/dl"
# +ds drops the EDK2 firmware, whose files meson still lists: empty ones
# do (the tests boot SeaBIOS from Debian's packages).
for f in aarch64-code arm-code arm-vars riscv-code riscv-vars i386-code \
	i386-secure-code i386-vars x86_64-code x86_64-secure-code \
	loongarch64-code loongarch64-vars; do
	[ -e "$dir/src/pc-bios/edk2-$f.fd.bz2" ] ||
		bzip2 < /dev/null > "$dir/src/pc-bios/edk2-$f.fd.bz2"
done
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
