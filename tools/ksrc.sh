#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of an extracted Debian linux-source-6.12 tree in the cache,
# extracting /usr/src/linux-source-6.12.tar.xz on first use (and again only
# when the tarball changes). Callers running at once share one extraction.
set -euo pipefail

cache=${PVIOMMU_CACHE:-/var/cache/pviommu}
tarball=${PVIOMMU_KSRC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
tree=$cache/linux-source-6.12
stamp=$tree/.pviommu-extracted

if [ ! -f "$tarball" ]; then
	echo "ksrc: $tarball missing (run 'make deps')" >&2
	exit 1
fi
id=$(stat -c '%s %Y' "$tarball")
# One extraction at a time: a second caller waits for the first's tree.
mkdir -p "$cache"
exec 9> "$cache/.ksrc.lock"
flock 9
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$id" ]; then
	echo "ksrc: extracting $tarball into $cache" >&2
	rm -rf "$tree" "$cache/kunit-build"
	mkdir -p "$cache"
	tar -C "$cache" -xJf "$tarball"
	echo "$id" > "$stamp"
fi
echo "$tree"
