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
 * Invariants:
 *
 *  - The tree records exactly what the host domain maps, entry by entry,
 *    at every return, including after a failure. It alone decides what
 *    to unmap.
 *  - No host page spans two entries, so every entry can be unmapped on
 *    its own; an entry is unmapped whole, never in part. A leaf is mapped
 *    by one host call per maximal physically contiguous run of its pages,
 *    so the host can use its largest page sizes. Consecutive 4K leaves
 *    (IOVA and GPA both consecutive, same permissions) within one 2M
 *    block of IOVA are pinned with one call and mapped with one call per
 *    physically contiguous run; a batch that fills its 2M block maps its
 *    first page on its own so the host cannot use a 2M page for it.
 *    Adjacent entries being removed are unmapped with one call.
 *  - The host's IOTLB is synced between the unmap of a page and its unpin
 *    (pviommu_engine_flush()), and before an invalidation wait completes.
 *
 * Reconciling a range [start, last] of a shadow: widen the range to the
 * whole entries at its edges, walk the guest's tables over it, and for each
 * leaf the walk reports (in IOVA order): entries in the gap before it are
 * removed; an entry equal to it (IOVA, size, GPA, permissions) is kept;
 * anything else overlapping it is removed and the leaf is mapped. Entries
 * after the last leaf are removed. An invalidation wider than what is
 * mapped therefore costs a walk of what is present and nothing more, and
 * a change inside a recorded 2M leaf removes that leaf and maps what is
 * valid now. A failure to pin or map leaves the failing leaf unrecorded
 * and everything before it reconciled; the same invalidation retried after
 * the cause is fixed converges.
 *
 * A page-selective invalidation with the invalidation hint (IH) set says
 * that only leaves changed (VT-d 6.5.2.3): a unit may keep its cached
 * directory entries, and so does the shadow, in a small paging-structure
 * cache of the last-level tables earlier walks went through: an
 * invalidation with IH inside one 2M of IOVA whose table is cached walks
 * that table alone, one table read instead of one per level. Any other
 * IOTLB invalidation drops the cache entries it covers before its walk
 * fills them again. A guest that sets IH wrongly gets translations from
 * its stale tables, as from hardware: its own memory, for its own devices.
 *
 * Context-cache invalidations re-read the context entries of the devices
 * they cover. A device whose key changed moves to the shadow with the new
 * key; if there is none, a new shadow is built by a full walk (replay)
 * before the device is attached to it. A device whose context entry is not
 * present, or invalid, is blocked. A shadow left without devices is torn
 * down.
 *
 * The host translates per IOMMU group, not per device: all devices of a
 * group share one host domain. A group is attached to a shadow's domain
 * only while every device of it the host counts is attached to the engine
 * and resolves to that one shadow; otherwise (only some attached, or the
 * guest put them in different domains) the whole group is blocked, and
 * the device whose change blocked it gets a fault record.
 *
 * Host page sizes come from the host domain: a host map call that covers
 * several 4K leaves never holds a whole naturally aligned page of any
 * larger size the domain has, so no host page spans two leaves. IOVA
 * ranges the host reserves (its MSI window, firmware regions) are never
 * mapped: a guest leaf over one is left unmapped with a fault record, and
 * pass-through maps guest RAM around them.
 *
 * Bounded work: walks draw from @e->budget. When it runs out, the engine
 * returns -EAGAIN and remembers in @e->cur where it stopped (which shadow,
 * which device, which IOVA); applying the same action again with @resume
 * continues there. Everything before that point is reconciled. Calls that
 * have no continuation (an attach, a translation switch) build each
 * shadow within @e->build_budget instead: a guest whose tables need more
 * (a table whose entries point at itself makes 2^36 leaves at 4 levels)
 * gets the device blocked, with a host fault record.
 *
 * The caller serializes all calls on one engine.
 */
#include <linux/errno.h>
#include <linux/interval_tree_generic.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "shadow.h"
#include "trace.h"
#include "vtd.h"

/*
 * Guest entries one shadow build may examine when it cannot be continued:
 * 64 times what the largest legitimate shadow (PVIOMMU_MAX_MAPPINGS 4K
 * leaves in full tables) needs, well under a second of walking.
 */
#define PVIOMMU_BUILD_BUDGET	BIT_ULL(26)

/* Shadow entries, one per guest leaf, charged to the VMM's memory cgroup. */
static struct kmem_cache *pviommu_entry_cache;

#define ENTRY_START(ent)	((ent)->start)
#define ENTRY_LAST(ent)		((ent)->last)

INTERVAL_TREE_DEFINE(struct pviommu_entry, rb, u64, __subtree_last,
		     ENTRY_START, ENTRY_LAST, static __maybe_unused, entry_it)

#define PG_SIZE		VTD_PAGE_SIZE
/* 4K leaves in a 2M block: at most one batch, one pin call. */
#define BATCH_MAX	(SZ_2M / PG_SIZE)
static_assert(BATCH_MAX <= PVIOMMU_PIN_BATCH);

/*
 * Fault injection, in builds with CONFIG_PVIOMMU_FAULT_INJECTION (the
 * test builds; see Documentation/pviommu/testing.rst): with @e->fail_nth at n,
 * the nth fallible step of the engine from then on fails, once, as the
 * kernel's per-task fail-nth makes should_fail() do. Debian's kernels are
 * built without CONFIG_FAULT_INJECTION, where neither exists.
 */
static bool engine_fail(struct pviommu_engine *e)
{
	unsigned int n;

	if (!IS_ENABLED(CONFIG_PVIOMMU_FAULT_INJECTION))
		return false;
	n = READ_ONCE(e->fail_nth);
	if (likely(!n))
		return false;
	WRITE_ONCE(e->fail_nth, n - 1);
	return n == 1;
}

static void *engine_zalloc(struct pviommu_engine *e, size_t size)
{
	return engine_fail(e) ? NULL : kzalloc(size, GFP_KERNEL_ACCOUNT);
}

static int engine_pin(struct pviommu_engine *e, u64 uaddr, unsigned int n,
		      u8 prot)
{
	if (engine_fail(e))
		return -EFAULT;
	return e->ops->pin(e->host, uaddr, n, prot & PVIOMMU_PERM_W, e->pa);
}

static int engine_read(void *priv, u64 gpa, void *buf, size_t len)
{
	struct pviommu_engine *e = priv;

	return engine_fail(e) ? -EFAULT : e->read(e->read_priv, gpa, buf, len);
}

/* How walks and context reads read guest memory. */
static void engine_reader(struct pviommu_engine *e, pviommu_read_fn *read,
			  void **priv)
{
	if (IS_ENABLED(CONFIG_PVIOMMU_FAULT_INJECTION)) {
		*read = engine_read;
		*priv = e;
	} else {
		*read = e->read;
		*priv = e->read_priv;
	}
}

static void engine_fault(struct pviommu_engine *e, struct pviommu_shadow *s,
			 struct pviommu_sdev *d, u64 iova, u32 reason)
{
	if (!d) {
		list_for_each_entry(d, &e->devs, node)
			if (d->shadow == s)
				break;
		if (list_entry_is_head(d, &e->devs, node))
			return;
	}
	if (d->ctx.fpd)
		return;
	/* Walk faults in scalable mode: the SM reasons for the same. */
	if (d->ctx.scalable) {
		if (reason == VTD_FR_PAGING_ENTRY_INV)
			reason = d->ctx.first_stage ? VTD_FR_SM_FS_ENTRY_INV :
			       VTD_FR_SM_SL_ENTRY_INV;
		else if (reason == VTD_FR_PAGING_ENTRY_RSVD)
			reason = d->ctx.first_stage ? VTD_FR_SM_FS_ENTRY_RSVD :
			       VTD_FR_SM_SL_ENTRY_RSVD;
		else if (reason == VTD_FR_INTERRUPT_ADDR)
			reason = VTD_FR_SM_INTERRUPT_ADDR;
	}
	trace_pviommu_fault(d->sid, iova, reason);
	e->stats.faults++;
	if (e->fault)
		e->fault(e->fault_priv, d->sid, iova, reason);
}

