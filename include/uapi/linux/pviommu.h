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
	PVIOMMU_CMD_SET_CAPS,
	PVIOMMU_CMD_SET_ROOT,
	PVIOMMU_CMD_RAM_ADD,
	PVIOMMU_CMD_RAM_REMOVE,
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

/**
 * struct pviommu_guest_caps - ioctl(PVIOMMU_SET_CAPS)
 * @size: sizeof(struct pviommu_guest_caps)
 * @flags: must be 0
 * @cap: the CAP_REG value the VMM's emulated VT-d unit reports to the guest
 * @ecap: the ECAP_REG value it reports
 * @haw: the host address width the guest sees: its DMAR table's HAW field
 *	plus one, 32 to 52. Guest physical addresses in the guest's tables
 *	must be below 2^@haw.
 * @__reserved: must be 0
 *
 * Tells pviommu what the guest's VT-d unit supports, so that descriptors
 * and table entries are validated exactly as that unit would: address
 * widths (CAP.MGAW, CAP.SAGAW), page-selective invalidation and its mask
 * (CAP.PSI, CAP.MAMV), large pages (CAP.SLLPS), domain IDs (CAP.ND),
 * device-TLB, pass-through, snoop control and scalable mode (ECAP.DT,
 * ECAP.PT, ECAP.SC, ECAP.SMTS).
 *
 * The unit must report caching mode (CAP.CM) and queued invalidation
 * (ECAP.QI): pviommu learns of new mappings only from the invalidations a
 * guest sends in caching mode. EINVAL if either is missing, or if a field
 * is reserved or out of range. The capabilities can be set again until
 * the root table is set (EBUSY after).
 */
struct pviommu_guest_caps {
	__u32 size;
	__u32 flags;
	__aligned_u64 cap;
	__aligned_u64 ecap;
	__u32 haw;
	__u32 __reserved;
};

#define PVIOMMU_SET_CAPS	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_SET_CAPS)

/**
 * struct pviommu_root - ioctl(PVIOMMU_SET_ROOT)
 * @size: sizeof(struct pviommu_root)
 * @flags: must be 0
 * @rtaddr: the value the guest wrote to its RTADDR_REG: the root table's
 *	guest physical address in bits 63:12 and the translation table mode
 *	(TTM) in bits 11:10
 *
 * Sets the guest's root table, as the guest's Set Root Table Pointer
 * command does. Needs PVIOMMU_SET_CAPS first (EINVAL otherwise). Legacy
 * mode (TTM 0) is supported; scalable mode (TTM 1) fails with EOPNOTSUPP;
 * other TTM values, bits 9:0 set, or an address at or above 2^haw fail
 * with EINVAL.
 */
struct pviommu_root {
	__u32 size;
	__u32 flags;
	__aligned_u64 rtaddr;
};

#define PVIOMMU_SET_ROOT	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_SET_ROOT)

/**
 * enum pviommu_ram_flags - flags for struct pviommu_ram
 * @PVIOMMU_RAM_READONLY: the guest cannot write this RAM (a ROM); devices
 *	get read-only mappings of it and status writes to it fail
 */
enum pviommu_ram_flags {
	PVIOMMU_RAM_READONLY = 1 << 0,
};

/**
 * struct pviommu_ram - ioctl(PVIOMMU_RAM_ADD) and ioctl(PVIOMMU_RAM_REMOVE)
 * @size: sizeof(struct pviommu_ram)
 * @flags: RAM_ADD: enum pviommu_ram_flags; RAM_REMOVE: must be 0
 * @gpa: guest physical address of the range's first byte
 * @length: the range's length in bytes
 * @uaddr: RAM_ADD: the VMM's virtual address of @gpa; RAM_REMOVE: must
 *	be 0
 *
 * Guest RAM is a set of non-overlapping slots, each a guest physical range
 * backed by the VMM's memory at @uaddr, which the VMM keeps mapped while
 * the slot exists. pviommu reads the guest's tables, and the memory that
 * devices get mapped, through these slots; a guest physical address
 * outside every slot is not RAM.
 *
 * RAM_ADD: @gpa, @length and @uaddr must be 4 KiB aligned and @length
 * non-zero (EINVAL); neither range may wrap (EOVERFLOW); @uaddr..+@length
 * must be user memory (EFAULT); the range may not overlap a slot (EEXIST);
 * a context holds at most out_max_ram_slots slots (ENOSPC).
 *
 * RAM_REMOVE removes the slot that is exactly @gpa..+@length (ENOENT if
 * there is none).
 */
struct pviommu_ram {
	__u32 size;
	__u32 flags;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__aligned_u64 uaddr;
};

#define PVIOMMU_RAM_ADD		_IO(PVIOMMU_TYPE, PVIOMMU_CMD_RAM_ADD)
#define PVIOMMU_RAM_REMOVE	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_RAM_REMOVE)

#endif /* _UAPI_LINUX_PVIOMMU_H */
