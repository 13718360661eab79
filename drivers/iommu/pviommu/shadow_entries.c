// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow engine's entries: the tree of what one host domain maps, and
 * the host calls that keep the two equal.
 *
 * An entry is one guest leaf (4K, 2M or 1G) or, for pass-through, one
 * piece of a guest RAM slot between host reserved ranges. Its pages are
 * pinned and mapped when it is inserted, unmapped when it is removed, and
 * unpinned at the next pviommu_engine_flush(), after the host's IOTLB
 * sync.
 *
 * No host page spans two entries, so every entry can be unmapped on its
 * own; an entry is unmapped whole, never in part. A leaf is mapped by one
 * host call per maximal physically contiguous run of its pages, so the
 * host can use its largest page sizes. Consecutive 4K leaves (IOVA and GPA
 * both consecutive, same permissions) within one 2M block of IOVA are
 * pinned with one call and mapped with one call per physically contiguous
 * run; a host map call that covers several 4K leaves never holds a whole
 * naturally aligned page of any larger size the domain has (the batch is
 * cut there), so no host page spans two leaves. Adjacent entries being
 * removed are unmapped with one call.
 *
 * Entries as runs: the leaves of one such batch are one entry, a run
 * (@ent->run), since each of its host pages is 4K. Removing part of a run
 * cuts it, at any 4K boundary, where the guest's tables changed: the run
 * shrinks, or, cut in the middle, becomes two, and the node for the second
 * is allocated before anything is unmapped. Without memory for it the
 * whole run is removed: more is unmapped than the guest asked, never less
 * (the leaves around the cut come back with the guest's next invalidation
 * of them, and a fault record says why). A run's pages are rarely
 * physically contiguous; where they are not, the run keeps their addresses
 * (8 bytes a page, @ent->pas), or, without memory for them, they are read
 * from the host domain while still mapped, before the one unmap call for
 * the run.
 *
 * IOVA ranges the host reserves (its MSI window, firmware regions) are
 * never mapped: a guest leaf over one is refused (the walk leaves it
 * unmapped with a fault record), and pass-through maps guest RAM around
 * them.
 */
#include <linux/errno.h>
#include <linux/interval_tree_generic.h>
#include <linux/maple_tree.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "shadow_private.h"
#include "trace.h"

/*
 * Shadow entries, one per guest leaf or run of leaves, charged to the
 * VMM's memory cgroup.
 */
static struct kmem_cache *pviommu_entry_cache;

#define ENTRY_START(ent)	((ent)->start)
#define ENTRY_LAST(ent)		((ent)->last)

INTERVAL_TREE_DEFINE(struct pviommu_entry, rb, u64, __subtree_last,
		     ENTRY_START, ENTRY_LAST, static __maybe_unused, entry_it)

static_assert(BATCH_MAX <= PVIOMMU_PIN_BATCH);

/**
 * pviommu_entry_first() - the lowest entry of a shadow overlapping a range
 * @s: the shadow
 * @start: first IOVA of the range
 * @last: last IOVA of the range
 *
 * Return: the entry, or NULL when none overlaps.
 */
struct pviommu_entry *pviommu_entry_first(struct pviommu_shadow *s, u64 start,
					  u64 last)
{
	return entry_it_iter_first(&s->tree, start, last);
}

/**
 * pviommu_entry_next() - the next entry overlapping the same range
 * @ent: an entry pviommu_entry_first() or this returned
 * @start: first IOVA of the range
 * @last: last IOVA of the range
 *
 * Return: the entry, or NULL when no further one overlaps.
 */
struct pviommu_entry *pviommu_entry_next(struct pviommu_entry *ent, u64 start,
					 u64 last)
{
	return entry_it_iter_next(ent, start, last);
}