/* Queue @npages pages at @pa, already unmapped, for unpinning. */
static void engine_add_run(struct pviommu_engine *e, u64 pa, u64 npages,
			   bool dirty)
{
	struct pviommu_unpin_run *run;

	while (npages) {
		u32 n = min_t(u64, npages, U32_MAX);

		run = e->nr_runs ? &e->runs[e->nr_runs - 1] : NULL;
		if (run && run->dirty == dirty &&
		    run->pa + (u64)run->npages * PG_SIZE == pa &&
		    run->npages <= U32_MAX - n) {
			run->npages += n;
		} else {
			if (e->nr_runs == PVIOMMU_UNPIN_RUNS)
				pviommu_engine_flush(e);
			run = &e->runs[e->nr_runs++];
			run->pa = pa;
			run->npages = n;
			run->dirty = dirty;
		}
		pa += (u64)n * PG_SIZE;
		npages -= n;
	}
}

/*
 * The host reserved range overlapping @pos..@last that starts lowest,
 * widened to whole pages, in @rs..@rl; false when there is none.
 */
static bool resv_first(const struct pviommu_engine *e, u64 pos, u64 last,
		       u64 *rs, u64 *rl)
{
	bool found = false;
	unsigned int i;

	for (i = 0; i < e->nr_resv; i++) {
		u64 first = ALIGN_DOWN(e->resv[i][0], PG_SIZE);
		u64 end = e->resv[i][1] | (PG_SIZE - 1);

		if (end < pos || first > last || (found && first >= *rs))
			continue;
		*rs = first;
		*rl = end;
		found = true;
	}
	return found;
}

/* Whether page-aligned @iova..@last overlaps a host reserved range. */
static bool engine_reserved(const struct pviommu_engine *e, u64 iova, u64 last)
{
	u64 rs, rl;

	return resv_first(e, iova, last, &rs, &rl);
}

/* Unmap whole host pages @iova..+@size of @s; synced by the next flush. */
static void shadow_host_unmap(struct pviommu_engine *e,
			      struct pviommu_shadow *s, u64 iova, u64 size)
{
	WARN_ON_ONCE(e->ops->unmap(e->host, s->hdom, iova, size) != size);
	trace_pviommu_host_unmap(iova, size, 0);
	e->stats.unmaps++;
	s->need_sync = true;
}

/* Issue the unmap entry_remove() has been extending, if any. */
static void engine_unmap_pending(struct pviommu_engine *e)
{
	struct pviommu_shadow *s = e->unmap.shadow;

	if (!s)
		return;
	e->unmap.shadow = NULL;
	shadow_host_unmap(e, s, e->unmap.iova, e->unmap.size);
}

/**
 * pviommu_engine_flush() - sync host IOTLBs, then unpin what was unmapped
 * @e: the engine
 */
void pviommu_engine_flush(struct pviommu_engine *e)
{
	struct pviommu_shadow *s;
	unsigned int i, synced = 0;

	engine_unmap_pending(e);
	list_for_each_entry(s, &e->shadows, node) {
		if (!s->need_sync)
			continue;
		e->ops->sync(e->host, s->hdom);
		e->stats.syncs++;
		s->need_sync = false;
		synced++;
	}
	if (trace_pviommu_host_sync_enabled() && (synced || e->nr_runs))
		trace_pviommu_host_sync(synced, e->nr_runs);
	for (i = 0; i < e->nr_runs; i++)
		e->ops->unpin(e->host, e->runs[i].pa, e->runs[i].npages,
			      e->runs[i].dirty);
	e->nr_runs = 0;
}

/*
 * Unmap @iova..+@size of @s, which covers whole entries (so whole host
 * pages), run by run (maximal physically contiguous runs, as pages are
 * unpinned) and queue the pages for unpinning.
 */
static void shadow_unmap_runs(struct pviommu_engine *e,
			      struct pviommu_shadow *s, u64 iova, u64 size,
			      bool dirty)
{
	u64 end = iova + size;

	while (iova < end) {
		u64 pa = e->ops->iova_to_phys(e->host, s->hdom, iova);
		u64 len = PG_SIZE;

		/* A pass-through entry spans a RAM slot: bound the latency. */
		while (iova + len < end &&
		       e->ops->iova_to_phys(e->host, s->hdom, iova + len) ==
		       pa + len) {
			len += PG_SIZE;
			if (!(len & (SZ_2M - 1)))
				cond_resched();
		}
		WARN_ON_ONCE(!pa);
		shadow_host_unmap(e, s, iova, len);
		if (pa)
			engine_add_run(e, pa, len / PG_SIZE, dirty);
		iova += len;
	}
}

/*
 * Remove @ent from @s and unmap it. A physically contiguous entry right
 * after the previous one removed joins its unmap, which is issued by the
 * next pviommu_engine_flush() or engine_unmap_pending(); whoever maps in
 * the range afterwards calls one of them first.
 */
static void entry_remove(struct pviommu_engine *e, struct pviommu_shadow *s,
			 struct pviommu_entry *ent)
{
	u64 size = ent->last - ent->start + 1;
	bool dirty = ent->prot & PVIOMMU_PERM_W;

	if (ent->contig) {
		if (e->unmap.shadow != s ||
		    e->unmap.iova + e->unmap.size != ent->start) {
			engine_unmap_pending(e);
			e->unmap.shadow = s;
			e->unmap.iova = ent->start;
			e->unmap.size = 0;
		}
		e->unmap.size += size;
		engine_add_run(e, ent->pa, size / PG_SIZE, dirty);
	} else {
		engine_unmap_pending(e);
		shadow_unmap_runs(e, s, ent->start, size, dirty);
	}
	entry_it_remove(ent, &s->tree);
	kmem_cache_free(pviommu_entry_cache, ent);
	e->nr_entries--;
	s->nr_entries--;
}

/* Remove every entry of @s overlapping @start..@last. */
static void shadow_remove_range(struct pviommu_engine *e,
				struct pviommu_shadow *s, u64 start, u64 last)
{
	struct pviommu_entry *ent;
	unsigned int n = 0;

	while ((ent = entry_it_iter_first(&s->tree, start, last))) {
		entry_remove(e, s, ent);
		if (!(++n % PVIOMMU_PIN_BATCH))
			cond_resched();
	}
	engine_unmap_pending(e);
}

/* Unpin @n pinned, never mapped pages whose addresses are in @pa. */
static void unpin_unmapped(struct pviommu_engine *e, const u64 *pa,
			   unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && pa[j] == pa[j - 1] + PG_SIZE; j++)
			;
		e->ops->unpin(e->host, pa[i], j - i, false);
	}
}

/* One host map call: a physically contiguous run of pinned pages. */
static int shadow_host_map(struct pviommu_engine *e, struct pviommu_shadow *s,
			   u64 iova, u64 pa, u64 size, u8 prot)
{
	int ret = engine_fail(e) ? -ENOMEM :
		  e->ops->map(e->host, s->hdom, iova, pa, size, prot);

	trace_pviommu_host_map(iova, size, ret);
	return ret;
}

