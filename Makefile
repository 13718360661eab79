# SPDX-License-Identifier: GPL-2.0
#
# pviommu: out-of-tree module build and test entry points.
#
#   make               build pviommu.ko for KDIR
#   make demo          boot a VM, load the module, show a device's DMA
#                      going through a guest-controlled shadow mapping
#   make check         every check and test; ends with "N passed, N failed"
#   make bench         pviommu vs VFIO type1 + userspace walk vs the floor
#   make bench-e2e     a Linux guest: stock QEMU + VFIO vs QEMU + pviommu
#   make deps          install what builds and tests need (Debian packages)
#   make install       dkms add + install of this checkout, host/install.sh
#   make kunit         KUnit suites on UML (core logic, fake host)
#   make vmtest        kselftests in a QEMU VM with the real module
#   make vmtest-6.1    the same on Debian's 6.1 kernel
#   make vmtest-e2e    a Linux guest under the patched QEMU, end to end
#   make vmtest-libvirt  a Debian host with libvirt: virsh starts that guest
#   make style         checkpatch --strict on all sources
#   make sparse        sparse (C=1) build
#   make build-6.1     W=1 build against Debian's 6.1 headers
#   make build-6.12    W=1 build against Debian's 6.12 headers
#   make dkms-check    dkms add/build against Debian's 6.12 and 6.1 headers

# The running kernel's build tree when it has one, else the newest Debian
# 6.12 headers (the kernel the VM tests boot).
KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	  if [ -d "$$d" ]; then echo "$$d"; \
	  else ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | \
	       sort -V | tail -n 1; fi)
KDIR_61 ?= $(shell ls -d /usr/src/linux-headers-6.1.0-*-amd64 2>/dev/null | \
	     sort -V | tail -n 1)
KDIR_612 ?= $(shell ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | \
	      sort -V | tail -n 1)

export PVIOMMU_CACHE ?= /var/cache/pviommu
BUILD := $(CURDIR)/.build

KBUILD_ARGS = -C $(KDIR) M=$(CURDIR) CONFIG_PVIOMMU=m

all: modules

modules: abi-check
	@test -n "$(KDIR)" || { echo "no kernel build tree; run 'make deps' or set KDIR" >&2; exit 1; }
	$(MAKE) $(KBUILD_ARGS) modules

clean:
	-$(MAKE) $(KBUILD_ARGS) clean
	rm -rf $(BUILD)

deps:
	tools/deps.sh

# An administrator's install: the module through dkms for every installed
# kernel (dkms.conf, whose POST_INSTALL runs host/install.sh: the udev
# rule, and libvirt's AppArmor and qemu.conf entries where it is installed).
PVIOMMU_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
install:
	rm -rf /usr/src/pviommu-$(PVIOMMU_VERSION)
	mkdir -p /usr/src/pviommu-$(PVIOMMU_VERSION)
	cp -a dkms.conf Kbuild drivers include host /usr/src/pviommu-$(PVIOMMU_VERSION)/
	mkdir -p /usr/src/pviommu-$(PVIOMMU_VERSION)/tools
	cp tools/compat-probe.sh /usr/src/pviommu-$(PVIOMMU_VERSION)/tools/
	dkms remove -m pviommu -v $(PVIOMMU_VERSION) --all 2>/dev/null || :
	dkms add -m pviommu -v $(PVIOMMU_VERSION)
	dkms install -m pviommu -v $(PVIOMMU_VERSION)

# Every uAPI struct must have one layout for 32- and 64-bit userspace.
abi-check:
	@for m in -m32 -m64; do \
		$(CC) $$m -std=gnu11 -fsyntax-only -Wall -Werror \
			-Iinclude/uapi tools/uapi-abi-check.c || exit 1; \
	done

# The checked builds are the test builds: with the fault injection points
# (CONFIG_PVIOMMU_FAULT_INJECTION), which the VM tests use.
TEST_CONFIG := CONFIG_PVIOMMU_FAULT_INJECTION=y

build-6.1:
	tools/kbuild-check.sh "$(KDIR_61)" $(BUILD)/6.1 $(TEST_CONFIG)

