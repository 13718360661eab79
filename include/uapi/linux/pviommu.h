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
 *   to the address space (mm) of the first process that configures it (any
 *   ioctl but PVIOMMU_GET_INFO, or PVIOMMU_VFIO_LINK), whose memory holds
 *   the guest, and is used only by that process from then on. The opener
 *   may be another process, which passes the file on.
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
	PVIOMMU_CMD_ATTACH,
	PVIOMMU_CMD_DETACH,
	PVIOMMU_CMD_INVALIDATE,
	PVIOMMU_CMD_SET_EVENTFD,
	PVIOMMU_CMD_GET_FAULTS,
	PVIOMMU_CMD_GET_STATS,
	PVIOMMU_CMD_QUERY,
	PVIOMMU_CMD_VFIO_LINK,
	PVIOMMU_CMD_SET_TRANSLATION,
};

/* Version of the interface described in this header. */
#define PVIOMMU_API_VERSION	1

/**
 * enum pviommu_features - bits of pviommu_info.out_features
 * @PVIOMMU_FEATURE_TRANSLATION: PVIOMMU_SET_TRANSLATION: contexts model
 *	the guest's Translation Enable, starting with translation disabled
 * @PVIOMMU_FEATURE_SCALABLE: scalable mode (ECAP.SMTS, a root table with
 *	TTM 1): DMA without PASID translates through the context entry's
 *	RID_PASID entry, first stage (PGTT 1, ECAP.FLTS), second stage
 *	(PGTT 2, ECAP.SLTS) or pass-through (PGTT 4); nested PASID entries
 *	(PGTT 3) are refused with a fault record
 */
enum pviommu_features {
	PVIOMMU_FEATURE_TRANSLATION = 1 << 0,
	PVIOMMU_FEATURE_SCALABLE = 1 << 1,
};

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
 * mode (TTM 0) and, on a unit whose ECAP has SMTS, scalable mode (TTM 1,
 * PVIOMMU_FEATURE_SCALABLE) are supported; TTM 1 without SMTS, TTM 2 and
 * 3, bits 9:0 set, or an address at or above 2^haw fail with EINVAL.
 */
struct pviommu_root {
	__u32 size;
	__u32 flags;
	__aligned_u64 rtaddr;
};

#define PVIOMMU_SET_ROOT	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_SET_ROOT)

/**
 * enum pviommu_translation_flags - flags of struct pviommu_translation
 * @PVIOMMU_TRANSLATION_ENABLE: the guest's Translation Enable (GCMD.TE) is
 *	set
 */
enum pviommu_translation_flags {
	PVIOMMU_TRANSLATION_ENABLE = 1 << 0,
};

/**
 * struct pviommu_translation - ioctl(PVIOMMU_SET_TRANSLATION)
 * @size: sizeof(struct pviommu_translation)
 * @flags: enum pviommu_translation_flags
 * @out_failed: attached devices the host could not give what the call
 *	asks for; each stays blocked, with a fault record. Ignored on input.
 * @__reserved: must be 0
 *
 * The guest's Translation Enable command. A context starts with
 * translation disabled, as a VT-d unit comes out of reset: DMA from an
 * attached device is not translated, its addresses are guest physical
 * addresses over all guest RAM, whatever the root and context entries say
 * (as through a pass-through context entry: every page of guest RAM is
 * pinned while a device is attached with translation disabled). With
 * translation enabled, each device translates as its context entry says,
 * and is blocked while no root table is set. The VMM calls this when the
 * guest's GCMD.TE changes and when its unit resets; the change applies to
 * every attached device before the call returns (VT-d needs no
 * invalidation for it), like PVIOMMU_ATTACH in one call.
 *
 * EOPNOTSUPP: an unknown flag. EINVAL: @__reserved set. EINTR: a fatal
 * signal; devices not updated yet keep what they had.
 */
struct pviommu_translation {
	__u32 size;
	__u32 flags;
	__u32 out_failed;
	__u32 __reserved;
};

#define PVIOMMU_SET_TRANSLATION	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_SET_TRANSLATION)

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