/*
 * Map guest @gpa..+@size at @iova in @s and record it as one entry: pin the
 * VMM's pages in batches and map each maximal physically contiguous run
 * with one host call. All or nothing: on failure nothing stays mapped or
 * pinned, and the tree is unchanged. A range that is not guest RAM is left
 * unmapped (and unrecorded): the device faults there. A range over a host
 * reserved one is refused with -EPERM.
 */
static int shadow_map(struct pviommu_engine *e, struct pviommu_shadow *s,
		      u64 iova, u64 gpa, u64 size, u8 perm)
{
	const struct pviommu_ram_slot *slot;
	u64 npages = size / PG_SIZE, done = 0, mapped = 0;
	u64 run_pa = 0, run_len = 0, run_iova = iova;
	struct pviommu_entry *ent;
	unsigned int i = 0, n = 0;
	u8 prot = perm;
	u64 uaddr;
	int ret;

	if (e->nr_entries >= e->max_entries)
		return -ENOSPC;
	if (engine_reserved(e, iova, iova + size - 1)) {
		e->stats.reserved++;
		return -EPERM;
	}
	slot = pviommu_gmem_lookup(e->gmem, gpa, size);
	if (!slot) {
		e->stats.unmappable++;
		return 0;
	}
	if (slot->readonly)
		prot &= ~PVIOMMU_PERM_W;
	if (!prot) {
		/* Write-only over read-only RAM: nothing the device may do. */
		e->stats.unmappable++;
		return 0;
	}
	uaddr = slot->uaddr + (gpa - slot->gpa);

	ent = engine_fail(e) ? NULL :
	      kmem_cache_zalloc(pviommu_entry_cache, GFP_KERNEL);
	if (!ent)
		return -ENOMEM;

	while (done < npages) {
		n = min_t(u64, npages - done, PVIOMMU_PIN_BATCH);
		if (fatal_signal_pending(current)) {
			n = 0;
			ret = -EINTR;
			goto err_unpin;
		}
		ret = engine_pin(e, uaddr + done * PG_SIZE, n, prot);
		if (ret) {
			n = 0;
			goto err_unpin;
		}
		for (i = 0; i < n; i++) {
			if (run_len && e->pa[i] == run_pa + run_len) {
				run_len += PG_SIZE;
				continue;
			}
			if (run_len) {
				ret = shadow_host_map(e, s, run_iova, run_pa,
						      run_len, prot);
				if (ret)
					goto err_unpin;
				e->stats.maps++;
				mapped += run_len;
			}
			run_pa = e->pa[i];
			run_iova = iova + (done + i) * PG_SIZE;
			run_len = PG_SIZE;
		}
		done += n;
		cond_resched();
	}
	n = 0;
	ret = shadow_host_map(e, s, run_iova, run_pa, run_len, prot);
	if (ret)
		goto err_unpin;
	e->stats.maps++;

	ent->start = iova;
	ent->last = iova + size - 1;
	ent->gpa = gpa;
	ent->perm = perm;
	ent->prot = prot;
	ent->contig = !mapped;
	ent->pa = mapped ? 0 : run_pa;
	entry_it_insert(ent, &s->tree);
	e->nr_entries++;
	s->nr_entries++;
	return 0;

err_unpin:
	/* The pending run and the rest of the batch: pinned, not mapped. */
	if (run_len)
		e->ops->unpin(e->host, run_pa, run_len / PG_SIZE, false);
	if (i < n)
		unpin_unmapped(e, e->pa + i, n - i);
	if (mapped) {
		shadow_unmap_runs(e, s, iova, mapped,
				  prot & PVIOMMU_PERM_W);
		pviommu_engine_flush(e);
	}
	kmem_cache_free(pviommu_entry_cache, ent);
	return ret;
}

/*
 * Whether a host map call covering several 4K leaves must end with the
 * page at @iova -> @pa, @left pages from the end of the batch: the iommu
 * core could start a larger host page there (both are aligned to
 * @s->split, and enough pages follow), which would span leaves.
 */
static bool batch_ends_at(const struct pviommu_shadow *s, u64 iova, u64 pa,
			  unsigned int left)
{
	return s->split && IS_ALIGNED(iova | pa, s->split) &&
	       (u64)left * PG_SIZE >= s->split;
}

/*
 * Map @n consecutive 4K leaves (IOVA @iova, GPA @gpa, @perm) in @s, one
 * entry each: one pin call, one host map call per physically contiguous
 * run, each run cut after any page where a larger host page could start.
 * The leaves lie in one 2M block of IOVA. All or nothing; returns an
 * error whenever the leaves have to be mapped one by one instead, which
 * decides which leaf fails and how.
 */
static int shadow_map_batch(struct pviommu_engine *e, struct pviommu_shadow *s,
			    u64 iova, u64 gpa, unsigned int n, u8 perm)
{
	const struct pviommu_ram_slot *slot;
	u64 run = 0, maps = 0, uaddr;
	unsigned int i;
	u8 prot = perm;
	int ret;

	if (n < 2 || e->nr_entries + n > e->max_entries ||
	    engine_reserved(e, iova, iova + (u64)n * PG_SIZE - 1))
		return -E2BIG;
	slot = pviommu_gmem_lookup(e->gmem, gpa, (u64)n * PG_SIZE);
	if (!slot)
		return -ENOENT;
	if (slot->readonly)
		prot &= ~PVIOMMU_PERM_W;
	if (!prot)
		return -EPERM;
	uaddr = slot->uaddr + (gpa - slot->gpa);

	/* Every member is set below. */
	if (engine_fail(e) ||
	    !kmem_cache_alloc_bulk(pviommu_entry_cache, GFP_KERNEL, n,
				   (void **)e->ents))
		return -ENOMEM;
	ret = engine_pin(e, uaddr, n, prot);
	if (ret)
		goto err_free;

	/* Map [run, i) when page i does not continue it. */
	for (i = 1; i <= n; i++) {
		if (i < n && e->pa[i] == e->pa[i - 1] + PG_SIZE &&
		    !batch_ends_at(s, iova + (u64)(i - 1) * PG_SIZE,
				   e->pa[i - 1], n - (i - 1)))
			continue;
		ret = shadow_host_map(e, s, iova + run * PG_SIZE, e->pa[run],
				      (i - run) * PG_SIZE, prot);
		if (ret)
			goto err_unmap;
		maps++;
		run = i;
	}

	for (i = 0; i < n; i++) {
		struct pviommu_entry *ent = e->ents[i];

		ent->start = iova + (u64)i * PG_SIZE;
		ent->last = ent->start + PG_SIZE - 1;
		ent->gpa = gpa + (u64)i * PG_SIZE;
		ent->pa = e->pa[i];
		ent->perm = perm;
		ent->prot = prot;
		ent->contig = true;
		entry_it_insert(ent, &s->tree);
	}
	e->nr_entries += n;
	s->nr_entries += n;
	e->stats.maps += maps;
	return 0;

err_unmap:
	/* Pages [0, run) are mapped, the rest only pinned. */
	if (run) {
		shadow_unmap_runs(e, s, iova, run * PG_SIZE,
				  prot & PVIOMMU_PERM_W);
		pviommu_engine_flush(e);
	}
	unpin_unmapped(e, e->pa + run, n - run);
err_free:
	kmem_cache_free_bulk(pviommu_entry_cache, n, (void **)e->ents);
	return ret;
}

