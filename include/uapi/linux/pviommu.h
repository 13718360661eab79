/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pviommu: paravirtual shadow-IOMMU bridge.
 *
 * The host half of a guest-visible Intel VT-d IOMMU for assigned devices.
 * A VMM opens /dev/pviommu once per guest vIOMMU and drives it with the
 * ioctls below.
 */
#ifndef _UAPI_LINUX_PVIOMMU_H
#define _UAPI_LINUX_PVIOMMU_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PVIOMMU_TYPE		0xB9

/**
 * DOC: General ioctl format
 *
 * Every ioctl takes a pointer to a struct whose first member is
 * ``__u32 size``: the number of bytes userspace passes, normally
 * sizeof(struct) as userspace was compiled. This lets a struct grow at its
 * end without a new ioctl number. The kernel accepts any size from the
 * struct's first version up; bytes past what the kernel knows must be zero.
 * Output members (``out_``) are written back up to the smaller of the
 * user's and the kernel's size.
 *
 * Every struct is made of __u32 and __aligned_u64 members only, so it has
 * the same layout for 32-bit and 64-bit userspace. ``__reserved`` members
 * must be zero on input; ``flags`` members reject unknown bits.
 *
 * Errors are reported through errno, with these meanings for every ioctl:
 *
 * - ENOTTY: unknown ioctl number.
 * - EFAULT: the struct, or memory it points at, cannot be accessed.
 * - EINVAL: ``size`` is smaller than the struct's first version, a
 *   reserved member is not zero, or a value is out of range.
 * - E2BIG: ``size`` is larger than the kernel's struct and the extra bytes
 *   are not all zero (userspace asks for something this kernel lacks).
 * - EOPNOTSUPP: a flag this kernel does not know is set.
 * - EIO: the file descriptor belongs to another process: a context is bound
 *   to the address space (mm) of the process that opened it, whose memory
 *   holds the guest, and is used only by that process.
 * - ENOENT: a named object (slot, device) does not exist.
 * - EEXIST: an object to add exists already or overlaps one that does.
 * - ENOSPC: a documented per-context limit was reached.
 * - EOVERFLOW: an address range wraps around 2^64.
 */

enum {
	PVIOMMU_CMD_BASE = 0x80,
	PVIOMMU_CMD_GET_INFO = PVIOMMU_CMD_BASE,
};

/* Version of the interface described in this header. */
#define PVIOMMU_API_VERSION	1

/**
 * struct pviommu_info - ioctl(PVIOMMU_GET_INFO)
 * @size: sizeof(struct pviommu_info)
 * @flags: must be 0
 * @out_api_version: PVIOMMU_API_VERSION of the running module
 * @__reserved: must be 0
 * @out_features: PVIOMMU_FEATURE_* bits the module supports; a VMM must not
 *	rely on anything whose bit is clear
 * @out_max_ram_slots: most guest RAM slots one context holds
 * @out_max_devices: most host devices attached to one context
 * @out_max_mappings: most shadow mappings (guest leaves) one context holds;
 *	past it, mapping fails with ENOSPC and a fault record
 * @out_max_batch: most descriptors one INVALIDATE call takes
 * @__reserved2: must be 0
 *
 * Reports what this module implements and the limits every context has.
 * Limits are fixed while the module is loaded.
 */
struct pviommu_info {
	__u32 size;
	__u32 flags;
	__u32 out_api_version;
	__u32 __reserved;
	__aligned_u64 out_features;
	__u32 out_max_ram_slots;
	__u32 out_max_devices;
	__aligned_u64 out_max_mappings;
	__u32 out_max_batch;
	__u32 __reserved2;
};

#define PVIOMMU_GET_INFO	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_GET_INFO)

#endif /* _UAPI_LINUX_PVIOMMU_H */
