#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/layers.sh OBJDIR: the module's files call each other in one
# direction only. From the objects of a build (OBJDIR holds them: the
# module's drivers/iommu/pviommu), which file calls which: a file that
# uses a symbol another defines calls it. Fails when the calls form a
# circle anywhere, or when a room of the shadow engine calls a room above
# it (the order is shadow.c's: fault, entries, reconcile, devices, apply,
# shadow).
set -euo pipefail

dir=${1:?usage: layers.sh OBJDIR}
cd "$dir"
mapfile -t objs < <(find . -maxdepth 1 -name '*.o' -printf '%f\n' | sort |
	grep -v -e '^pviommu\.o$' -e '\.mod\.o$' -e '^pviommu_kunit\.o$')
[ "${#objs[@]}" -gt 5 ] || { echo "layers: no objects in $dir" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for o in "${objs[@]}"; do
	nm --defined-only "$o" | awk -v o="${o%.o}" '$2 ~ /^[TDRB]$/ { print $3, o }'
done | sort > "$tmp/defs"
for o in "${objs[@]}"; do
	nm -u "$o" | awk -v o="${o%.o}" '{ print $2, o }'
done | sort > "$tmp/uses"
# "caller callee" for every use of a symbol another file defines.
join "$tmp/uses" "$tmp/defs" | awk '$2 != $3 { print $2, $3 }' | sort -u \
	> "$tmp/edges"

status=0
if ! tsort "$tmp/edges" > /dev/null 2> "$tmp/loop"; then
	echo "layers: the files call each other in a circle:" >&2
	cat "$tmp/loop" >&2
	status=1
fi

rank() {
	case $1 in
	shadow_fault) echo 1 ;;
	shadow_entries) echo 2 ;;
	shadow_reconcile) echo 3 ;;
	shadow_devices) echo 4 ;;
	shadow_apply) echo 5 ;;
	shadow) echo 6 ;;
	*) echo 0 ;;
	esac
}
while read -r from to; do
	rf=$(rank "$from")
	rt=$(rank "$to")
	if [ "$rf" -gt 0 ] && [ "$rt" -gt 0 ] && [ "$rt" -ge "$rf" ]; then
		echo "layers: $from.c calls $to.c, a room above it" >&2
		status=1
	fi
done < "$tmp/edges"
[ "$status" -eq 0 ] &&
	echo "layers: $(wc -l < "$tmp/edges") calls between ${#objs[@]} files, one direction"
exit "$status"