static int engine_pin(struct pviommu_engine *e, u64 uaddr, unsigned int n,
		      u8 prot)
{
	if (pviommu_engine_fail(e))
		return -EFAULT;
	return e->ops->pin(e->host, uaddr, n, prot & PVIOMMU_PERM_W, e->pa);
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

/*
 * The host unmapped @done bytes of the @size at @iova in @s's domain: the
 * rest may still be mapped (a driver's quirk, a large page the unmap would
 * cut), and the pages behind it must not be unpinned while a device can
 * reach them. Fail closed: block every group attached to @s and never
 * attach one to it again (@s->leaked; group_sync()), keep the pages this
 * flush would unpin pinned until no leaked domain is left, and give the
 * guest a host fault record for @s's devices.
 */
static void shadow_unmap_short(struct pviommu_engine *e,
			       struct pviommu_shadow *s, u64 iova, u64 size,
			       u64 done)
{
	struct pviommu_sgroup *g;

	pr_warn_ratelimited("pviommu: the host unmapped %#llx of %#llx bytes at IOVA %#llx: the domain's devices are blocked\n",
			    done, size, iova);
	list_for_each_entry(g, &e->groups, node) {
		if (g->cur != s)
			continue;
		e->ops->block(e->host, g->hgroup);
		g->cur = NULL;
	}
	if (!s->leaked) {
		s->leaked = true;
		e->nr_leaked++;
		pviommu_engine_fault(e, s, NULL, iova + done,
				     PVIOMMU_FR_HOST_ATTACH);
	}
	e->hold = true;
}

/* Unmap whole host pages @iova..+@size of @s; synced by the next flush. */
static void shadow_host_unmap(struct pviommu_engine *e,
			      struct pviommu_shadow *s, u64 iova, u64 size)
{
	u64 done = e->ops->unmap(e->host, s->hdom, iova, size);

	trace_pviommu_host_unmap(iova, size, 0);
	e->stats.unmaps++;
	s->need_sync = true;
	if (unlikely(done != size))
		shadow_unmap_short(e, s, iova, size, done);
}

/* Unpin @n runs of pages at @runs. */
static void engine_unpin_runs(struct pviommu_engine *e,
			      const struct pviommu_unpin_run *runs,
			      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		e->ops->unpin(e->host, runs[i].pa, runs[i].npages,
			      runs[i].dirty);
}

/*
 * Keep the pages of @e->runs pinned, in @e->held. Without memory to
 * record them they stay pinned for good (and charged): never unpinned
 * while a domain may map them.
 */
static void engine_hold_runs(struct pviommu_engine *e)
{
	struct pviommu_unpin_run *held;

	held = krealloc_array(e->held, e->nr_held + e->nr_runs,
			      sizeof(*held), GFP_KERNEL_ACCOUNT);
	if (!held) {
		pr_err("pviommu: out of memory: %u runs of pages stay pinned\n",
		       e->nr_runs);
		return;
	}
	memcpy(held + e->nr_held, e->runs, e->nr_runs * sizeof(*held));
	e->held = held;
	e->nr_held += e->nr_runs;
}

/**
 * pviommu_engine_release_held() - unpin the pages kept for leaked domains
 * @e: the engine, with no leaked shadow left
 */
void pviommu_engine_release_held(struct pviommu_engine *e)
{
	engine_unpin_runs(e, e->held, e->nr_held);
	kfree(e->held);
	e->held = NULL;
	e->nr_held = 0;
}

/* Issue the unmap pviommu_entry_remove() has been extending, if any. */
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
	unsigned int synced = 0;

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
	if (e->hold && e->nr_runs)
		engine_hold_runs(e);
	else
		engine_unpin_runs(e, e->runs, e->nr_runs);
	e->hold = false;
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
		cond_resched();
	}
}

/* The guest leaves @ent records: a run's 4K leaves, else one. */
static u64 entry_leaves(const struct pviommu_entry *ent)
{
	return ent->run ? (ent->last - ent->start + 1) / PG_SIZE : 1;
}

/*
 * Add @iova..+@size of @s to the unmap being gathered, which is issued by
 * the next pviommu_engine_flush() or engine_unmap_pending(); whoever maps
 * in the range afterwards calls one of them first. A range not adjacent to
 * it issues it first.
 */