/**
 * DOC: Host devices through VFIO
 *
 * Host devices stay on their VFIO driver (vfio-pci), which gives the VMM
 * their regions, config space, interrupts and reset through VFIO's device
 * interface. pviommu registers an IOMMU backend for VFIO containers, of
 * type PVIOMMU_VFIO_IOMMU, that owns their DMA translation:
 *
 * 1. open /dev/vfio/vfio (the container) and each device's group
 *    /dev/vfio/<group>, and add the groups with VFIO_GROUP_SET_CONTAINER;
 * 2. ioctl(container, VFIO_SET_IOMMU, PVIOMMU_VFIO_IOMMU): pviommu checks
 *    every group (see below) and leaves its devices blocked;
 * 3. ioctl(container, PVIOMMU_VFIO_LINK, &link) links the container to a
 *    /dev/pviommu context: its groups' devices can then be attached to the
 *    context with PVIOMMU_ATTACH, under the source-ids the guest sees.
 *
 * A container holds groups of one context; a context may link many
 * containers (QEMU puts each device behind a vIOMMU in a container of its
 * own). The container has no VFIO map ioctls: the guest's tables, through
 * PVIOMMU_INVALIDATE, decide what devices reach.
 *
 * VFIO_SET_IOMMU (and VFIO_GROUP_SET_CONTAINER on a container that has the
 * type already) fails with EINVAL for a group whose IOMMU does not enforce
 * cache coherency (no-snoop DMA would bypass the CPU caches), for a group
 * with no device VFIO could hand to a VMM, and for a group of an emulated
 * or absent IOMMU (mediated devices, no-IOMMU mode); with EPERM for a
 * group without isolated MSI (interrupt remapping); with ENOSPC for a
 * group with more reserved IOVA ranges than pviommu keeps (16).
 * VFIO_CHECK_EXTENSION(VFIO_DMA_CC_IOMMU) reports 1 on such a container:
 * every host domain pviommu uses enforces cache coherency.
 */
#define PVIOMMU_VFIO_IOMMU	0xB900

/**
 * struct pviommu_vfio_link - ioctl(PVIOMMU_VFIO_LINK) on a VFIO container
 * @size: sizeof(struct pviommu_vfio_link)
 * @flags: must be 0
 * @pviommu_fd: an open /dev/pviommu context of the calling process
 * @__reserved: must be 0
 *
 * Issued on the container, whose IOMMU type must be PVIOMMU_VFIO_IOMMU
 * (VFIO fails it with EINVAL while the container has no type; another
 * type's backend fails it with ENOTTY). The link holds until the context
 * is closed or the container loses its last group.
 *
 * EBADF: @pviommu_fd is not an open file; EINVAL: it is not /dev/pviommu;
 * EIO: the context belongs to another process; EBUSY: the container is
 * linked already; ENOSPC: the context links out_max_devices containers.
 */
struct pviommu_vfio_link {
	__u32 size;
	__u32 flags;
	__s32 pviommu_fd;
	__u32 __reserved;
};

#define PVIOMMU_VFIO_LINK	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_VFIO_LINK)

/**
 * struct pviommu_attach - ioctl(PVIOMMU_ATTACH)
 * @size: sizeof(struct pviommu_attach)
 * @flags: must be 0
 * @host_bdf: the host PCI device: segment << 16 | bus << 8 | devfn. It
 *	must be in a group of a VFIO container linked to this context.
 * @guest_sid: the source-id (bus << 8 | devfn) the guest sees it at
 * @__reserved: must be 0
 *
 * Attaches a host device to the context: blocked until the guest's context
 * entry for @guest_sid is present, then translated through the shadow of
 * the guest domain it names. If that shadow exists the device joins it at
 * once; otherwise the shadow is built by walking the guest's tables first.
 *
 * The host IOMMU translates a whole IOMMU group through one domain: a
 * group translates only while all its devices (PCI bridges aside) are
 * attached and the guest puts them all in one domain; otherwise every
 * device of the group is blocked, and a fault record (reason 0x3) is
 * queued for the device whose change blocked it. Host reserved IOVA
 * ranges (the MSI window, firmware regions) are never mapped: a guest
 * leaf over one is left unmapped with a fault record (reason 0xe).
 *
 * A new shadow is built by walking the guest's tables to the end in this
 * call (the work budget of INVALIDATE does not apply; a fatal signal stops
 * it with EINTR), so an ATTACH never leaves anything to continue.
 *
 * Needs PVIOMMU_SET_CAPS first (EINVAL). ENOENT: no such device in a
 * linked container; EBUSY: it is attached under another source-id;
 * EEXIST: @guest_sid is taken in this context; ENOSPC: at
 * out_max_devices, or at 16 host reserved ranges; EINVAL: the host IOMMU
 * cannot map the guest's address width.
 */
