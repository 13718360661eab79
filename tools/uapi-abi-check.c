// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled (never run) for -m32 and -m64 by "make": every uAPI struct has
 * the size pinned here in both, so 32-bit userspace on a 64-bit kernel
 * sees the same layout and no compat translation is needed. A struct may
 * only grow at its end; update its line here when it does.
 */
#include <assert.h>
#include <stdalign.h>
#include <linux/pviommu.h>

#define PVIOMMU_ABI(name, bytes, align)				\
	static_assert(sizeof(struct name) == (bytes) &&		\
		      alignof(struct name) == (align),			\
		      "struct " #name ": layout differs from the pinned ABI")

PVIOMMU_ABI(pviommu_info, 48, 8);
PVIOMMU_ABI(pviommu_guest_caps, 32, 8);
PVIOMMU_ABI(pviommu_root, 16, 8);
PVIOMMU_ABI(pviommu_translation, 16, 4);
PVIOMMU_ABI(pviommu_ram, 32, 8);
PVIOMMU_ABI(pviommu_attach, 24, 8);
PVIOMMU_ABI(pviommu_detach, 16, 4);
PVIOMMU_ABI(pviommu_invalidate, 32, 8);
PVIOMMU_ABI(pviommu_eventfd, 16, 4);
PVIOMMU_ABI(pviommu_fault, 16, 8);
PVIOMMU_ABI(pviommu_get_faults, 24, 8);
PVIOMMU_ABI(pviommu_stats, 80, 8);
PVIOMMU_ABI(pviommu_query, 64, 8);
PVIOMMU_ABI(pviommu_vfio_link, 16, 4);
