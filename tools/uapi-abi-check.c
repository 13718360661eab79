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

#define PVIOMMU_ABI(name, bytes)					\
	static_assert(sizeof(struct name) == (bytes) &&		\
		      alignof(struct name) == 8,			\
		      "struct " #name ": layout differs from the pinned ABI")

PVIOMMU_ABI(pviommu_info, 48);
PVIOMMU_ABI(pviommu_guest_caps, 32);
PVIOMMU_ABI(pviommu_root, 16);
PVIOMMU_ABI(pviommu_ram, 32);