/*
 * A walk's reconciliation. Leaves to map that could join one
 * shadow_map_batch() wait in @batch until a leaf that does not continue
 * them, or the end of the walk.
 */
struct recon {
	struct pviommu_engine *e;
	struct pviommu_shadow *s;
	struct pviommu_sdev *dev;	/* device faults are reported for */
	u64 pos;			/* first IOVA not yet reconciled */
	struct {
		u64 iova;
		u64 gpa;
		unsigned int n;
		u8 perm;
	} batch;
};

/* Whether an error ends the call: the VMM is being killed. */
static bool engine_fatal(int err)
{
	return err == -EINTR || err == -ERESTARTSYS;
}

/*
 * Map one leaf. It fails closed: a leaf the host cannot map (memory
 * limit, entry limit, pin, host map) is left unmapped with a fault record
 * and counted in @e->failed, and the walk goes on, so that everything the
 * guest unmapped around it is still unmapped; a leaf over a host reserved
 * range is left unmapped with a fault record too. Only a fatal signal
 * stops the walk.
 */
static int recon_map(struct recon *r, u64 iova, u64 gpa, u64 size, u8 perm)
{
	int ret = shadow_map(r->e, r->s, iova, gpa, size, perm);

	if (!ret || engine_fatal(ret))
		return ret;
	if (ret == -EPERM) {
		engine_fault(r->e, r->s, r->dev, iova, VTD_FR_INTERRUPT_ADDR);
		return 0;
	}
	r->e->failed++;
	engine_fault(r->e, r->s, r->dev, iova, PVIOMMU_FR_HOST_MAP);
	return 0;
}

static int recon_commit(struct recon *r)
{
	u64 iova = r->batch.iova, gpa = r->batch.gpa;
	unsigned int i, n = r->batch.n;
	u8 perm = r->batch.perm;
	int ret;

	if (!n)
		return 0;
	r->batch.n = 0;
	if (!shadow_map_batch(r->e, r->s, iova, gpa, n, perm))
		return 0;
	for (i = 0; i < n; i++) {
		ret = recon_map(r, iova + (u64)i * PG_SIZE,
				gpa + (u64)i * PG_SIZE, PG_SIZE, perm);
		if (ret)
			return ret;
	}
	return 0;
}

static bool recon_continues(const struct recon *r,
			    const struct pviommu_leaf *leaf)
{
	u64 off = (u64)r->batch.n * PG_SIZE;

	return r->batch.n && leaf->shift == VTD_PAGE_SHIFT &&
	       leaf->perm == r->batch.perm && leaf->iova == r->batch.iova + off &&
	       leaf->gpa == r->batch.gpa + off && !IS_ALIGNED(leaf->iova, SZ_2M);
}

static int recon_leaf(struct pviommu_walk *w, const struct pviommu_leaf *leaf)
{
	struct recon *r = w->ops_priv;
	u64 last = leaf->iova + BIT_ULL(leaf->shift) - 1;
	struct pviommu_entry *ent;
	int ret;

	if (!recon_continues(r, leaf)) {
		ret = recon_commit(r);
		if (ret)
			return ret;
	}
	if (leaf->iova > r->pos)
		shadow_remove_range(r->e, r->s, r->pos, leaf->iova - 1);
	r->pos = last + 1;

	ent = entry_it_iter_first(&r->s->tree, leaf->iova, last);
	if (ent && ent->start == leaf->iova && ent->last == last &&
	    ent->gpa == leaf->gpa && ent->perm == leaf->perm &&
	    !entry_it_iter_next(ent, leaf->iova, last))
		return 0;

	if (ent)
		shadow_remove_range(r->e, r->s, leaf->iova, last);
	if (leaf->shift != VTD_PAGE_SHIFT)
		return recon_map(r, leaf->iova, leaf->gpa, BIT_ULL(leaf->shift),
				 leaf->perm);
	if (!r->batch.n) {
		r->batch.iova = leaf->iova;
		r->batch.gpa = leaf->gpa;
		r->batch.perm = leaf->perm;
	}
	r->batch.n++;
	return 0;
}

static struct pviommu_pde *pde_slot(struct pviommu_shadow *s, u64 iova)
{
	return &s->pde[(iova >> 21) % PVIOMMU_PDE_CACHE];
}

/* Drop the paging-structure cache entries for @start..@last. */
static void pde_drop(struct pviommu_shadow *s, u64 start, u64 last)
{
	u64 r;

	if ((last >> 21) - (start >> 21) >= PVIOMMU_PDE_CACHE) {
		memset(s->pde, 0, sizeof(s->pde));
		return;
	}
	for (r = start >> 21; r <= last >> 21; r++) {
		struct pviommu_pde *pde = pde_slot(s, r << 21);

		if (pde->tag == r + 1)
			pde->tag = 0;
	}
}

static void recon_last_table(struct pviommu_walk *w, u64 iova, u64 table,
			     u8 perm)
{
	struct recon *r = w->ops_priv;
	struct pviommu_pde *pde = pde_slot(r->s, iova);

	pde->tag = (iova >> 21) + 1;
	pde->table = table | perm;
}

static int recon_fault(struct pviommu_walk *w, u64 iova, u64 last, u8 reason)
{
	struct recon *r = w->ops_priv;

	engine_fault(r->e, r->s, r->dev, iova, reason);
	return 0;
}

static const struct pviommu_walk_ops recon_ops = {
	.leaf = recon_leaf,
	.fault = recon_fault,
	.last_table = recon_last_table,
};

/*
 * Make @s equal to the guest's tables over @start..@last; @ih: only leaves
 * changed there (the invalidation hint). Returns -EAGAIN with @e->cur.next
 * set when the budget runs out.
 */
static int shadow_reconcile(struct pviommu_engine *e, struct pviommu_shadow *s,
			    struct pviommu_sdev *dev, u64 start, u64 last,
			    bool ih)
{
	struct recon r = { .e = e, .s = s, .dev = dev };
	struct pviommu_walk *w = e->walk;
	struct pviommu_pde *pde = NULL;
	struct pviommu_entry *ent;
	int ret, err;

	/* Whole entries at the edges: a change inside one replaces it. */
	ent = entry_it_iter_first(&s->tree, start, start);
	if (ent)
		start = ent->start;
	ent = entry_it_iter_first(&s->tree, last, last);
	if (ent)
		last = ent->last;
	r.pos = start;

	w->caps = e->caps;
	engine_reader(e, &w->read, &w->priv);
	w->ops = &recon_ops;
	w->ops_priv = &r;
	w->root = s->root;
	w->levels = s->levels;
	w->first_stage = s->first_stage;
	w->start = start;
	w->last = last;
	w->budget = e->budget;
	w->tables_read = 0;
	w->entries = 0;
	if (ih && !((start ^ last) >> 21)) {
		pde = pde_slot(s, start);
		if (pde->tag != (start >> 21) + 1)
			pde = NULL;
	} else if (!ih) {
		pde_drop(s, start, last);
	}
	if (pde)
		ret = pviommu_walk_last(w, pde->table & ~(VTD_PAGE_SIZE - 1),
					pde->table & (VTD_SL_R | VTD_SL_W));
	else
		ret = pviommu_walk(w);
	err = recon_commit(&r);
	if (err && (!ret || ret == -EAGAIN))
		ret = err;
	e->budget = w->budget;
	e->stats.walks++;
	e->stats.tables_read += w->tables_read;
	trace_pviommu_walk(s->did, w, ret);

	if (ret == -EAGAIN) {
		trace_pviommu_eagain(s->did, w->next);
		if (w->next > r.pos)
			shadow_remove_range(e, s, r.pos, w->next - 1);
		e->cur.next = w->next;
		return ret;
	}
	if (ret)
		return ret;
	/* Nothing is present after the last leaf. */
	if (r.pos <= last)
		shadow_remove_range(e, s, r.pos, last);
	return 0;
}

