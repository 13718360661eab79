#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run pviommu's KUnit suites on UML with KASAN and UBSAN, in Debian's 6.12
# source tree (extracted once into the cache), with this checkout linked in
# as drivers/iommu/pviommu. Writes "passed failed" to .build/kunit.result.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${PVIOMMU_CACHE:-/var/cache/pviommu}
result=$root/.build/kunit.result
mkdir -p "$root/.build"
echo "0 1" > "$result"

ksrc=$("$root/tools/ksrc.sh") || exit 1

# Link this checkout in; hook it into drivers/iommu once.
ln -sfn "$root/drivers/iommu/pviommu" "$ksrc/drivers/iommu/pviommu"
grep -q 'drivers/iommu/pviommu/Kconfig' "$ksrc/drivers/iommu/Kconfig" ||
	echo 'source "drivers/iommu/pviommu/Kconfig"' >> "$ksrc/drivers/iommu/Kconfig"
grep -q '^obj-y += pviommu/' "$ksrc/drivers/iommu/Makefile" ||
	echo 'obj-y += pviommu/' >> "$ksrc/drivers/iommu/Makefile"

log=$root/.build/kunit.log
cd "$ksrc" || exit 1
python3 tools/testing/kunit/kunit.py run \
	--kunitconfig=drivers/iommu/pviommu \
	--build_dir="$cache/kunit-build" \
	--jobs="$(nproc)" \
	--kconfig_add CONFIG_KASAN=y \
	--kconfig_add CONFIG_KASAN_VMALLOC=y \
	--kconfig_add CONFIG_UBSAN=y \
	--kconfig_add CONFIG_UBSAN_ALIGNMENT=n \
	"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# "Testing complete. Ran 6 tests: passed: 5, failed: 1"
summary=$(grep 'Testing complete\. Ran' "$log" | tail -n 1)
count() {
	echo "$summary" | grep -oE "$1: [0-9]+" | grep -oE '[0-9]+' || echo 0
}
passed=$(count passed)
failed=$(( $(count failed) + $(count crashed) + $(count errors) ))
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1	# the build or the run itself failed
fi
if [ "$rc" -eq 0 ] && [ "$passed" -eq 0 ]; then
	echo "kunit: no test ran" >&2
	failed=1
	rc=1
fi
echo "$passed $failed" > "$result"
echo "kunit: $passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
