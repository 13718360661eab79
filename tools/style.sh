#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch --strict on every C source, header and Kconfig file of the
# project, with the checkpatch of Debian's 6.12 source tree.
#
# Ignored: MACRO_ARG_REUSE (this project's multi-use macro arguments are
# types and ioctl numbers, as in iommufd's IOCTL_OP; none has side effects).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ksrc=$("$root/tools/ksrc.sh")
cd "$root"

if git rev-parse --git-dir >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files -co --exclude-standard -- \
		'*.c' '*.h' '*Kconfig' | sort)
else
	mapfile -t files < <(find drivers include selftests tools \
		-name '*.[ch]' -o -name Kconfig | sort)
fi
[ "${#files[@]}" -gt 0 ] || { echo "style: no sources" >&2; exit 1; }

bad=0
for f in "${files[@]}"; do
	if ! out=$("$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types --ignore MACRO_ARG_REUSE \
		-f "$f" 2>&1); then
		echo "$out"
		bad=1
	fi
done

# kernel-doc comments feed Documentation/: they must parse without warnings.
mapfile -t kdoc < <(printf '%s\n' "${files[@]}" | grep -E '^(drivers|include)/.*\.[ch]$')
if ! out=$("$ksrc/scripts/kernel-doc" -none -Wall "${kdoc[@]}" 2>&1) ||
	[ -n "$out" ]; then
	echo "$out"
	bad=1
fi

if [ "$bad" -ne 0 ]; then
	echo "style: checkpatch --strict or kernel-doc found problems" >&2
	exit 1
fi
echo "style: checkpatch --strict and kernel-doc clean on ${#files[@]} files"
