// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow engine's descriptor application: what each decoded
 * invalidation covers, and where one that ran out of budget continues.
 *
 * IOTLB invalidations (and PASID-based ones, conservatively) reconcile the
 * shadows of the domain they name, or of every domain (shadow_reconcile.c);
 * context-cache and PASID-cache invalidations re-read the context entries
 * of the devices they cover (shadow_devices.c); an invalidation wait
 * syncs and unpins everything before it and writes its status word.
 *
 * Bounded work: walks draw from @e->budget. When it runs out, the engine
 * returns -EAGAIN and remembers in @e->cur where it stopped (which shadow,
 * which device, which IOVA) and the raw descriptor it stopped in; applying
 * the same descriptor again with @resume continues there. Everything
 * before that point is reconciled. Calls that have no continuation (an
 * attach, a translation switch) build each shadow within @e->build_budget
 * instead (pviommu_dev_update_bounded()).
 */
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "shadow_private.h"
#include "trace.h"
#include "vtd.h"

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

/* @bounded: a call with no continuation (see pviommu_dev_update_bounded()). */
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
		ret = bounded ? pviommu_dev_update_bounded(e, d) : pviommu_dev_update(e, d);
		if (ret == -EAGAIN || pviommu_engine_fatal(ret))
			return ret;
		if (ret) {
			/*
			 * The host could not build or attach its shadow: the
			 * device stays blocked, the guest gets a fault record,
			 * and the invalidation completes for the others.
			 */
			e->failed++;
			pviommu_engine_fault(e, NULL, d, 0, PVIOMMU_FR_HOST_ATTACH);
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
		ret = pviommu_shadow_reconcile(e, s, NULL, start, last, ih);
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
		pviommu_cur_reset(e);

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
		pviommu_cur_reset(e);
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
