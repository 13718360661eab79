#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbuild-check.sh KDIR OUTDIR [MAKE ARGS]: build pviommu.ko against KDIR
# with W=1 and sparse (C=1) in a private copy of the sources, and fail on
# any warning; the same for the end-to-end benchmark's L2 driver
# (tools/vm/l2dma).
set -euo pipefail

kdir=$1
out=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "$kdir" ] || [ ! -d "$kdir" ]; then
	echo "kbuild-check: no kernel build tree '$kdir' (run 'make deps')" >&2
	exit 1
fi

rm -rf "$out"
mkdir -p "$out/tools"
out=$(cd "$out" && pwd)	# Kbuild needs M= absolute
cp -a "$root/Kbuild" "$root/drivers" "$root/include" "$out/"
cp -a "$root/tools/compat-probe.sh" "$out/tools/"
find "$out" \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' -o \
	-name '*.mod*' \) -delete

log=$out/build.log
echo "  BUILD   $(basename "$kdir") W=1 C=1"
if ! make -C "$kdir" M="$out" CONFIG_PVIOMMU=m W=1 C=1 "$@" modules \
	>"$log" 2>&1; then
	cat "$log"
	echo "kbuild-check: build against $kdir failed" >&2
	exit 1
fi
if grep -E 'warning:|error:' "$log"; then
	echo "kbuild-check: diagnostics in the build against $kdir" >&2
	exit 1
fi
test -f "$out/drivers/iommu/pviommu/pviommu.ko"

cp -a "$root/tools/vm/l2dma" "$out/l2dma"
cp "$root/selftests/pviommu/edu.h" "$out/l2dma/"
if ! make -C "$kdir" M="$out/l2dma" W=1 C=1 modules >"$log" 2>&1 ||
	grep -E 'warning:|error:' "$log"; then
	cat "$log"
	echo "kbuild-check: tools/vm/l2dma against $kdir: diagnostics" >&2
	exit 1
fi
test -f "$out/l2dma/l2dma.ko"