/*
 * Map guest RAM @gpa..@last at IOVA = GPA in the pass-through shadow @s,
 * one entry per piece between host reserved ranges.
 */
static int shadow_map_pt(struct pviommu_engine *e, struct pviommu_shadow *s,
			 u64 gpa, u64 last)
{
	u64 pos = gpa;
	int ret;

	while (pos <= last) {
		u64 rs, rl, end = last;

		if (resv_first(e, pos, last, &rs, &rl)) {
			if (rs <= pos) {
				if (rl >= last)
					return 0;
				pos = rl + 1;
				continue;
			}
			end = rs - 1;
		}
		ret = shadow_map(e, s, pos, pos, end - pos + 1,
				 PVIOMMU_PERM_R | PVIOMMU_PERM_W);
		if (ret || end == last)
			return ret;
		pos = end + 1;
	}
	return 0;
}

/*
 * Map every guest RAM slot at IOVA = GPA; a slot the host cannot map is
 * left unmapped (fails closed, counted in @e->failed).
 */
static int shadow_map_all_ram(struct pviommu_engine *e,
			      struct pviommu_shadow *s)
{
	struct pviommu_ram_slot *slot;
	unsigned long index = 0;
	int ret;

	mt_for_each(&e->gmem->slots, slot, index, ULONG_MAX) {
		ret = shadow_map_pt(e, s, slot->gpa, slot->gpa + slot->len - 1);
		if (engine_fatal(ret))
			return ret;
		if (ret)
			e->failed++;
	}
	return 0;
}

static struct pviommu_shadow *shadow_find(struct pviommu_engine *e,
					  const struct pviommu_context *c)
{
	struct pviommu_shadow *s;

	list_for_each_entry(s, &e->shadows, node) {
		if (c->pass_through && s->pass_through)
			return s;
		if (!c->pass_through && !s->pass_through && s->did == c->did &&
		    s->root == c->root && s->levels == c->levels &&
		    s->first_stage == c->first_stage)
			return s;
	}
	return NULL;
}

/*
 * Where map batches of @s are cut: the smallest host page above 4K. Read
 * again after each attach: VT-d's domains offer 4K pages only until their
 * first attach (6.1 to 6.12), and their large pages from then on.
 */
static void shadow_read_pgsizes(struct pviommu_engine *e,
				struct pviommu_shadow *s)
{
	u64 big = e->ops->pgsizes(e->host, s->hdom) & ~(2 * PG_SIZE - 1);

	s->split = big & -big;
}

static struct pviommu_shadow *shadow_create(struct pviommu_engine *e,
					    const struct pviommu_context *c,
					    struct pviommu_hgroup *hgroup)
{
	struct pviommu_shadow *s = engine_zalloc(e, sizeof(*s));
	struct pviommu_hdom *hdom;

	if (!s)
		return ERR_PTR(-ENOMEM);
	hdom = engine_fail(e) ? ERR_PTR(-ENOMEM) :
	       e->ops->domain_alloc(e->host, hgroup);
	if (IS_ERR(hdom)) {
		kfree(s);
		return ERR_CAST(hdom);
	}
	s->hdom = hdom;
	shadow_read_pgsizes(e, s);
	s->did = c->did;
	s->pass_through = c->pass_through;
	s->root = c->root;
	s->levels = c->levels;
	s->first_stage = c->first_stage;
	s->tree = RB_ROOT_CACHED;
	list_add_tail(&s->node, &e->shadows);
	return s;
}

static void shadow_destroy(struct pviommu_engine *e, struct pviommu_shadow *s)
{
	WARN_ON_ONCE(s->nr_devs);
	shadow_remove_range(e, s, 0, U64_MAX);
	pviommu_engine_flush(e);
	if (e->cur.shadow == s)
		e->cur.active = false;
	list_del(&s->node);
	e->ops->domain_free(e->host, s->hdom);
	kfree(s);
}

/* Forget an unfinished action; tear down shadows it left half built. */
static void cur_reset(struct pviommu_engine *e)
{
	struct pviommu_shadow *s, *tmp;

	e->cur.active = false;
	e->cur.shadow = NULL;
	e->cur.dev = NULL;
	list_for_each_entry_safe(s, tmp, &e->shadows, node)
		if (!s->nr_devs)
			shadow_destroy(e, s);
}

static void shadow_put(struct pviommu_engine *e, struct pviommu_shadow *s)
{
	if (s && !--s->nr_devs)
		shadow_destroy(e, s);
}

/* The group of @hgroup, with one more device; a new one starts blocked. */
static struct pviommu_sgroup *group_get(struct pviommu_engine *e,
					struct pviommu_hgroup *hgroup)
{
	struct pviommu_sgroup *g;

	list_for_each_entry(g, &e->groups, node) {
		if (g->hgroup == hgroup) {
			g->nr_sdevs++;
			return g;
		}
	}
	g = engine_zalloc(e, sizeof(*g));
	if (!g)
		return NULL;
	g->hgroup = hgroup;
	g->nr_sdevs = 1;
	list_add_tail(&g->node, &e->groups);
	e->ops->block(e->host, hgroup);
	return g;
}

/* One device fewer in @g, which is blocked; forget it after the last. */
static void group_put(struct pviommu_engine *e, struct pviommu_sgroup *g)
{
	if (--g->nr_sdevs)
		return;
	WARN_ON_ONCE(g->cur);
	list_del(&g->node);
	kfree(g);
}

/*
 * Attach @g to the shadow all its devices resolve to, or block it when
 * not all of the host's devices of the group are attached, or they
 * resolve to different shadows or to none. @d, whose change this follows,
 * gets a fault record when it asks for translation the group cannot give.
 */
static int group_sync(struct pviommu_engine *e, struct pviommu_sgroup *g,
		      struct pviommu_sdev *d)
{
	struct pviommu_shadow *want = NULL;
	struct pviommu_sdev *m;
	bool first = true;
	int ret;

	list_for_each_entry(m, &e->devs, node) {
		if (m->group != g)
			continue;
		if (first)
			want = m->shadow;
		else if (m->shadow != want)
			want = NULL;
		first = false;
		if (!want)
			break;
	}
	if (want && g->nr_sdevs < e->ops->group_size(e->host, g->hgroup))
		want = NULL;
	if (!want && d && d->shadow)
		engine_fault(e, d->shadow, d, 0, VTD_FR_CONTEXT_ENTRY_INV);

	if (want == g->cur)
		return 0;
	if (!want) {
		e->ops->block(e->host, g->hgroup);
		g->cur = NULL;
		return 0;
	}
	ret = engine_fail(e) ? -ENOMEM :
	      e->ops->attach(e->host, want->hdom, g->hgroup);
	if (ret) {
		/* Whatever the host left it attached to: not @want. */
		e->ops->block(e->host, g->hgroup);
		g->cur = NULL;
		return ret;
	}
	g->cur = want;
	shadow_read_pgsizes(e, want);
	return 0;
}

/*
 * Make @d resolve to @s (NULL: to nothing), let its group follow, and drop
 * the shadow it resolved to before. When the host cannot attach the group,
 * the group stays blocked and @d resolves to nothing.
 */
static int dev_set_shadow(struct pviommu_engine *e, struct pviommu_sdev *d,
			  struct pviommu_shadow *s)
{
	struct pviommu_shadow *old = d->shadow;
	int ret;