struct pviommu_attach {
	__u32 size;
	__u32 flags;
	__u32 host_bdf;
	__u32 guest_sid;
	__aligned_u64 __reserved;
};

#define PVIOMMU_ATTACH		_IO(PVIOMMU_TYPE, PVIOMMU_CMD_ATTACH)

/**
 * struct pviommu_detach - ioctl(PVIOMMU_DETACH)
 * @size: sizeof(struct pviommu_detach)
 * @flags: must be 0
 * @guest_sid: the source-id the device was attached under
 * @__reserved: must be 0
 *
 * Blocks the device's DMA (ENOENT if nothing is attached under
 * @guest_sid); it stays blocked, in its VFIO container. Closing the
 * context, and its group leaving the container, detach it too.
 */
struct pviommu_detach {
	__u32 size;
	__u32 flags;
	__u32 guest_sid;
	__u32 __reserved;
};

#define PVIOMMU_DETACH		_IO(PVIOMMU_TYPE, PVIOMMU_CMD_DETACH)

/**
 * enum pviommu_desc_error - why a descriptor was rejected
 * @PVIOMMU_DESC_OK: it was not
 * @PVIOMMU_DESC_ERR_TYPE: unknown or unsupported descriptor type
 * @PVIOMMU_DESC_ERR_RESERVED: a reserved bit is set
 * @PVIOMMU_DESC_ERR_WIDE: 256-bit descriptor with quadword 2 or 3 not zero
 * @PVIOMMU_DESC_ERR_GRANULARITY: reserved granularity
 * @PVIOMMU_DESC_ERR_ADDRESS_MASK: address mask above CAP.MAMV
 * @PVIOMMU_DESC_ERR_ALIGNMENT: never reported: as the unit does, address
 *	bits below the mask are ignored
 * @PVIOMMU_DESC_ERR_DOMAIN_ID: domain ID beyond CAP.ND
 */
enum pviommu_desc_error {
	PVIOMMU_DESC_OK,
	PVIOMMU_DESC_ERR_TYPE,
	PVIOMMU_DESC_ERR_RESERVED,
	PVIOMMU_DESC_ERR_WIDE,
	PVIOMMU_DESC_ERR_GRANULARITY,
	PVIOMMU_DESC_ERR_ADDRESS_MASK,
	PVIOMMU_DESC_ERR_ALIGNMENT,
	PVIOMMU_DESC_ERR_DOMAIN_ID,
};

/**
 * enum pviommu_invalidate_flags - flags for struct pviommu_invalidate
 * @PVIOMMU_INVALIDATE_CONTINUE: the first descriptor is the one the
 *	previous PVIOMMU_INVALIDATE of this context stopped in with EAGAIN:
 *	continue it where it stopped. Without the flag a call never continues
 *	anything: whatever was left unfinished is abandoned, and the call
 *	applies its descriptors from the start.
 */
enum pviommu_invalidate_flags {
	PVIOMMU_INVALIDATE_CONTINUE = 1 << 0,
};

