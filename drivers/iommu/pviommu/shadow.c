// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow engine: turn guest invalidations into the minimal, exact
 * sequence of host map and unmap calls.
 *
 * A shadow is the host side of one guest domain, keyed by the guest's
 * (domain ID, second-level root, levels), or by pass-through. It owns one
 * host domain and an interval tree of entries, one per guest leaf (4K, 2M
 * or 1G) or, for pass-through, one per guest RAM slot. Every device whose
 * context entry resolves to the same key is attached to the same host
 * domain, so a guest domain costs one walk and one unmap per
 * invalidation however many devices share it.
 *
 * Invariants, at every return, including after a failure:
 *
 *  - The tree records exactly what the host domain maps, entry by entry.
 *    It alone decides what to unmap.
 *  - No host page spans two entries, so every entry can be unmapped on
 *    its own.
 *  - The host's IOTLB is synced between the unmap of a page and its unpin,
 *    and before an invalidation wait completes.
 *
 * The engine is in rooms, one concern each, each a layer that calls only
 * the ones below it (shadow_private.h lists what each offers above it):
 *
 *   shadow.c            the engine as a whole: setup, teardown, the root
 *                       pointer, guest RAM going away
 *   shadow_apply.c      invalidation descriptors: what each covers, the
 *                       continuation of one that ran out of budget, waits
 *   shadow_devices.c    shadows' lifecycle, devices, host IOMMU groups
 *   shadow_reconcile.c  a shadow made equal to the guest's tables by a walk,
 *                       and the paging-structure cache the walk keeps
 *   shadow_entries.c    the tree of what a host domain maps and the host
 *                       calls under it: pin, map, unmap, sync, unpin;
 *                       pass-through and host reserved ranges
 *   shadow_fault.c      fault records for the guest, fault injection for
 *                       the tests
 *
 * Below them all is the host (struct pviommu_host_ops, shadow.h) and the
 * guest (guest_pt.c, guest_mem.c); above them the context (context.c).
 *
 * Locking: the engine has no lock of its own. Its caller serializes every
 * call on one engine (the context's lock); nothing in it runs
 * concurrently with anything else in it.
 */
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "shadow_private.h"

/*
 * Guest entries one shadow build may examine when it cannot be continued:
 * 64 times what the largest legitimate shadow (PVIOMMU_MAX_MAPPINGS 4K
 * leaves in full tables) needs, well under a second of walking.
 */
#define PVIOMMU_BUILD_BUDGET	BIT_ULL(26)

/**
 * pviommu_engine_set_root() - the guest set its root-table pointer
 * @e: the engine
 * @rtaddr: the new RTADDR_REG value
 *
 * As on VT-d, nothing changes for devices until the guest invalidates the
 * context cache and IOTLB.
 *
 * Return: 0.
 */
int pviommu_engine_set_root(struct pviommu_engine *e, u64 rtaddr)
{
	if (e->cur.active)
		pviommu_cur_reset(e);
	e->rtaddr = rtaddr;
	e->root_set = true;
	return 0;
}

/**
 * pviommu_engine_remove_slot() - guest RAM is going away: unmap every entry
 * whose guest physical range overlaps it
 * @e: the engine
 * @gpa: first guest physical address of the slot
 * @len: its length
 *
 * Call before the slot leaves the guest RAM map; the VMM's memory behind it
 * is unpinned when this returns.
 */
void pviommu_engine_remove_slot(struct pviommu_engine *e, u64 gpa, u64 len)
{
	struct pviommu_shadow *s;

	list_for_each_entry(s, &e->shadows, node) {
		pviommu_pde_clear(s);
		pviommu_shadow_remove_gpa(e, s, gpa, gpa + len - 1);
	}
	pviommu_engine_flush(e);
}

/**
 * pviommu_engine_init() - set up an engine
 * @e: the engine; the caller has set @ops, @host, @caps, @gmem, @read,
 *	@read_priv, @fault, @fault_priv and @max_entries, the rest is zero
 *
 * Return: 0 or -ENOMEM.
 */
int pviommu_engine_init(struct pviommu_engine *e)
{
	INIT_LIST_HEAD(&e->shadows);
	INIT_LIST_HEAD(&e->devs);
	INIT_LIST_HEAD(&e->groups);
	e->build_budget = PVIOMMU_BUILD_BUDGET;
	e->walk = kvzalloc(sizeof(*e->walk), GFP_KERNEL_ACCOUNT);
	e->pa = kvcalloc(PVIOMMU_PIN_BATCH, sizeof(*e->pa), GFP_KERNEL_ACCOUNT);
	e->upa = kvcalloc(BATCH_MAX, sizeof(*e->upa), GFP_KERNEL_ACCOUNT);
	e->runs = kvcalloc(PVIOMMU_UNPIN_RUNS, sizeof(*e->runs),
			   GFP_KERNEL_ACCOUNT);
	if (!e->walk || !e->pa || !e->upa || !e->runs) {
		kvfree(e->walk);
		kvfree(e->pa);
		kvfree(e->upa);
		kvfree(e->runs);
		return -ENOMEM;
	}
	return 0;
}

/**
 * pviommu_engine_destroy() - block every device, unmap and unpin everything
 * @e: the engine
 */
void pviommu_engine_destroy(struct pviommu_engine *e)
{
	struct pviommu_sdev *d, *tmp;

	list_for_each_entry_safe(d, tmp, &e->devs, node)
		pviommu_dev_remove(e, d);
	pviommu_cur_reset(e);
	pviommu_engine_flush(e);
	/* Every shadow is gone, the leaked ones too. */
	WARN_ON_ONCE(e->nr_leaked);
	pviommu_engine_release_held(e);
	kvfree(e->walk);
	kvfree(e->pa);
	kvfree(e->upa);
	kvfree(e->runs);
}