	if (s == old)
		return 0;
	if (s)
		s->nr_devs++;
	d->shadow = s;
	ret = group_sync(e, d->group, d);
	if (ret) {
		d->shadow = NULL;
		shadow_put(e, s);
	}
	trace_pviommu_device(d->sid, d->group->cur != d->shadow || !d->shadow,
			     d->shadow ? d->shadow->did : 0,
			     d->shadow ? d->shadow->root : 0, ret);
	shadow_put(e, old);
	return ret;
}

/* Block @d, take it out of the engine and free it. */
static void dev_remove(struct pviommu_engine *e, struct pviommu_sdev *d)
{
	dev_set_shadow(e, d, NULL);
	list_del(&d->node);
	group_put(e, d->group);
	kfree(d);
}

/*
 * Re-read @d's context entry and attach it to the shadow it names, building
 * that shadow first if needed (continuing a build @e->cur left unfinished).
 */
static int dev_update(struct pviommu_engine *e, struct pviommu_sdev *d)
{
	struct pviommu_shadow *s;
	struct pviommu_context c;
	bool populate = false;
	u64 start = 0;
	int ret;

	if (!e->translate) {
		/* Not translated: guest physical addresses, all of RAM. */
		memset(&c, 0, sizeof(c));
		c.pass_through = true;
	} else if (e->root_set) {
		pviommu_read_fn read;
		void *priv;

		engine_reader(e, &read, &priv);
		pviommu_read_context(e->caps, read, priv, e->rtaddr, d->sid,
				     &c);
	} else {
		memset(&c, 0, sizeof(c));
		c.fault = VTD_FR_ROOT_ENTRY_P;
	}
	/*
	 * Requests with PASID are not shadowed: the host blocks them. Say so
	 * once, when the guest enables them.
	 */
	if (c.pasid_enabled && !d->ctx.pasid_enabled) {
		d->ctx.pasid_enabled = true;
		d->ctx.fpd = c.fpd;
		engine_fault(e, NULL, d, 0, PVIOMMU_FR_HOST_PASID);
	}
	if (c.fault) {
		u8 was = d->ctx.fault;

		d->ctx = c;
		/*
		 * An erroneous root or context entry (reserved bits, a table
		 * outside guest RAM, a bad AW or TT) gets a fault record when
		 * it appears, as the unit records one at the device's next DMA;
		 * an entry that is merely not present does not.
		 */
		if (c.fault != was && !pviommu_fault_not_present(c.fault))
			engine_fault(e, NULL, d, 0, c.fault);
		return dev_set_shadow(e, d, NULL);
	}

	s = shadow_find(e, &c);
	if (!s) {
		s = shadow_create(e, &c, d->group->hgroup);
		if (IS_ERR(s)) {
			ret = PTR_ERR(s);
			goto err_block;
		}
		populate = true;
	} else if (!s->nr_devs) {
		/* Half built by an earlier call that ran out of budget. */
		populate = true;
		if (e->cur.active && e->cur.shadow == s)
			start = e->cur.next;
	}
	if (populate) {
		struct pviommu_context was = d->ctx;

		/* For the walk: its fault records use the context's mode. */
		d->ctx = c;
		if (s->pass_through)
			ret = shadow_map_all_ram(e, s);
		else
			ret = shadow_reconcile(e, s, d, start, U64_MAX, false);
		if (ret == -EAGAIN) {
			/*
			 * Until the move completes the device is where it
			 * was, and invalidations of where it was reach it.
			 */
			d->ctx = was;
			e->cur.active = true;
			e->cur.shadow = s;
			e->cur.dev = d;
			return ret;
		}
		if (ret) {
			shadow_destroy(e, s);
			goto err_block;
		}
	}
	d->ctx = c;
	return dev_set_shadow(e, d, s);

err_block:
	/* What it resolved to before is not what the guest says now. */
	d->ctx = c;
	dev_set_shadow(e, d, NULL);
	return ret;
}

/*
 * dev_update() in a call that has no continuation, within a budget of its
 * own. A shadow too large to build in it is torn down, and @d blocked
 * with a host fault record: the guest's next context-cache invalidation
 * of it, which can be continued, tries again. Whatever an invalidation
 * left to continue stays as it was.
 */
static int dev_update_bounded(struct pviommu_engine *e,
			      struct pviommu_sdev *d)
{
	typeof(e->cur) saved = e->cur;
	struct pviommu_shadow *half;
	int ret;

	e->budget = e->build_budget;
	ret = dev_update(e, d);
	if (ret != -EAGAIN)
		return ret;
	half = e->cur.shadow;
	e->cur = saved;
	if (half != saved.shadow && !half->nr_devs)
		shadow_destroy(e, half);
	dev_set_shadow(e, d, NULL);
	e->failed++;
	engine_fault(e, NULL, d, 0, PVIOMMU_FR_HOST_ATTACH);
	return 0;
}

static struct pviommu_sdev *dev_find(struct pviommu_engine *e, u16 sid)
{
	struct pviommu_sdev *d;

	list_for_each_entry(d, &e->devs, node)
		if (d->sid == sid)
			return d;
	return NULL;
}

/*
 * Whether a PASID-cache invalidation covers @d: the PASID entry its DMA
 * translates through, by domain, or by domain and PASID. A device without
 * a valid entry is re-read on any (the entry may have become present
 * under the invalidated domain).
 */
static bool pc_covers(const struct pviommu_qi_action *act,
		      const struct pviommu_sdev *d)
{
	if (act->scope == PVIOMMU_SCOPE_GLOBAL || d->ctx.fault)
		return true;
	if (d->ctx.did != act->did)
		return false;
	return act->scope != PVIOMMU_SCOPE_PASID || d->ctx.pasid == act->pasid;
}

/* Whether a context-cache (or PASID-cache) invalidation covers @d. */
static bool cc_covers(const struct pviommu_qi_action *act,
		      const struct pviommu_sdev *d)
{
	u16 fmask;

	if (act->op == PVIOMMU_QI_PASID_CACHE)
		return pc_covers(act, d);
	switch (act->scope) {
	case PVIOMMU_SCOPE_GLOBAL:
		return true;
	case PVIOMMU_SCOPE_DOMAIN:
		/*
		 * In caching mode a unit caches not-present and erroneous
		 * context entries under domain ID 0 (VT-d 6.1): invalidating
		 * domain 0 picks up an entry that became present.
		 */
		if (d->ctx.fault)
			return act->did == 0;
		return d->ctx.did == act->did;
	case PVIOMMU_SCOPE_DEVICE:
		/* FM n: the n high bits of the 3-bit function are ignored. */
		fmask = act->fm ? GENMASK(2, 3 - act->fm) : 0;
		return (d->sid & ~fmask) == (act->sid & ~fmask);
	default:
		return false;
	}
}

/* @bounded: a call with no continuation (see dev_update_bounded()). */
static int apply_context(struct pviommu_engine *e,
			 const struct pviommu_qi_action *act, bool resume,
			 bool bounded)
{
	struct pviommu_sdev *d, *from = NULL;
	int ret;

	if (resume && e->cur.active)
		from = e->cur.dev;
	list_for_each_entry(d, &e->devs, node) {
		if (from) {
			if (d != from)
				continue;
			/*
			 * The device whose move ran out of budget: covered
			 * when the descriptor started, whatever it resolves
			 * to now.
			 */
			from = NULL;
		} else if (!cc_covers(act, d)) {
			continue;
		}
		ret = bounded ? dev_update_bounded(e, d) : dev_update(e, d);
		if (ret == -EAGAIN || engine_fatal(ret))
			return ret;
		if (ret) {
			/*
			 * The host could not build or attach its shadow: the
			 * device stays blocked, the guest gets a fault record,
			 * and the invalidation completes for the others.
			 */
			e->failed++;
			engine_fault(e, NULL, d, 0, PVIOMMU_FR_HOST_ATTACH);
		}
	}
	return 0;
}

