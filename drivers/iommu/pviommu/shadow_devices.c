// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow engine's devices, host IOMMU groups and the lifecycle of
 * shadows.
 *
 * A device is attached under the source-id the guest sees, and resolves,
 * by its context entry as last read, to a shadow or to nothing. When its
 * key (domain ID, root, levels; or pass-through) changes it moves to the
 * shadow with the new key; if there is none, a new shadow is built by a
 * full walk (replay) before the device is attached to it. A device whose
 * context entry is not present, or invalid, is blocked. A shadow left
 * without devices is torn down.
 *
 * The host translates per IOMMU group, not per device: all devices of a
 * group share one host domain. A group is attached to a shadow's domain
 * only while every device of it the host counts is attached to the engine
 * and resolves to that one shadow; otherwise (only some attached, or the
 * guest put them in different domains) the whole group is blocked, and
 * the device whose change blocked it gets a fault record.
 *
 * A shadow build that has no continuation (an attach, a translation
 * switch) has a budget of its own, @e->build_budget: a guest whose tables
 * need more (a table whose entries point at itself makes 2^36 leaves at 4
 * levels) gets the device blocked, with a host fault record.
 */
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "shadow_private.h"
#include "trace.h"
#include "vtd.h"

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

static struct pviommu_shadow *shadow_create(struct pviommu_engine *e,
					    const struct pviommu_context *c,
					    struct pviommu_hgroup *hgroup)
{
	struct pviommu_shadow *s = pviommu_engine_zalloc(e, sizeof(*s));
	struct pviommu_hdom *hdom;

	if (!s)
		return ERR_PTR(-ENOMEM);
	hdom = pviommu_engine_fail(e) ? ERR_PTR(-ENOMEM) :
	       e->ops->domain_alloc(e->host, hgroup);
	if (IS_ERR(hdom)) {
		kfree(s);
		return ERR_CAST(hdom);
	}
	s->hdom = hdom;
	pviommu_shadow_read_pgsizes(e, s);
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
	pviommu_shadow_remove_range(e, s, 0, U64_MAX);
	pviommu_engine_flush(e);
	if (e->cur.shadow == s)
		e->cur.active = false;
	list_del(&s->node);
	e->ops->domain_free(e->host, s->hdom);
	/* The last domain that may map held pages is gone. */
	if (s->leaked && !--e->nr_leaked)
		pviommu_engine_release_held(e);
	kfree(s);
}

/* Forget an unfinished action; tear down shadows it left half built. */
void pviommu_cur_reset(struct pviommu_engine *e)
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
	g = pviommu_engine_zalloc(e, sizeof(*g));
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
	if (want && want->leaked) {
		/* Its domain may map what it no longer records. */
		if (d)
			pviommu_engine_fault(e, want, d, 0,
					     PVIOMMU_FR_HOST_ATTACH);
		want = NULL;
	} else if (!want && d && d->shadow) {
		pviommu_engine_fault(e, d->shadow, d, 0, VTD_FR_CONTEXT_ENTRY_INV);
	}

	if (want == g->cur)
		return 0;
	if (!want) {
		e->ops->block(e->host, g->hgroup);
		g->cur = NULL;
		return 0;
	}
	ret = pviommu_engine_fail(e) ? -ENOMEM :
	      e->ops->attach(e->host, want->hdom, g->hgroup);
	if (ret) {
		/* Whatever the host left it attached to: not @want. */
		e->ops->block(e->host, g->hgroup);
		g->cur = NULL;
		return ret;
	}
	g->cur = want;
	pviommu_shadow_read_pgsizes(e, want);
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
void pviommu_dev_remove(struct pviommu_engine *e, struct pviommu_sdev *d)
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
int pviommu_dev_update(struct pviommu_engine *e, struct pviommu_sdev *d)
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

		pviommu_engine_reader(e, &read, &priv);
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
		pviommu_engine_fault(e, NULL, d, 0, PVIOMMU_FR_HOST_PASID);
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
			pviommu_engine_fault(e, NULL, d, 0, c.fault);
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
			ret = pviommu_shadow_map_all_ram(e, s);
		else
			ret = pviommu_shadow_reconcile(e, s, d, start, U64_MAX, false);
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
 * pviommu_dev_update() in a call that has no continuation, within a budget
 * of its own. A shadow too large to build in it is torn down, and @d
 * blocked with a host fault record: the guest's next context-cache
 * invalidation of it, which can be continued, tries again. Whatever an
 * invalidation left to continue stays as it was.
 */
int pviommu_dev_update_bounded(struct pviommu_engine *e, struct pviommu_sdev *d)
{
	typeof(e->cur) saved = e->cur;
	struct pviommu_shadow *half;
	int ret;

	e->budget = e->build_budget;
	ret = pviommu_dev_update(e, d);
	if (ret != -EAGAIN)
		return ret;
	half = e->cur.shadow;
	e->cur = saved;
	if (half != saved.shadow && !half->nr_devs)
		shadow_destroy(e, half);
	dev_set_shadow(e, d, NULL);
	e->failed++;
	pviommu_engine_fault(e, NULL, d, 0, PVIOMMU_FR_HOST_ATTACH);
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
	d = pviommu_engine_zalloc(e, sizeof(*d));
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

	ret = pviommu_dev_update_bounded(e, d);
	if (ret)
		pviommu_dev_remove(e, d);
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
	pviommu_dev_remove(e, d);
	if (e->cur.active)
		pviommu_cur_reset(e);
	pviommu_engine_flush(e);
	return 0;
}

/**
 * pviommu_engine_query() - what a device's shadow maps at an IOVA
 * @e: the engine
 * @sid: the device's guest source-id
 * @iova: the address
 * @ent: a copy of the entry holding @iova; for a run, of its leaf
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
	found = pviommu_entry_first(d->shadow, iova, iova);
	if (!found)
		return -ENOENT;
	*ent = *found;
	if (found->run) {
		/* The leaf of the run, as the guest maps it. */
		u64 off = ALIGN_DOWN(iova, PG_SIZE) - found->start;

		ent->start += off;
		ent->last = ent->start + PG_SIZE - 1;
		ent->gpa += off;
		if (ent->contig)
			ent->pa += off;
	}
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