static void unmap_gather(struct pviommu_engine *e, struct pviommu_shadow *s,
			 u64 iova, u64 size)
{
	if (e->unmap.shadow != s || e->unmap.iova + e->unmap.size != iova) {
		engine_unmap_pending(e);
		e->unmap.shadow = s;
		e->unmap.iova = iova;
		e->unmap.size = 0;
	}
	e->unmap.size += size;
}

/* A run's page addresses, if it keeps them. */
static u64 *run_pas(const struct pviommu_entry *ent)
{
	return ent->run && !ent->contig ? ent->pas : NULL;
}

/*
 * Unmap @iova..+@size of @ent, whole host pages of it, and queue its pages
 * for unpinning.
 */
static void entry_unmap(struct pviommu_engine *e, struct pviommu_shadow *s,
			const struct pviommu_entry *ent, u64 iova, u64 size)
{
	bool dirty = ent->prot & PVIOMMU_PERM_W;
	unsigned int i, n = size / PG_SIZE;
	const u64 *pa;

	if (ent->contig) {
		unmap_gather(e, s, iova, size);
		engine_add_run(e, ent->pa + (iova - ent->start), n, dirty);
		return;
	}
	if (!ent->run) {
		engine_unmap_pending(e);
		shadow_unmap_runs(e, s, iova, size, dirty);
		return;
	}
	pa = run_pas(ent);
	if (pa) {
		pa += (iova - ent->start) / PG_SIZE;
	} else {
		/*
		 * A run lies in one 2M of IOVA: its pages' addresses fit
		 * @e->upa. Read them all while mapped: queuing an unpin may
		 * issue the unmap.
		 */
		for (i = 0; i < n; i++) {
			u64 at = iova + (u64)i * PG_SIZE;

			e->upa[i] = e->ops->iova_to_phys(e->host, s->hdom, at);
		}
		pa = e->upa;
	}
	unmap_gather(e, s, iova, size);
	for (i = 0; i < n; i++)
		if (!WARN_ON_ONCE(!pa[i]))
			engine_add_run(e, pa[i], 1, dirty);
}

/**
 * pviommu_entry_remove() - remove an entry and unmap it
 * @e: the engine
 * @s: the shadow
 * @ent: the entry
 *
 * Physically contiguous entries and runs removed one after the other join
 * one unmap call (unmap_gather()).
 */
void pviommu_entry_remove(struct pviommu_engine *e, struct pviommu_shadow *s,
			  struct pviommu_entry *ent)
{
	u64 leaves = entry_leaves(ent);

	entry_unmap(e, s, ent, ent->start, ent->last - ent->start + 1);
	entry_it_remove(ent, &s->tree);
	if (run_pas(ent))
		kfree(ent->pas);
	kmem_cache_free(pviommu_entry_cache, ent);
	e->nr_entries -= leaves;
	s->nr_entries -= leaves;
}

/*
 * Make @ent, a run, start at @start, inside it. Its page addresses, if it
 * keeps them, are @pas (NULL: none).
 */
static void run_trim_front(struct pviommu_entry *ent, u64 start, u64 *pas)
{
	u64 off = start - ent->start;

	if (!ent->contig && pas)
		memmove(pas, ent->pas + off / PG_SIZE,
			(ent->last - start + 1) / PG_SIZE * sizeof(*pas));
	ent->start = start;
	ent->gpa += off;
	if (ent->contig)
		ent->pa += off;
	else
		ent->pas = pas;
}

/*
 * Cut page-aligned @start..@last, inside the run @ent and not all of it,
 * out of it and unmap it. A cut in the middle leaves two runs; the node of
 * the second is allocated first, and without it the whole run is removed
 * (failing closed, with a fault record).
 */
static void run_cut(struct pviommu_engine *e, struct pviommu_shadow *s,
		    struct pviommu_entry *ent, u64 start, u64 last)
{
	u64 leaves = (last - start + 1) / PG_SIZE;
	struct pviommu_entry *tail = NULL;