/**
 * struct pviommu_invalidate - ioctl(PVIOMMU_INVALIDATE)
 * @size: sizeof(struct pviommu_invalidate)
 * @flags: enum pviommu_invalidate_flags
 * @data_uptr: the guest's descriptors, exactly as in its invalidation
 *	queue
 * @entry_len: bytes per descriptor: 16, or 32 when the guest's queue holds
 *	256-bit descriptors
 * @entry_num: in: descriptors at @data_uptr, at most out_max_batch; out:
 *	descriptors completely handled, always written back
 * @out_error: enum pviommu_desc_error: why descriptor @entry_num was
 *	rejected, when the call fails with EINVAL for that reason
 * @out_failed: what the host could not do for the descriptors handled:
 *	guest leaves (or pass-through RAM slots) it could not map, devices
 *	it could not attach; each is left unmapped or blocked, with a fault
 *	record. Ignored on input.
 *
 * Applies the descriptors in order, as the guest's VT-d unit would. Host
 * IOMMU mappings follow the guest's tables; an invalidation wait completes
 * only after every host unmap before it is flushed from the host IOTLB and
 * its pages unpinned; its status write goes to guest memory and, with IF,
 * the eventfd is signalled.
 *
 * Host failures fail closed and do not stop the queue: a leaf the host
 * cannot map (RLIMIT_MEMLOCK, the mapping limit, a pin or map error) is
 * left unmapped and everything the guest unmapped is still unmapped; a
 * device whose shadow cannot be built or attached stays blocked. Each
 * gets a fault record and counts in @out_failed; the descriptor completes.
 * The same invalidation sent again once the cause is gone maps what it
 * could not.
 *
 * Only the guest's own errors stop the call: the first invalid descriptor
 * stops it with EINVAL and @out_error set, and the VMM reports an
 * Invalidation Queue Error to the guest. EFAULT: a status write is
 * outside writable guest RAM, or @data_uptr cannot be read. EAGAIN: the
 * work budget of one call ran out inside descriptor @entry_num; call again
 * with the descriptors from @entry_num on and PVIOMMU_INVALIDATE_CONTINUE
 * to continue it. ENOENT: PVIOMMU_INVALIDATE_CONTINUE, but there is nothing
 * to continue with that first descriptor (another call, SET_ROOT, a RAM
 * change or a DETACH abandoned it): send it again without the flag.
 * EINTR: a fatal signal.
 */
struct pviommu_invalidate {
	__u32 size;
	__u32 flags;
	__aligned_u64 data_uptr;
	__u32 entry_len;
	__u32 entry_num;
	__u32 out_error;
	__u32 out_failed;
};

#define PVIOMMU_INVALIDATE	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_INVALIDATE)

/**
 * struct pviommu_eventfd - ioctl(PVIOMMU_SET_EVENTFD)
 * @size: sizeof(struct pviommu_eventfd)
 * @flags: must be 0
 * @fd: an eventfd signalled when an invalidation wait with IF completes
 *	or a fault record is queued; -1 to stop signalling
 * @__reserved: must be 0
 */
struct pviommu_eventfd {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 __reserved;
};

#define PVIOMMU_SET_EVENTFD	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_SET_EVENTFD)

/**
 * enum pviommu_fault_host - fault reasons for what the host could not do
 * @PVIOMMU_FAULT_HOST_MAP: a guest leaf (or a RAM slot of a pass-through
 *	or untranslated device) the host could not map: the mapping limit,
 *	RLIMIT_MEMLOCK, a pin or map error, a page pinned too often. It is
 *	left unmapped.
 * @PVIOMMU_FAULT_HOST_ATTACH: a device whose shadow the host could not
 *	build or attach. It is blocked.
 * @PVIOMMU_FAULT_HOST_PASID: the guest enabled requests with PASID for a
 *	device (PASIDE in its scalable-mode context entry); pviommu shadows
 *	requests without PASID only, so the device's requests with a PASID
 *	are blocked. Recorded once, when the bit appears.
 *
 * Outside the 8-bit VT-d fault reasons: the guest did nothing wrong, and
 * no VT-d reason says what happened. The VMM reports them on the host
 * side; whether the guest sees a fault record for them is its choice.
 */
enum pviommu_fault_host {
	PVIOMMU_FAULT_HOST_MAP = 0x100,
	PVIOMMU_FAULT_HOST_ATTACH = 0x101,
	PVIOMMU_FAULT_HOST_PASID = 0x102,
};

/**
 * struct pviommu_fault - one fault record
 * @addr: the IOVA the fault is for
 * @sid: the guest source-id of the device
 * @reason: the VT-d fault reason, 0x1 to 0xff (for example 0xc: reserved
 *	bit in a paging entry), or an enum pviommu_fault_host value
 */
struct pviommu_fault {
	__aligned_u64 addr;
	__u32 sid;
	__u32 reason;
};