static int apply_iotlb(struct pviommu_engine *e,
		       const struct pviommu_qi_action *act, bool resume)
{
	struct pviommu_shadow *s, *from = NULL;
	u64 next = 0;
	bool ih;
	int ret;

	if (resume && e->cur.active && !e->cur.dev) {
		from = e->cur.shadow;
		next = e->cur.next;
	}
	/* IH only means something in a (legacy) page-selective invalidation. */
	ih = act->type == VTD_QI_IOTLB && act->scope == PVIOMMU_SCOPE_PAGE &&
	     act->ih;
	list_for_each_entry(s, &e->shadows, node) {
		u64 start = 0, last = U64_MAX;

		if (from && s != from)
			continue;
		if (from) {
			start = next;
			from = NULL;
		}
		if (s->pass_through)
			continue;
		if (act->scope != PVIOMMU_SCOPE_GLOBAL && s->did != act->did)
			continue;
		if (act->scope == PVIOMMU_SCOPE_PAGE) {
			start = max(start, act->start);
			last = act->last;
			if (start > last)
				continue;
		}
		ret = shadow_reconcile(e, s, NULL, start, last, ih);
		if (ret == -EAGAIN) {
			e->cur.active = true;
			e->cur.shadow = s;
			e->cur.dev = NULL;
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* Apply one action; what it unmapped may still wait for a flush. */
static int engine_apply(struct pviommu_engine *e,
			const struct pviommu_qi_action *act, bool resume)
{
	int ret = 0;
	__le32 data;

	if (!resume && e->cur.active)
		cur_reset(e);

	switch (act->op) {
	case PVIOMMU_QI_CONTEXT:
	case PVIOMMU_QI_PASID_CACHE:
		ret = apply_context(e, act, resume, false);
		break;
	case PVIOMMU_QI_IOTLB:
		ret = apply_iotlb(e, act, resume);
		break;
	case PVIOMMU_QI_WAIT:
		/* Everything before the wait is synced and unpinned first. */
		pviommu_engine_flush(e);
		if (act->status_write) {
			data = cpu_to_le32(act->status_data);
			if (pviommu_gmem_write(e->gmem, act->status_addr, &data,
					       sizeof(data)))
				ret = -EFAULT;
		}
		break;
	default:
		break;
	}
	if (ret != -EAGAIN && e->cur.active)
		cur_reset(e);
	return ret;
}

/**
 * pviommu_engine_apply() - apply one decoded invalidation
 * @e: the engine
 * @act: the action, from pviommu_qi_decode()
 * @resume: @act is the action the previous call stopped in with -EAGAIN;
 *	continue where it stopped
 *
 * IOTLB invalidations (and PASID-based ones, conservatively) reconcile the
 * shadows of the domain they name, or of all domains; context-cache
 * invalidations re-read the context entries of the devices they cover; an
 * invalidation wait syncs the host and writes its status word. Nothing is
 * left to sync or unpin when this returns.
 *
 * Return: 0; -EAGAIN when the budget ran out (apply again with @resume);
 * -ENOSPC at the entry limit; -EFAULT when a status write fails; or an
 * error from the host.
 */
int pviommu_engine_apply(struct pviommu_engine *e,
			 const struct pviommu_qi_action *act, bool resume)
{
	int ret = engine_apply(e, act, resume);

	pviommu_engine_flush(e);
	return ret;
}

/**
 * pviommu_engine_batch() - decode and apply a batch of raw descriptors
 * @e: the engine
 * @b: the batch; pviommu_engine_batch() sets its outputs
 *
 * Descriptors are applied in order, as a VT-d unit processes its queue.
 * The first invalid one stops the batch (an Invalidation Queue Error):
 * @b->done is its index and @b->error says why. Host IOTLB syncs are
 * batched across the batch, but every unmap is synced before its pages are
 * unpinned and before any later invalidation wait completes; nothing is
 * left to sync or unpin when this returns.
 *
 * When the budget runs out, -EAGAIN: @b->done is the index of the
 * descriptor in progress. A batch with @b->resume that starts with that
 * same descriptor continues it where it stopped; any other batch abandons
 * it.
 *
 * Return: 0 when all @b->n descriptors were applied; -EINVAL at an invalid
 * descriptor; -EAGAIN; -ENOENT for @b->resume with nothing to continue
 * there; or the error of the descriptor at @b->done.
 */
int pviommu_engine_batch(struct pviommu_engine *e, struct pviommu_batch *b)
{
	unsigned int words = b->wide ? 4 : 2;
	struct pviommu_qi_action act;
	u64 d[4] = {};
	unsigned int k;
	int ret = 0;

	b->done = 0;
	b->signal = false;
	b->error = PVIOMMU_QI_OK;
	for (; b->done < b->n; b->done++) {
		bool resume;

		for (k = 0; k < words; k++)
			d[k] = le64_to_cpu(b->desc[b->done * words + k]);
		b->error = pviommu_qi_decode(e->caps, d, b->wide, &act);
		if (b->error) {
			ret = -EINVAL;
			break;
		}
		resume = !b->done && b->resume;
		if (resume && (!e->cur.active ||
			       memcmp(d, e->cur.desc, sizeof(d)))) {
			ret = -ENOENT;
			break;
		}
		ret = engine_apply(e, &act, resume);
		trace_pviommu_desc(&act, ret);
		if (ret == -EAGAIN)
			memcpy(e->cur.desc, d, sizeof(d));
		if (ret)
			break;
		if (act.op == PVIOMMU_QI_WAIT && act.interrupt)
			b->signal = true;
	}
	pviommu_engine_flush(e);
	return ret;
}

/**
 * pviommu_engine_attach() - attach a host device under a guest source-id
 * @e: the engine
 * @sid: the source-id the guest sees
 * @hgroup: the host IOMMU group of the device, for the host ops
 *
 * The device joins the shadow its context entry names (an existing one
 * needs no walk), or one built for it, or stays blocked while its context
 * entry is not present. A shadow is built to the end within
 * @e->build_budget, not the call's budget (the walk stops early only for a
 * fatal signal), so an attach leaves nothing to continue; it continues the
 * build of a shadow an invalidation left unfinished, and leaves that
 * invalidation's continuation as it is. A shadow that does not fit the
 * build budget leaves the device attached but blocked, with a host fault
 * record.
 *
 * Return: 0, -EEXIST if @sid is attached, or a negative errno (nothing
 * attached then).
 */
int pviommu_engine_attach(struct pviommu_engine *e, u16 sid,
			  struct pviommu_hgroup *hgroup)
{
	struct pviommu_sdev *d = dev_find(e, sid);
	int ret;

	if (d)
		return -EEXIST;
	d = engine_zalloc(e, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->group = group_get(e, hgroup);
	if (!d->group) {
		kfree(d);
		return -ENOMEM;
	}
	d->sid = sid;
	list_add_tail(&d->node, &e->devs);
	/* It resolves to nothing yet: its group is blocked. */
	group_sync(e, d->group, NULL);

	ret = dev_update_bounded(e, d);
	if (ret)
		dev_remove(e, d);
	pviommu_engine_flush(e);
	return ret;
}

/**
 * pviommu_engine_set_translation() - the guest's Translation Enable
 * @e: the engine
 * @on: translation enabled (GCMD.TE)
 *
 * Disabled, every device resolves to the pass-through shadow (guest
 * physical addresses over all guest RAM); enabled, each resolves as its
 * context entry says. Every device follows before the call returns; one
 * whose shadow cannot be built or attached stays blocked, with a fault
 * record, counted in @e->failed.
 *
 * Return: 0, or -EINTR on a fatal signal.
 */
int pviommu_engine_set_translation(struct pviommu_engine *e, bool on)
{
	const struct pviommu_qi_action all = {
		.op = PVIOMMU_QI_CONTEXT,
		.scope = PVIOMMU_SCOPE_GLOBAL,
	};
	int ret;

	e->translate = on;
	ret = apply_context(e, &all, false, true);
	pviommu_engine_flush(e);
	return ret;
}

/**
 * pviommu_engine_detach() - block a device and forget it
 * @e: the engine
 * @sid: the source-id it was attached under
 *
 * Return: 0, or -ENOENT if no device is attached under @sid.
 */
int pviommu_engine_detach(struct pviommu_engine *e, u16 sid)
{
	struct pviommu_sdev *d = dev_find(e, sid);

	if (!d)
		return -ENOENT;
	dev_remove(e, d);
	if (e->cur.active)
		cur_reset(e);
	pviommu_engine_flush(e);
	return 0;
}

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
		cur_reset(e);
	e->rtaddr = rtaddr;
	e->root_set = true;
	return 0;
}

/**
 * pviommu_engine_add_slot() - guest RAM was added: map it in pass-through
 * shadows
 * @e: the engine
 * @slot: the new slot
 *
 * Return: 0 or a negative errno from mapping.
 */
int pviommu_engine_add_slot(struct pviommu_engine *e,
			    const struct pviommu_ram_slot *slot)
{
	struct pviommu_shadow *s;
	int ret = 0;

	list_for_each_entry(s, &e->shadows, node) {
		if (!s->pass_through)
			continue;
		ret = shadow_map_pt(e, s, slot->gpa, slot->gpa + slot->len - 1);
		if (ret)
			break;
	}
	pviommu_engine_flush(e);
	return ret;
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
	u64 last = gpa + len - 1;
	struct pviommu_shadow *s;
	struct pviommu_entry *ent, *next;

	list_for_each_entry(s, &e->shadows, node) {
		memset(s->pde, 0, sizeof(s->pde));
		for (ent = entry_it_iter_first(&s->tree, 0, U64_MAX); ent;
		     ent = next) {
			next = entry_it_iter_next(ent, 0, U64_MAX);
			if (ent->gpa <= last &&
			    gpa <= ent->gpa + (ent->last - ent->start))
				entry_remove(e, s, ent);
			cond_resched();
		}
	}
	pviommu_engine_flush(e);
}

/**
 * pviommu_engine_reserve() - the host reserves an IOVA range
 * @e: the engine
 * @start: its first IOVA
 * @last: its last IOVA
 *
 * Nothing is mapped over the range from now on: entries overlapping it are
 * removed; pass-through shadows map the RAM they held around it again.
 * Translated shadows pick the range up at the guest's next invalidation
 * of it, which leaves the leaves over it unmapped with a fault record.
 *
 * Return: 0, or -ENOSPC when @e holds PVIOMMU_MAX_RESV ranges already.
 */
int pviommu_engine_reserve(struct pviommu_engine *e, u64 start, u64 last)
{
	struct pviommu_entry *ent;
	struct pviommu_shadow *s;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < e->nr_resv; i++)
		if (e->resv[i][0] <= start && last <= e->resv[i][1])
			return 0;
	if (e->nr_resv == PVIOMMU_MAX_RESV)
		return -ENOSPC;
	e->resv[e->nr_resv][0] = start;
	e->resv[e->nr_resv][1] = last;
	e->nr_resv++;

	list_for_each_entry(s, &e->shadows, node) {
		while ((ent = entry_it_iter_first(&s->tree, start, last))) {
			u64 first = ent->start, end = ent->last;

			entry_remove(e, s, ent);
			engine_unmap_pending(e);
			if (s->pass_through && !ret)
				ret = shadow_map_pt(e, s, first, end);
		}
	}
	pviommu_engine_flush(e);
	return ret;
}

/**
 * pviommu_engine_query() - what a device's shadow maps at an IOVA
 * @e: the engine
 * @sid: the device's guest source-id
 * @iova: the address
 * @ent: a copy of the entry holding @iova
 * @phys: the host physical address @iova maps to
 *
 * Return: 0, or -ENOENT when no device is attached under @sid, it is
 * blocked (its group too), or nothing is mapped at @iova.
 */
int pviommu_engine_query(struct pviommu_engine *e, u16 sid, u64 iova,
			 struct pviommu_entry *ent, u64 *phys)
{
	struct pviommu_sdev *d = dev_find(e, sid);
	struct pviommu_entry *found;

	if (!d || !d->shadow || d->group->cur != d->shadow)
		return -ENOENT;
	found = entry_it_iter_first(&d->shadow->tree, iova, iova);
	if (!found)
		return -ENOENT;
	*ent = *found;
	*phys = e->ops->iova_to_phys(e->host, d->shadow->hdom, iova);
	return 0;
}

/**
 * pviommu_engine_hdom() - the host domain a device is attached to
 * @e: the engine
 * @sid: the device's guest source-id
 *
 * Return: the host domain, or NULL when no device is attached under @sid
 * or it is blocked.
 */
struct pviommu_hdom *pviommu_engine_hdom(struct pviommu_engine *e, u16 sid)
{
	struct pviommu_sdev *d = dev_find(e, sid);

	return d && d->shadow && d->group->cur == d->shadow ?
	       d->shadow->hdom : NULL;
}

/**
 * pviommu_engine_nr_shadows() - shadows the engine holds
 * @e: the engine
 *
 * Return: their number.
 */
unsigned int pviommu_engine_nr_shadows(struct pviommu_engine *e)
{
	struct pviommu_shadow *s;
	unsigned int n = 0;

	list_for_each_entry(s, &e->shadows, node)
		n++;
	return n;
}

/**
 * pviommu_shadow_init() - create the shadow entries' slab cache
 *
 * Return: 0 or -ENOMEM.
 */
int pviommu_shadow_init(void)
{
	pviommu_entry_cache = KMEM_CACHE(pviommu_entry, SLAB_ACCOUNT);
	return pviommu_entry_cache ? 0 : -ENOMEM;
}

/**
 * pviommu_shadow_exit() - destroy it; every engine is gone
 */
void pviommu_shadow_exit(void)
{
	kmem_cache_destroy(pviommu_entry_cache);
	pviommu_entry_cache = NULL;
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
	e->ents = kvcalloc(BATCH_MAX, sizeof(*e->ents), GFP_KERNEL_ACCOUNT);
	e->runs = kvcalloc(PVIOMMU_UNPIN_RUNS, sizeof(*e->runs),
			   GFP_KERNEL_ACCOUNT);
	if (!e->walk || !e->pa || !e->ents || !e->runs) {
		kvfree(e->walk);
		kvfree(e->pa);
		kvfree(e->ents);
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
		dev_remove(e, d);
	cur_reset(e);
	pviommu_engine_flush(e);
	kvfree(e->walk);
	kvfree(e->pa);
	kvfree(e->ents);
	kvfree(e->runs);
}
