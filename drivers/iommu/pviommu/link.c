// SPDX-License-Identifier: GPL-2.0
/*
 * Links between contexts and VFIO containers: which host IOMMU groups a
 * context may attach devices from.
 *
 * A container of pviommu's type (vfio.c) holds the groups VFIO put in it;
 * PVIOMMU_VFIO_LINK links it to one context (context.c), which then finds
 * its devices here by host address. Both sides call this file, and it
 * calls neither: the reference a link holds on its context is taken here
 * and handed back to the caller to drop, so the VFIO backend and the
 * context meet here and never call each other back.
 *
 * Locking: pviommu_link_lock protects every container's group list and
 * link, and each context's list of containers. Order: VFIO's container and
 * group locks, then a context's lock, then pviommu_link_lock.
 */
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>

#include "pviommu.h"

static DEFINE_MUTEX(pviommu_link_lock);

/**
 * pviommu_link_init() - set up the link state of a new container
 * @c: the container
 */
void pviommu_link_init(struct pviommu_container *c)
{
	INIT_LIST_HEAD(&c->groups);
	INIT_LIST_HEAD(&c->ctx_node);
}

/**
 * pviommu_link() - link a container to a context
 * @c: the container
 * @ctx: the context, which the caller holds open
 *
 * The link holds a reference on @ctx, dropped by whoever unlinks it.
 *
 * Return: 0; -EBUSY when @c is linked already; -ENOSPC when @ctx has
 * PVIOMMU_MAX_DEVICES containers.
 */
int pviommu_link(struct pviommu_container *c, struct pviommu_ctx *ctx)
{
	int ret = 0;

	mutex_lock(&pviommu_link_lock);
	if (c->ctx) {
		ret = -EBUSY;
	} else if (ctx->nr_containers >= PVIOMMU_MAX_DEVICES) {
		ret = -ENOSPC;
	} else {
		kref_get(&ctx->ref);
		c->ctx = ctx;
		list_add_tail(&c->ctx_node, &ctx->containers);
		ctx->nr_containers++;
	}
	mutex_unlock(&pviommu_link_lock);
	return ret;
}

static struct pviommu_ctx *link_drop(struct pviommu_container *c)
{
	struct pviommu_ctx *ctx = c->ctx;

	lockdep_assert_held(&pviommu_link_lock);
	if (ctx) {
		list_del_init(&c->ctx_node);
		ctx->nr_containers--;
		c->ctx = NULL;
	}
	return ctx;
}

/**
 * pviommu_unlink() - unlink a container from its context, if linked
 * @c: the container
 *
 * Return: the context, whose reference the caller drops
 * (pviommu_ctx_put()), or NULL.
 */
struct pviommu_ctx *pviommu_unlink(struct pviommu_container *c)
{
	struct pviommu_ctx *ctx;

	mutex_lock(&pviommu_link_lock);
	ctx = link_drop(c);
	mutex_unlock(&pviommu_link_lock);
	return ctx;
}

/**
 * pviommu_unlink_all() - unlink every container of a closing context
 * @ctx: the context, locked, with no device attached
 *
 * Their groups stay in VFIO's hands, blocked.
 *
 * Return: how many references on @ctx the caller drops.
 */
unsigned int pviommu_unlink_all(struct pviommu_ctx *ctx)
{
	struct pviommu_container *c, *tmp;
	unsigned int n = 0;

	lockdep_assert_held(&ctx->lock);
	mutex_lock(&pviommu_link_lock);
	list_for_each_entry_safe(c, tmp, &ctx->containers, ctx_node) {
		link_drop(c);
		n++;
	}
	mutex_unlock(&pviommu_link_lock);
	return n;
}

/**
 * pviommu_link_add_group() - a group joined a container
 * @c: the container
 * @hg: the group, set up
 */
void pviommu_link_add_group(struct pviommu_container *c,
			    struct pviommu_hgroup *hg)
{
	hg->container = c;
	mutex_lock(&pviommu_link_lock);
	list_add_tail(&hg->node, &c->groups);
	mutex_unlock(&pviommu_link_lock);
}

/**
 * pviommu_link_group_leave() - a group is leaving its container
 * @c: the container
 * @group: the group
 * @ctx: the context @c is linked to, referenced for the caller to detach
 *	the group's devices from and drop; NULL when unlinked
 *
 * No device of the group can be attached from here on.
 *
 * Return: pviommu's group, or NULL when @c does not hold @group.
 */
struct pviommu_hgroup *pviommu_link_group_leave(struct pviommu_container *c,
						struct iommu_group *group,
						struct pviommu_ctx **ctx)
{
	struct pviommu_hgroup *hg;

	*ctx = NULL;
	mutex_lock(&pviommu_link_lock);
	list_for_each_entry(hg, &c->groups, node) {
		if (hg->group != group)
			continue;
		hg->dying = true;
		*ctx = c->ctx;
		if (*ctx)
			kref_get(&(*ctx)->ref);
		mutex_unlock(&pviommu_link_lock);
		return hg;
	}
	mutex_unlock(&pviommu_link_lock);
	return NULL;
}

/**
 * pviommu_link_del_group() - a group left its container
 * @hg: the group, from pviommu_link_group_leave(), whose devices are
 *	detached
 */
void pviommu_link_del_group(struct pviommu_hgroup *hg)
{
	mutex_lock(&pviommu_link_lock);
	list_del(&hg->node);
	mutex_unlock(&pviommu_link_lock);
}

/**
 * pviommu_link_find() - a device in a container linked to a context
 * @ctx: the context, locked
 * @bdf: segment << 16 | bus << 8 | devfn
 * @pdev: the device, referenced, when found
 *
 * The group returned stays until the context detaches its devices
 * (pviommu_ctx_group_gone()), which needs @ctx's lock.
 *
 * Return: the device's group, or NULL.
 */
struct pviommu_hgroup *pviommu_link_find(struct pviommu_ctx *ctx, u32 bdf,
					 struct pci_dev **pdev)
{
	struct pviommu_container *c;
	struct pviommu_hgroup *hg;

	lockdep_assert_held(&ctx->lock);
	mutex_lock(&pviommu_link_lock);
	list_for_each_entry(c, &ctx->containers, ctx_node) {
		list_for_each_entry(hg, &c->groups, node) {
			if (hg->dying)
				continue;
			*pdev = pviommu_hgroup_find(hg, bdf);
			if (*pdev)
				goto out;
		}
	}
	hg = NULL;
out:
	mutex_unlock(&pviommu_link_lock);
	return hg;
}
