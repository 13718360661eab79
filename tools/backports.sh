#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/backports.sh: make Debian 12's bookworm-backports suite known to
# apt, binaries and sources (QEMU 10.0 and libvirt 11.3 of Debian 13, and
# the Meson that builds that QEMU). Packages from it install only when
# asked for with -t bookworm-backports. Idempotent: apt-get update runs
# only when the suite's lists are missing.
set -euo pipefail

list=/etc/apt/sources.list.d/pviommu-backports.sources
if [ ! -f "$list" ]; then
	cat > "$list" <<'EOS'
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
fi
if ! apt-cache showsrc qemu 2>/dev/null | grep -q '^Version: .*~bpo12'; then
	apt-get update -qq >&2
fi
