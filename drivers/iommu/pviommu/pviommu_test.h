/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Test-only pviommu commands, built in only with "make PVIOMMU_TEST=1"
 * (as iommufd keeps its test commands under CONFIG_IOMMUFD_TEST). Not part
 * of the stable uAPI: the benchmark uses them, nothing else may.
 */
#ifndef _PVIOMMU_TEST_H
#define _PVIOMMU_TEST_H

/* Include the pviommu uAPI header first, for PVIOMMU_TYPE and friends. */
#include <linux/types.h>

#define PVIOMMU_CMD_TEST_FLOOR	(PVIOMMU_CMD_BASE + 0x40)

/**
 * struct pviommu_test_floor - ioctl(PVIOMMU_TEST_FLOOR)
 * @size: sizeof(struct pviommu_test_floor)
 * @flags: PVIOMMU_TEST_FLOOR_PER_PAGE: one map call per 4 KiB page, as a
 *	design that maps each 4K guest leaf separately must; without it,
 *	one per physically contiguous run (which depends on where the pages
 *	happen to be)
 * @guest_sid: an attached device whose host domain to use
 * @__reserved: must be 0
 * @uaddr: VMM memory to pin, page aligned
 * @iova: where to map it in the device's host domain, page aligned and
 *	unused by the guest
 * @length: bytes, a multiple of 4 KiB
 * @iterations: how many times to pin, map, unmap, sync and unpin it
 * @out_ns: nanoseconds the iterations took, in the kernel
 *
 * The floor of any shadowing design: the host's cost for the same pages
 * with no guest walk and no tree. Each iteration pins the pages (512 per
 * call), maps each physically contiguous run, unmaps the whole range,
 * syncs the IOTLB and unpins.
 */
struct pviommu_test_floor {
	__u32 size;
	__u32 flags;
	__u32 guest_sid;
	__u32 __reserved;
	__aligned_u64 uaddr;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 iterations;
	__aligned_u64 out_ns;
};

#define PVIOMMU_TEST_FLOOR	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_TEST_FLOOR)
enum pviommu_test_floor_flags {
	PVIOMMU_TEST_FLOOR_PER_PAGE = 1 << 0,
};

#endif /* _PVIOMMU_TEST_H */