	if (start > ent->start && last < ent->last) {
		tail = pviommu_engine_fail(e) ? NULL :
		       kmem_cache_alloc(pviommu_entry_cache, GFP_KERNEL);
		if (!tail) {
			e->failed++;
			pviommu_engine_fault(e, s, NULL, ent->start,
					     PVIOMMU_FR_HOST_MAP);
			pviommu_entry_remove(e, s, ent);
			return;
		}
	}
	entry_unmap(e, s, ent, start, last - start + 1);
	entry_it_remove(ent, &s->tree);
	if (tail) {
		u64 *pas = NULL;

		/* Its own page addresses, if there is memory for them. */
		if (run_pas(ent) && !pviommu_engine_fail(e))
			pas = kmalloc_array((ent->last - last) / PG_SIZE,
					    sizeof(*pas), GFP_KERNEL_ACCOUNT);
		*tail = *ent;
		run_trim_front(tail, last + 1, pas);
		entry_it_insert(tail, &s->tree);
		ent->last = start - 1;
	} else if (start == ent->start) {
		run_trim_front(ent, last + 1, run_pas(ent));
	} else {
		ent->last = start - 1;
	}
	entry_it_insert(ent, &s->tree);
	e->nr_entries -= leaves;
	s->nr_entries -= leaves;
}

/**
 * pviommu_shadow_remove_range() - unmap a range of IOVA
 * @e: the engine
 * @s: the shadow
 * @start: first IOVA
 * @last: last IOVA
 *
 * Removes every entry of @s overlapping @start..@last, and of each run the
 * 4K leaves overlapping it only.
 */
void pviommu_shadow_remove_range(struct pviommu_engine *e,
				 struct pviommu_shadow *s, u64 start, u64 last)
{
	struct pviommu_entry *ent;
	unsigned int n = 0;

