// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow engine's reconciliation: a shadow made equal to the guest's
 * tables over a range of IOVA, by one walk.
 *
 * Reconciling a range [start, last] of a shadow: widen the range to the
 * whole entries at its edges (not runs of 4K leaves, which are cut at any
 * leaf instead), walk the guest's tables over it, and for each leaf the
 * walk reports (in IOVA order): entries in the gap before it are removed;
 * an entry equal to it (IOVA, size, GPA, permissions), or a run holding it
 * as it is, is kept; anything else overlapping it is removed and the leaf
 * is mapped. Entries
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
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "shadow_private.h"
#include "trace.h"
#include "vtd.h"

/*
 * A walk's reconciliation. Leaves to map that could join one
 * pviommu_shadow_map_batch() wait in @batch until a leaf that does not continue
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
	int ret = pviommu_shadow_map(r->e, r->s, iova, gpa, size, perm);

	if (!ret || pviommu_engine_fatal(ret))
		return ret;
	if (ret == -EPERM) {
		pviommu_engine_fault(r->e, r->s, r->dev, iova, VTD_FR_INTERRUPT_ADDR);
		return 0;
	}
	r->e->failed++;
	pviommu_engine_fault(r->e, r->s, r->dev, iova, PVIOMMU_FR_HOST_MAP);
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
	if (!pviommu_shadow_map_batch(r->e, r->s, iova, gpa, n, perm))
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

/* Whether @ent maps the leaf @leaf (last IOVA @last) as it is now. */
static bool entry_holds(const struct pviommu_entry *ent,
			const struct pviommu_leaf *leaf, u64 last)
{
	if (ent->perm != leaf->perm)
		return false;
	if (ent->run)
		return leaf->shift == VTD_PAGE_SHIFT &&
		       ent->start <= leaf->iova && last <= ent->last &&
		       ent->gpa + (leaf->iova - ent->start) == leaf->gpa;
	return ent->start == leaf->iova && ent->last == last &&
	       ent->gpa == leaf->gpa;
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
		pviommu_shadow_remove_range(r->e, r->s, r->pos, leaf->iova - 1);
	r->pos = last + 1;

	ent = pviommu_entry_first(r->s, leaf->iova, last);
	if (ent && entry_holds(ent, leaf, last) &&
	    !pviommu_entry_next(ent, leaf->iova, last))
		return 0;

	if (ent)
		pviommu_shadow_remove_range(r->e, r->s, leaf->iova, last);
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
		pviommu_pde_clear(s);
		return;
	}
	for (r = start >> 21; r <= last >> 21; r++) {
		struct pviommu_pde *pde = pde_slot(s, r << 21);

		if (pde->tag == r + 1)
			pde->tag = 0;
	}
}

/**
 * pviommu_pde_clear() - forget every table the shadow's cache holds
 * @s: the shadow
 */
void pviommu_pde_clear(struct pviommu_shadow *s)
{
	memset(s->pde, 0, sizeof(s->pde));
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

	pviommu_engine_fault(r->e, r->s, r->dev, iova, reason);
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
int pviommu_shadow_reconcile(struct pviommu_engine *e, struct pviommu_shadow *s,
			     struct pviommu_sdev *dev, u64 start, u64 last,
			     bool ih)
{
	struct recon r = { .e = e, .s = s, .dev = dev };
	struct pviommu_walk *w = e->walk;
	struct pviommu_pde *pde = NULL;
	struct pviommu_entry *ent;
	int ret, err;

	/*
	 * Whole entries at the edges: a change inside one replaces it. A run
	 * is cut at the edges instead.
	 */
	ent = pviommu_entry_first(s, start, start);
	if (ent && !ent->run)
		start = ent->start;
	ent = pviommu_entry_first(s, last, last);
	if (ent && !ent->run)
		last = ent->last;
	r.pos = start;

	w->caps = e->caps;
	pviommu_engine_reader(e, &w->read, &w->priv);
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
			pviommu_shadow_remove_range(e, s, r.pos, w->next - 1);
		e->cur.next = w->next;
		return ret;
	}
	if (ret)
		return ret;
	/* Nothing is present after the last leaf. */
	if (r.pos <= last)
		pviommu_shadow_remove_range(e, s, r.pos, last);
	return 0;
}
