#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Kbuild feature probes: print -D flags for what the kernel tree at $1 has.
# include/pviommu_compat.h supplies the newest API on top of what is missing.
# Probing headers, not LINUX_VERSION_CODE, keeps distribution backports right.
srctree=$1

probe() {
	# probe NAME FILE PATTERN: PATTERN is an ERE over the whole file
	if grep -qEz "$3" "$srctree/$2" 2>/dev/null; then
		printf ' -DPVIOMMU_HAVE_%s' "$1"
	fi
}

probe IOMMU_PAGING_DOMAIN_ALLOC include/linux/iommu.h \
	'iommu_paging_domain_alloc\('
probe IOMMU_MAP_GFP include/linux/iommu.h \
	'int iommu_map\(struct iommu_domain \*domain, unsigned long iova,[[:space:]]+phys_addr_t paddr, size_t size, int prot, gfp_t gfp\)'
probe EVENTFD_SIGNAL_1ARG include/linux/eventfd.h \
	'eventfd_signal\(struct eventfd_ctx \*ctx\)'
probe IOMMU_DEVICE_CLAIM_DMA_OWNER include/linux/iommu.h \
	'int iommu_device_claim_dma_owner\('
probe IOMMU_GROUP_HAS_ISOLATED_MSI include/linux/iommu.h \
	'bool iommu_group_has_isolated_msi\('
echo
