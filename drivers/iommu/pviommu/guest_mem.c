// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM: which guest physical ranges exist, and where the VMM maps them.
 *
 * The VMM registers each range of guest RAM as a slot {gpa, len, uaddr}, as
 * it does for KVM. Slots are page aligned, never overlap, and are kept in a
 * maple tree keyed by their inclusive GPA range, so a lookup is one
 * mtree_load(). A GPA outside every slot is not guest RAM: reads of it fail
 * and the page walk treats what it would have held as not present.
 *
 * Guest memory is read and written with copy_from_user()/copy_to_user() at
 * the slot's user address, in the VMM's own ioctl: the context refuses
 * ioctls from any other address space, so current->mm is the VMM's. Reads
 * of page-table pages take a whole 4 KiB page per copy.
 *
 * The caller serializes every call on one struct pviommu_gmem.
 */
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core.h"
#include "vtd.h"

/**
 * pviommu_gmem_init() - start with no guest RAM
 * @gm: the guest RAM map
 */
void pviommu_gmem_init(struct pviommu_gmem *gm)
{
	mt_init(&gm->slots);
	gm->nr_slots = 0;
	gm->last = NULL;
}

/**
 * pviommu_gmem_destroy() - forget all guest RAM
 * @gm: the guest RAM map
 */
void pviommu_gmem_destroy(struct pviommu_gmem *gm)
{
	struct pviommu_ram_slot *slot;
	unsigned long index = 0;

	mt_for_each(&gm->slots, slot, index, ULONG_MAX)
		kfree(slot);
	mtree_destroy(&gm->slots);
	gm->nr_slots = 0;
	gm->last = NULL;
}

/**
 * pviommu_gmem_add() - add a slot of guest RAM
 * @gm: the guest RAM map
 * @gpa: first guest physical address
 * @len: length in bytes
 * @uaddr: the VMM's virtual address of @gpa
 * @readonly: the guest may not write the range
 * @max_slots: limit on the number of slots
 *
 * Return: 0; -EINVAL if @gpa, @len or @uaddr is not page aligned or @len is
 * 0; -EOVERFLOW if a range wraps; -EFAULT if @uaddr..+@len is not user
 * memory; -EEXIST if the range overlaps a slot; -ENOSPC at @max_slots;
 * -ENOMEM.
 */
int pviommu_gmem_add(struct pviommu_gmem *gm, u64 gpa, u64 len, u64 uaddr,
		     bool readonly, unsigned int max_slots)
{
	struct pviommu_ram_slot *slot;
	u64 last, ulast;
	int ret;

	if (!len || !IS_ALIGNED(gpa | len | uaddr, VTD_PAGE_SIZE))
		return -EINVAL;
	if (check_add_overflow(gpa, len - 1, &last) ||
	    check_add_overflow(uaddr, len - 1, &ulast) || last > ULONG_MAX)
		return -EOVERFLOW;
	if (!access_ok(u64_to_user_ptr(uaddr), len))
		return -EFAULT;
	if (gm->nr_slots >= max_slots)
		return -ENOSPC;

	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return -ENOMEM;
	slot->gpa = gpa;
	slot->len = len;
	slot->uaddr = uaddr;
	slot->readonly = readonly;

	ret = mtree_insert_range(&gm->slots, gpa, last, slot,
				 GFP_KERNEL_ACCOUNT);
	if (ret) {
		kfree(slot);
		return ret;
	}
	gm->nr_slots++;
	return 0;
}

/**
 * pviommu_gmem_remove() - remove the slot that is exactly @gpa..+@len
 * @gm: the guest RAM map
 * @gpa: first guest physical address of the slot
 * @len: its length
 *
 * Return: 0, or -ENOENT if no slot has exactly that range.
 */
int pviommu_gmem_remove(struct pviommu_gmem *gm, u64 gpa, u64 len)
{
	struct pviommu_ram_slot *slot;

	if (gpa > ULONG_MAX)
		return -ENOENT;
	slot = mtree_load(&gm->slots, gpa);
	if (!slot || slot->gpa != gpa || slot->len != len)
		return -ENOENT;
	mtree_erase(&gm->slots, gpa);
	if (gm->last == slot)
		gm->last = NULL;
	kfree(slot);
	gm->nr_slots--;
	return 0;
}

/**
 * pviommu_gmem_lookup() - the slot holding all of @gpa..+@len
 * @gm: the guest RAM map
 * @gpa: guest physical address
 * @len: length in bytes, not 0
 *
 * Return: the slot, or NULL when the range is not entirely in one slot.
 */
const struct pviommu_ram_slot *pviommu_gmem_lookup(struct pviommu_gmem *gm,
						   u64 gpa, u64 len)
{
	struct pviommu_ram_slot *slot = gm->last;

	if (!len || gpa > ULONG_MAX)
		return NULL;
	if (!slot || gpa < slot->gpa || gpa - slot->gpa >= slot->len) {
		slot = mtree_load(&gm->slots, gpa);
		if (!slot)
			return NULL;
		gm->last = slot;
	}
	if (len > slot->len - (gpa - slot->gpa))
		return NULL;
	return slot;
}

/* The user address of @gpa..+@len, which must lie in one slot. */
static void __user *gmem_uptr(struct pviommu_gmem *gm, u64 gpa, size_t len,
			      bool write)
{
	const struct pviommu_ram_slot *slot = pviommu_gmem_lookup(gm, gpa, len);

	if (!slot || (write && slot->readonly))
		return NULL;
	return u64_to_user_ptr(slot->uaddr + (gpa - slot->gpa));
}

/**
 * pviommu_gmem_read() - read guest memory through the VMM's mapping
 * @gm: the guest RAM map (a struct pviommu_gmem, as a pviommu_read_fn)
 * @gpa: guest physical address
 * @buf: destination
 * @len: bytes to read, within one slot
 *
 * Must run in the VMM's context (current->mm maps the slots).
 *
 * Return: 0; -ENOENT if @gpa..+@len is not guest RAM; -EFAULT if the
 * VMM's memory there cannot be read.
 */
int pviommu_gmem_read(void *gm, u64 gpa, void *buf, size_t len)
{
	void __user *uptr = gmem_uptr(gm, gpa, len, false);
	u64 v;

	if (!uptr)
		return -ENOENT;
	if (len == sizeof(v)) {
		if (get_user(v, (u64 __user *)uptr))
			return -EFAULT;
		memcpy(buf, &v, sizeof(v));
		return 0;
	}
	return copy_from_user(buf, uptr, len) ? -EFAULT : 0;
}

/**
 * pviommu_gmem_write() - write guest memory through the VMM's mapping
 * @gm: the guest RAM map
 * @gpa: guest physical address
 * @buf: source
 * @len: bytes to write, within one slot
 *
 * Must run in the VMM's context.
 *
 * Return: 0; -ENOENT if @gpa..+@len is not writable guest RAM; -EFAULT if
 * the VMM's memory there cannot be written.
 */
int pviommu_gmem_write(struct pviommu_gmem *gm, u64 gpa, const void *buf,
		       size_t len)
{
	void __user *uptr = gmem_uptr(gm, gpa, len, true);
	u32 v;

	if (!uptr)
		return -ENOENT;
	if (len == sizeof(v)) {
		memcpy(&v, buf, sizeof(v));
		return put_user(v, (u32 __user *)uptr) ? -EFAULT : 0;
	}
	return copy_to_user(uptr, buf, len) ? -EFAULT : 0;
}
