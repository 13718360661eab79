# SPDX-License-Identifier: GPL-2.0
#
# tools/vm/common.sh: the shell functions of the test VM's scripts (its
# init, tools/vm/init, and the libvirt test, tools/vm/libvirt-test),
# sourced by each: TAP checks and their counts, PCI lookups, waiting.

passed=0
failed=0
n=0

# check NAME COMMAND...: one TAP line for the command's exit status
check() {
	name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		passed=$((passed + 1))
		echo "ok $n vmtest: $name"
	else
		failed=$((failed + 1))
		echo "not ok $n vmtest: $name"
		return 1
	fi
}

# The PCI devices with vendor $1 and device $2, one per line.
find_pci() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = "$1" ] &&
		   [ "$(cat "$d/device")" = "$2" ]; then
			basename "$d"
		fi
	done
}

driver_of() {
	l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) || return 1
	basename "$l"
}

bind_vfio() {
	echo vfio-pci > "/sys/bus/pci/devices/$1/driver_override" &&
	echo "$1" > /sys/bus/pci/drivers_probe &&
	[ "$(driver_of "$1")" = vfio-pci ]
}

group_of() {
	basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"
}

# wait_until SECONDS COMMAND...: until COMMAND succeeds, for SECONDS at
# most; then COMMAND's result.
wait_until() {
	wu_left=$1
	shift
	while ! "$@" && [ "$wu_left" -gt 0 ]; do
		sleep 1
		wu_left=$((wu_left - 1))
	done
	"$@"
}

# not COMMAND...: succeeds when COMMAND fails.
not() {
	! "$@"
}
