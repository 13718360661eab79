#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every static check and every test, in one run. The end-to-end
# test builds the patched QEMU first, once (tools/qemu/build.sh).
#
# Runs all steps even when one fails, then prints a table of steps and, as
# the last line, "N passed, N failed": the totals of KUnit cases and VM
# tests (kselftests and the VM script's own checks). A failed static step
# (build, sparse, checkpatch, ABI) counts as one failure, so the line never
# reads "0 failed" on a failing run. Exits non-zero on any failure.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
mkdir -p .build

passed=0
failed=0
declare -a report

step() {
	local name=$1 rc
	shift
	echo "==> $name"
	"$@"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		report+=("  ok      $name")
	else
		report+=("  FAILED  $name (exit $rc)")
	fi
	return "$rc"
}

# A static step: one failure if it fails.
static_step() {
	step "$@" || failed=$((failed + 1))
}

# A test step: its result file holds "passed failed".
test_step() {
	local name=$1 res=$2 p f
	shift 2
	rm -f "$res"
	step "$name" "$@"
	read -r p f < "$res" 2>/dev/null || { p=0; f=1; }
	passed=$((passed + p))
	failed=$((failed + f))
}

static_step "dependencies" tools/deps.sh
static_step "uAPI layout, 32- and 64-bit" make -s abi-check
static_step "6.12: W=1 and sparse" make -s build-6.12
static_step "6.1: W=1 and sparse" make -s build-6.1
static_step "layers: no circle, engine rooms call down" make -s layers
static_step "checkpatch --strict" tools/style.sh
static_step "QEMU series: the uAPI header it carries" tools/qemu/header-check.sh
static_step "dkms build for 6.12 and 6.1" make -s dkms-check
test_step "KUnit (UML, KASAN, UBSAN)" .build/kunit.result tools/kunit.sh
test_step "VM: kselftests with the module (6.12)" .build/vmtest.result \
	make -s vmtest
test_step "VM: kselftests with the module (6.12, AMD-Vi host IOMMU)" \
	.build/vmtest-amd.result make -s vmtest-amd
test_step "VM: kselftests with the module (6.1)" .build/vmtest-6.1.result \
	make -s vmtest-6.1
test_step "VM: a Linux guest under the patched QEMU, end to end (6.12)" \
	.build/vmtest-e2e.result make -s vmtest-e2e
test_step "VM: a Debian host with libvirt starts a guest with pviommu (6.12)" \
	.build/vmtest-libvirt.result make -s vmtest-libvirt

echo
echo "Summary:"
printf '%s\n' "${report[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