	while ((ent = entry_it_iter_first(&s->tree, start, last))) {
		/* The whole leaves of a run the range overlaps. */
		u64 cs = ALIGN_DOWN(max(ent->start, start), PG_SIZE);
		u64 cl = min(ent->last, last) | (PG_SIZE - 1);

		if (ent->run && (cs > ent->start || cl < ent->last))
			run_cut(e, s, ent, cs, cl);
		else
			pviommu_entry_remove(e, s, ent);
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
	int ret = pviommu_engine_fail(e) ? -ENOMEM :
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
int pviommu_shadow_map(struct pviommu_engine *e, struct pviommu_shadow *s,
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

	/*
	 * A leaked domain is never attached again, and what it may still
	 * map would collide: nothing more is mapped (or recorded) in it.
	 */
	if (s->leaked)
		return 0;
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

	ent = pviommu_engine_fail(e) ? NULL :
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
 * Map @n consecutive 4K leaves (IOVA @iova, GPA @gpa, @perm) in @s as one
 * run: one pin call, one host map call per physically contiguous run of
 * pages, each cut after any page where a larger host page could start.
 * The leaves lie in one 2M block of IOVA. All or nothing; returns an
 * error whenever the leaves have to be mapped one by one instead, which
 * decides which leaf fails and how.
 */
int pviommu_shadow_map_batch(struct pviommu_engine *e, struct pviommu_shadow *s,
			     u64 iova, u64 gpa, unsigned int n, u8 perm)
{
	const struct pviommu_ram_slot *slot;
	u64 run = 0, maps = 0, uaddr;
	struct pviommu_entry *ent;
	bool contig = true;
	unsigned int i;
	u8 prot = perm;
	int ret;

	if (s->leaked)
		return 0;	/* as pviommu_shadow_map() */
	if (n < 2 || n > BATCH_MAX || e->nr_entries + n > e->max_entries ||
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

	ent = pviommu_engine_fail(e) ? NULL :
	      kmem_cache_zalloc(pviommu_entry_cache, GFP_KERNEL);
	if (!ent)
		return -ENOMEM;
	ret = engine_pin(e, uaddr, n, prot);
	if (ret)
		goto err_free;

	/* Map [run, i) when page i does not continue it. */
	for (i = 1; i <= n; i++) {
		bool next = i < n && e->pa[i] == e->pa[i - 1] + PG_SIZE;

		if (i < n && !next)
			contig = false;
		if (next && !batch_ends_at(s, iova + (u64)(i - 1) * PG_SIZE,
					   e->pa[i - 1], n - (i - 1)))
			continue;
		ret = shadow_host_map(e, s, iova + run * PG_SIZE, e->pa[run],
				      (i - run) * PG_SIZE, prot);
		if (ret)
			goto err_unmap;
		maps++;
		run = i;
	}

	ent->start = iova;
	ent->last = iova + (u64)n * PG_SIZE - 1;
	ent->gpa = gpa;
	if (contig) {
		ent->pa = e->pa[0];
	} else if (!pviommu_engine_fail(e)) {
		/* Without memory for them, they are read when unmapped. */
		ent->pas = kmemdup(e->pa, n * sizeof(*e->pa),
				   GFP_KERNEL_ACCOUNT);
	}
	ent->perm = perm;
	ent->prot = prot;
	ent->contig = contig;
	ent->run = true;
	entry_it_insert(ent, &s->tree);
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
	kmem_cache_free(pviommu_entry_cache, ent);
	return ret;
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
		ret = pviommu_shadow_map(e, s, pos, pos, end - pos + 1,
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
int pviommu_shadow_map_all_ram(struct pviommu_engine *e,
			       struct pviommu_shadow *s)
{
	struct pviommu_ram_slot *slot;
	unsigned long index = 0;
	int ret;

	mt_for_each(&e->gmem->slots, slot, index, ULONG_MAX) {
		ret = shadow_map_pt(e, s, slot->gpa, slot->gpa + slot->len - 1);
		if (pviommu_engine_fatal(ret))
			return ret;
		if (ret)
			e->failed++;
	}
	return 0;
}

/*
 * Where map batches of @s are cut: the smallest host page above 4K. Read
 * again after each attach: VT-d's domains offer 4K pages only until their
 * first attach (6.1 to 6.12), and their large pages from then on.
 */
void pviommu_shadow_read_pgsizes(struct pviommu_engine *e,
				 struct pviommu_shadow *s)
{
	u64 big = e->ops->pgsizes(e->host, s->hdom) & ~(2 * PG_SIZE - 1);

	s->split = big & -big;
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
 * pviommu_shadow_remove_gpa() - remove the entries of guest RAM going away
 * @e: the engine
 * @s: the shadow
 * @gpa: first guest physical address
 * @last: last guest physical address
 *
 * Removes every entry of @s whose guest physical range overlaps
 * @gpa..@last; the next pviommu_engine_flush() unpins the pages.
 */
void pviommu_shadow_remove_gpa(struct pviommu_engine *e,
			       struct pviommu_shadow *s, u64 gpa, u64 last)
{
	struct pviommu_entry *ent, *next;

	for (ent = entry_it_iter_first(&s->tree, 0, U64_MAX); ent; ent = next) {
		next = entry_it_iter_next(ent, 0, U64_MAX);
		if (ent->gpa <= last &&
		    gpa <= ent->gpa + (ent->last - ent->start))
			pviommu_entry_remove(e, s, ent);
		cond_resched();
	}
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
		if (!s->pass_through) {
			pviommu_shadow_remove_range(e, s, start, last);
			continue;
		}
		while ((ent = entry_it_iter_first(&s->tree, start, last))) {
			u64 first = ent->start, end = ent->last;

			pviommu_entry_remove(e, s, ent);
			engine_unmap_pending(e);
			if (!ret)
				ret = shadow_map_pt(e, s, first, end);
		}
	}
	pviommu_engine_flush(e);
	return ret;
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