build-6.12:
	tools/kbuild-check.sh "$(KDIR_612)" $(BUILD)/6.12 $(TEST_CONFIG)

# The module's files call each other in one direction (tools/layers.sh).
layers: build-6.12
	tools/layers.sh $(BUILD)/6.12/drivers/iommu/pviommu

# sparse runs as part of the checked builds above (C=1).
sparse: build-6.12

# dkms add + build of this checkout for Debian's 6.12 and 6.1 kernels, in
# a scratch dkms tree.
dkms-check:
	tools/dkms-check.sh $(patsubst linux-headers-%,%,$(notdir $(KDIR_612))) \
		$(patsubst linux-headers-%,%,$(notdir $(KDIR_61)))

style:
	tools/style.sh

kunit:
	tools/kunit.sh

selftests:
	$(MAKE) -C selftests/pviommu OUT=$(BUILD)/selftests

vmtest: build-6.12
	PVIOMMU_KO=$(BUILD)/6.12/drivers/iommu/pviommu/pviommu.ko \
		tools/vmtest.sh "$(KDIR_612)"

# The same VM tests with AMD-Vi as the VM's host IOMMU (6.12).
vmtest-amd: build-6.12
	PVIOMMU_KO=$(BUILD)/6.12/drivers/iommu/pviommu/pviommu.ko \
	PVIOMMU_RESULT=$(BUILD)/vmtest-amd.result PVIOMMU_VM_IOMMU=amd \
		tools/vmtest.sh "$(KDIR_612)"

# The same VM tests on Debian's 6.1 kernel, with the module built for it.
vmtest-6.1: build-6.1
	PVIOMMU_KO=$(BUILD)/6.1/drivers/iommu/pviommu/pviommu.ko \
	PVIOMMU_RESULT=$(BUILD)/vmtest-6.1.result \
		tools/vmtest.sh "$(KDIR_61)"

# The end-to-end test: the patched QEMU (tools/qemu, built once into the
# cache) runs a Linux guest inside the test VM, with an edu assigned.
vmtest-e2e: modules
	PVIOMMU_RESULT=$(BUILD)/vmtest-e2e.result \
		tools/vmtest.sh "$(KDIR)" e2e

# libvirt as an administrator runs it: the test VM boots a Debian root
# file system with libvirt and the patched QEMU (tools/vm/libvirt-test).
vmtest-libvirt: modules
	PVIOMMU_RESULT=$(BUILD)/vmtest-libvirt.result \
		tools/vmtest.sh "$(KDIR)" libvirt

qemu:
	tools/qemu/build.sh

# The end-to-end benchmark: the same Linux guest under Debian's stock QEMU
# (VFIO type1) and under the patched QEMU (pviommu), in one run.
bench-e2e:
	tools/deps.sh
	$(MAKE) bench-e2e-vm

bench-e2e-vm: modules
	tools/vmtest.sh "$(KDIR)" bench-e2e

# The dependencies first, then a new make: KDIR names headers that a
# fresh machine has only after them.
demo:
	tools/deps.sh
	$(MAKE) demo-vm

demo-vm: modules
	tools/vmtest.sh "$(KDIR)" demo

# pviommu vs the QEMU-style userspace walk + VFIO type1, and vs the floor,
# with a PVIOMMU_TEST=1 module (the floor is a test-only command).
bench:
	tools/deps.sh
	$(MAKE) bench-vm

bench-vm:
	tools/kbuild-check.sh "$(KDIR_612)" $(BUILD)/benchko PVIOMMU_TEST=1 \
		$(if $(PVIOMMU_NOTRACE),PVIOMMU_NOTRACE=1)
	PVIOMMU_KO=$(BUILD)/benchko/drivers/iommu/pviommu/pviommu.ko \
		tools/vmtest.sh "$(KDIR_612)" bench

check:
	tools/check.sh

.PHONY: all modules clean deps install abi-check build-6.1 build-6.12 sparse style \
	kunit selftests vmtest vmtest-amd vmtest-6.1 vmtest-e2e vmtest-libvirt qemu demo demo-vm bench \
	bench-vm bench-e2e bench-e2e-vm dkms-check check layers
