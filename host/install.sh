#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a KVM host needs besides the module (dkms's POST_INSTALL, make
# install), each only where its consumer is installed:
# - udev: /dev/pviommu in group kvm, mode 0660 (60-pviommu.rules), applied
#   to a /dev/pviommu that exists already;
# - AppArmor: the libvirt-qemu abstraction's drop-in (pviommu.apparmor), so
#   that the profile of each domain libvirt starts lets QEMU open it;
# - libvirt: /dev/pviommu in qemu.conf's cgroup_device_acl, the devices a
#   domain's cgroup allows and its private /dev holds. libvirt reads no
#   drop-in for qemu.conf: the list is added once, after libvirt's own
#   defaults as the installed qemu.conf documents them, and libvirt
#   restarted to read it (running domains stay). A list the administrator
#   set already is left alone, with a message.
# PVIOMMU_ROOT installs into another root file system.
set -e
dir=$(cd "$(dirname "$0")" && pwd)
r=${PVIOMMU_ROOT:-}

mkdir -p "$r/etc/udev/rules.d"
install -m 644 "$dir/60-pviommu.rules" "$r/etc/udev/rules.d/60-pviommu.rules"
if [ -z "$r" ] && command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
	udevadm control --reload-rules || :
	udevadm trigger --subsystem-match=misc --sysname-match=pviommu || :
fi

aa=$r/etc/apparmor.d/abstractions
if [ -f "$aa/libvirt-qemu" ]; then
	mkdir -p "$aa/libvirt-qemu.d"
	install -m 644 "$dir/pviommu.apparmor" "$aa/libvirt-qemu.d/pviommu"
fi

conf=$r/etc/libvirt/qemu.conf
[ -f "$conf" ] || exit 0
if grep -q '^[[:space:]]*cgroup_device_acl' "$conf"; then
	if ! grep -q '"/dev/pviommu"' "$conf"; then
		echo "pviommu: $conf sets cgroup_device_acl already: add \"/dev/pviommu\" to it and restart libvirt" >&2
	fi
	exit 0
fi
# libvirt's defaults: the commented list in its own qemu.conf.
defaults=$(sed -n '/^#cgroup_device_acl = \[/,/^#\]/p' "$conf" |
	sed '1d;$d;s/^#//')
if [ -z "$defaults" ]; then
	echo "pviommu: no default cgroup_device_acl in $conf: add one with \"/dev/pviommu\" and restart libvirt" >&2
	exit 0
fi
{
	echo
	echo "# pviommu (host/install.sh): libvirt's default devices and /dev/pviommu"
	echo "cgroup_device_acl = ["
	echo "$defaults,"
	echo '    "/dev/pviommu"'
	echo "]"
} >> "$conf"
if [ -z "$r" ] && [ -d /run/systemd/system ]; then
	# The monolithic daemon or the modular one, whichever is there.
	for u in libvirtd virtqemud; do
		if systemctl cat "$u.service" > /dev/null 2>&1; then
			systemctl try-restart "$u.service" || :
		fi
	done
fi