/**
 * struct pviommu_get_faults - ioctl(PVIOMMU_GET_FAULTS)
 * @size: sizeof(struct pviommu_get_faults)
 * @flags: must be 0
 * @faults_uptr: an array of struct pviommu_fault
 * @num: in: entries at @faults_uptr; out: records copied and removed
 * @out_overflow: records dropped because the queue was full (the VT-d
 *	Primary Fault Overflow condition); reset by this call
 *
 * Takes the oldest fault records queued for the guest. Faults are recorded,
 * unless the device's context entry has fault processing disabled, for:
 * guest paging entries that are invalid (reserved bits, tables outside
 * guest RAM; their VT-d reasons); root and context entries that are
 * erroneous, once when they appear (not for entries that are merely not
 * present); guest leaves the host could not map (the mapping limit,
 * RLIMIT_MEMLOCK, pin or map errors: PVIOMMU_FAULT_HOST_MAP) or a device
 * whose shadow it could not build or attach (PVIOMMU_FAULT_HOST_ATTACH);
 * requests with PASID the guest enabled (PVIOMMU_FAULT_HOST_PASID);
 * leaves over a host reserved IOVA range (0xe); and devices of an IOMMU
 * group the guest leaves only partly attached or splits over domains
 * (0x3, see PVIOMMU_ATTACH).
 */
struct pviommu_get_faults {
	__u32 size;
	__u32 flags;
	__aligned_u64 faults_uptr;
	__u32 num;
	__u32 out_overflow;
};

#define PVIOMMU_GET_FAULTS	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_GET_FAULTS)

/**
 * struct pviommu_stats - ioctl(PVIOMMU_GET_STATS)
 * @size: sizeof(struct pviommu_stats)
 * @flags: must be 0
 * @out_maps: host map calls
 * @out_unmaps: host unmap calls
 * @out_syncs: host IOTLB syncs
 * @out_walks: guest page walks
 * @out_tables_read: guest table pages read
 * @out_faults: fault records produced
 * @out_mappings: shadow mappings now
 * @out_pinned_pages: VMM pages pinned now
 * @out_shadows: shadow domains now
 *
 * Counters of this context since it was opened.
 */
struct pviommu_stats {
	__u32 size;
	__u32 flags;
	__aligned_u64 out_maps;
	__aligned_u64 out_unmaps;
	__aligned_u64 out_syncs;
	__aligned_u64 out_walks;
	__aligned_u64 out_tables_read;
	__aligned_u64 out_faults;
	__aligned_u64 out_mappings;
	__aligned_u64 out_pinned_pages;
	__aligned_u64 out_shadows;
};

#define PVIOMMU_GET_STATS	_IO(PVIOMMU_TYPE, PVIOMMU_CMD_GET_STATS)

/**
 * struct pviommu_query - ioctl(PVIOMMU_QUERY)
 * @size: sizeof(struct pviommu_query)
 * @flags: must be 0
 * @guest_sid: a device attached to the context
 * @__reserved: must be 0
 * @iova: the address to look up in the device's shadow
 * @out_start: first IOVA of the shadow mapping holding @iova
 * @out_length: its length
 * @out_gpa: the guest physical address of @out_start
 * @out_phys: the host physical address @iova is mapped to; only for
 *	CAP_SYS_ADMIN, 0 otherwise
 * @out_perm: 1 read, 2 write: what pviommu asked the host to map (the
 *	guest's permissions, less write over read-only RAM). A write-only
 *	leaf asks for write only; a host IOMMU whose tables cannot say
 *	write-only (Intel's first-stage tables, most CPU-format tables) lets
 *	the device read it too.
 * @__reserved2: must be 0
 *
 * For tests and debugging: what the shadow holds for one IOVA. ENOENT if
 * no device is attached under @guest_sid, or @iova is not mapped (the
 * device is blocked, or the guest maps nothing there).
 */
struct pviommu_query {
	__u32 size;
	__u32 flags;
	__u32 guest_sid;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 out_start;
	__aligned_u64 out_length;
	__aligned_u64 out_gpa;
	__aligned_u64 out_phys;
	__u32 out_perm;
	__u32 __reserved2;
};

#define PVIOMMU_QUERY		_IO(PVIOMMU_TYPE, PVIOMMU_CMD_QUERY)

#endif /* _UAPI_LINUX_PVIOMMU_H */
