// SPDX-License-Identifier: GPL-2.0
/*
 * A context: one guest vIOMMU, the state behind one open /dev/pviommu.
 *
 * It holds what the VMM told pviommu about the guest (the capabilities of
 * the guest's VT-d unit, its root-table pointer, its RAM), the host devices
 * attached to it, the shadow engine, and the fault records queued for the
 * guest. Every ioctl runs under the context's lock, in the VMM's address
 * space (chardev.c checks both), so guest memory is read and pinned with
 * the VMM's own mappings.
 */
#include <linux/bitfield.h>
#include <linux/capability.h>
#include <linux/eventfd.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/pviommu.h>

#include "pviommu.h"
#include "vtd.h"
#ifdef PVIOMMU_TEST
#include "pviommu_test.h"
#endif

static unsigned long walk_budget = 1UL << 22;
module_param(walk_budget, ulong, 0644);
MODULE_PARM_DESC(walk_budget,
		 "Guest table entries one ioctl may examine before EAGAIN (at least 512)");

/*
 * The budget of one call. At least a whole table's entries, so that
 * every call makes progress however small the parameter is set.
 */
static u64 ctx_budget(void)
{
	return max_t(u64, READ_ONCE(walk_budget), 512);
}

static_assert((int)PVIOMMU_DESC_ERR_DOMAIN_ID == (int)PVIOMMU_QI_BAD_DID &&
	      (int)PVIOMMU_DESC_ERR_TYPE == (int)PVIOMMU_QI_BAD_TYPE);
static_assert((int)PVIOMMU_FAULT_HOST_MAP == (int)PVIOMMU_FR_HOST_MAP &&
	      (int)PVIOMMU_FAULT_HOST_ATTACH == (int)PVIOMMU_FR_HOST_ATTACH &&
	      (int)PVIOMMU_FAULT_HOST_PASID == (int)PVIOMMU_FR_HOST_PASID);

static void ctx_fault(void *priv, u16 sid, u64 iova, u32 reason)
{
	struct pviommu_ctx *ctx = priv;
	struct pviommu_fault *f;

	if (ctx->nr_faults == PVIOMMU_MAX_FAULTS) {
		ctx->fault_overflow++;
		return;
	}
	f = &ctx->faults[(ctx->fault_head + ctx->nr_faults++) %
			 PVIOMMU_MAX_FAULTS];
	memset(f, 0, sizeof(*f));
	f->addr = iova;
	f->sid = sid;
	f->reason = reason;
	if (ctx->eventfd)
		eventfd_signal(ctx->eventfd);
}

/**
 * pviommu_ctx_init() - set up an empty context for the current process
 * @ctx: the context, zeroed
 *
 * Return: 0 or -ENOMEM.
 */
int pviommu_ctx_init(struct pviommu_ctx *ctx)
{
	struct pviommu_engine *e = &ctx->engine;
	int ret;

	kref_init(&ctx->ref);
	mutex_init(&ctx->lock);
	INIT_LIST_HEAD(&ctx->hdevs);
	INIT_LIST_HEAD(&ctx->containers);
	pviommu_gmem_init(&ctx->gmem);
	ctx->host.pages = kvcalloc(PVIOMMU_PIN_BATCH, sizeof(struct page *),
				   GFP_KERNEL_ACCOUNT);
	if (!ctx->host.pages) {
		ret = -ENOMEM;
		goto err;
	}

	e->ops = &pviommu_host_ops;
	e->host = &ctx->host;
	e->caps = &ctx->caps;
	e->gmem = &ctx->gmem;
	e->read = pviommu_gmem_read;
	e->read_priv = &ctx->gmem;
	e->fault = ctx_fault;
	e->fault_priv = ctx;
	e->max_entries = PVIOMMU_MAX_MAPPINGS;
	ret = pviommu_engine_init(e);
	if (ret)
		goto err;
	pviommu_debugfs_ctx_add(ctx);
	return 0;

err:
	kvfree(ctx->host.pages);
	return ret;
}

/**
 * pviommu_ctx_bind() - bind a context to the calling process's address space
 * @ctx: the context, locked
 *
 * A context belongs to the address space of the first process that
 * configures it (any ioctl but GET_INFO, or a VFIO link): the VMM, whose
 * memory holds guest RAM. The opener may be another process that passes
 * the file on, as a management layer does for an unprivileged VMM.
 *
 * Return: 0 when @ctx belongs to current->mm (now, if it belonged to none
 * before), -EIO when it belongs to another address space.
 */
int pviommu_ctx_bind(struct pviommu_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);
	if (ctx->mm)
		return ctx->mm == current->mm ? 0 : -EIO;
	if (!current->mm)
		return -EIO;
	mmgrab(current->mm);
	ctx->mm = current->mm;
	ctx->host.mm = current->mm;
	ctx->owner_pid = task_tgid_nr(current);
	get_task_comm(ctx->owner_comm, current);
	return 0;
}

static void ctx_release(struct kref *ref)
{
	struct pviommu_ctx *ctx = container_of(ref, struct pviommu_ctx, ref);

	kvfree(ctx->host.pages);
	if (ctx->mm)
		mmdrop(ctx->mm);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
}

/**
 * pviommu_ctx_put() - drop a reference to a context
 * @ctx: the context
 */
void pviommu_ctx_put(struct pviommu_ctx *ctx)
{
	kref_put(&ctx->ref, ctx_release);
}

/* Forget @hd, which the engine no longer has. */
static void ctx_forget_hdev(struct pviommu_ctx *ctx, struct pviommu_hdev *hd)
{
	lockdep_assert_held(&ctx->lock);
	list_del(&hd->ctx_node);
	ctx->nr_devices--;
	pci_dev_put(hd->pdev);
	kfree(hd);
}

/* Detach @hd: block it (its whole group) and forget it. */
static void ctx_detach_hdev(struct pviommu_ctx *ctx, struct pviommu_hdev *hd)
{
	WARN_ON_ONCE(pviommu_engine_detach(&ctx->engine, hd->sid));
	ctx_forget_hdev(ctx, hd);
}

/**
 * pviommu_ctx_close() - the file was released: tear everything down
 * @ctx: the context
 *
 * Blocks every device, unmaps and unpins everything, unlinks the VFIO
 * containers, forgets guest RAM. The context lives on while a group
 * leaving its container holds a reference.
 */
void pviommu_ctx_close(struct pviommu_ctx *ctx)
{
	struct pviommu_hdev *hd, *tmp;
	unsigned int n;

	/* Its readers take the lock: before it. */
	pviommu_debugfs_ctx_remove(ctx);
	mutex_lock(&ctx->lock);
	list_for_each_entry_safe(hd, tmp, &ctx->hdevs, ctx_node)
		ctx_detach_hdev(ctx, hd);
	pviommu_engine_destroy(&ctx->engine);
	n = pviommu_unlink_all(ctx);
	WARN_ON_ONCE(ctx->host.pinned);
	pviommu_gmem_destroy(&ctx->gmem);
	if (ctx->eventfd)
		eventfd_ctx_put(ctx->eventfd);
	ctx->eventfd = NULL;
	ctx->closed = true;
	mutex_unlock(&ctx->lock);
	/* The links' references; not the last: the closing file holds one. */
	while (n--)
		pviommu_ctx_put(ctx);
}

/**
 * pviommu_ctx_group_gone() - a group is leaving its VFIO container
 * @ctx: the context the container is linked to, referenced by the caller
 * @hg: the group
 *
 * Detaches the group's devices, which blocks it, before VFIO takes its
 * DMA ownership back.
 */
void pviommu_ctx_group_gone(struct pviommu_ctx *ctx,
			    struct pviommu_hgroup *hg)
{
	struct pviommu_hdev *hd, *tmp;

	mutex_lock(&ctx->lock);
	list_for_each_entry_safe(hd, tmp, &ctx->hdevs, ctx_node) {
		if (hd->hgroup != hg)
			continue;
		pci_info(hd->pdev, "pviommu: group left its container: detaching\n");
		ctx_detach_hdev(ctx, hd);
	}
	mutex_unlock(&ctx->lock);
}

static struct pviommu_hdev *ctx_find(struct pviommu_ctx *ctx, u32 sid)
{
	struct pviommu_hdev *hd;

	list_for_each_entry(hd, &ctx->hdevs, ctx_node)
		if (hd->sid == sid)
			return hd;
	return NULL;
}

/**
 * pviommu_ctx_set_caps() - PVIOMMU_SET_CAPS
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_guest_caps
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_set_caps(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_guest_caps *cmd = ucmd->cmd;
	struct pviommu_caps caps;
	int ret;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved)
		return -EINVAL;
	if (ctx->root_set || ctx->nr_devices)
		return -EBUSY;

	ret = pviommu_caps_init(&caps, cmd->cap, cmd->ecap, cmd->haw);
	if (ret)
		return ret;
	ctx->caps = caps;
	ctx->caps_set = true;
	return 0;
}

/**
 * pviommu_ctx_set_root() - PVIOMMU_SET_ROOT
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_root
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_set_root(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_root *cmd = ucmd->cmd;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	if (!ctx->caps_set)
		return -EINVAL;
	if ((cmd->rtaddr & VTD_RTADDR_RSVD) ||
	    (cmd->rtaddr & VTD_RTADDR_RTA) >> ctx->caps.haw)
		return -EINVAL;
	switch (FIELD_GET(VTD_RTADDR_TTM, cmd->rtaddr)) {
	case VTD_TTM_LEGACY:
		break;
	case VTD_TTM_SCALABLE:
		/* Reserved on a unit without scalable-mode translation. */
		if (!(ctx->caps.ecap & VTD_ECAP_SMTS))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	ctx->rtaddr = cmd->rtaddr;
	ctx->root_set = true;
	return pviommu_engine_set_root(&ctx->engine, cmd->rtaddr);
}

/**
 * pviommu_ctx_set_translation() - PVIOMMU_SET_TRANSLATION
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_translation
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_set_translation(struct pviommu_ctx *ctx,
				struct pviommu_ucmd *ucmd)
{
	struct pviommu_translation *cmd = ucmd->cmd;
	int ret;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags & ~PVIOMMU_TRANSLATION_ENABLE)
		return -EOPNOTSUPP;
	if (cmd->__reserved)
		return -EINVAL;
	ctx->engine.failed = 0;
	ret = pviommu_engine_set_translation(&ctx->engine, cmd->flags &
					     PVIOMMU_TRANSLATION_ENABLE);
	cmd->out_failed = ctx->engine.failed;
	return ret ?: pviommu_ucmd_respond(ucmd, sizeof(*cmd));
}

/**
 * pviommu_ctx_ram_add() - PVIOMMU_RAM_ADD
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_ram
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_ram_add(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_ram *cmd = ucmd->cmd;
	const struct pviommu_ram_slot *slot;
	int ret;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags & ~PVIOMMU_RAM_READONLY)
		return -EOPNOTSUPP;
	ret = pviommu_gmem_add(&ctx->gmem, cmd->gpa, cmd->length, cmd->uaddr,
			       cmd->flags & PVIOMMU_RAM_READONLY,
			       PVIOMMU_MAX_RAM_SLOTS);
	if (ret)
		return ret;

	/* Pass-through domains map all guest RAM, this slot too. */
	slot = pviommu_gmem_lookup(&ctx->gmem, cmd->gpa, cmd->length);
	ret = pviommu_engine_add_slot(&ctx->engine, slot);
	if (ret) {
		pviommu_engine_remove_slot(&ctx->engine, cmd->gpa, cmd->length);
		pviommu_gmem_remove(&ctx->gmem, cmd->gpa, cmd->length);
	}
	return ret;
}

/**
 * pviommu_ctx_ram_remove() - PVIOMMU_RAM_REMOVE
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_ram
 *
 * Everything mapped from the slot is unmapped and unpinned first.
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_ram_remove(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_ram *cmd = ucmd->cmd;
	const struct pviommu_ram_slot *slot;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->uaddr)
		return -EINVAL;
	slot = pviommu_gmem_lookup(&ctx->gmem, cmd->gpa, cmd->length);
	if (!slot || slot->gpa != cmd->gpa || slot->len != cmd->length)
		return -ENOENT;
	pviommu_engine_remove_slot(&ctx->engine, cmd->gpa, cmd->length);
	return pviommu_gmem_remove(&ctx->gmem, cmd->gpa, cmd->length);
}

/**
 * pviommu_ctx_attach() - PVIOMMU_ATTACH
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_attach
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_attach(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_attach *cmd = ucmd->cmd;
	struct pviommu_hgroup *hg;
	struct pviommu_hdev *hd;
	struct pci_dev *pdev;
	unsigned int i;
	u64 limit;
	int ret;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved || cmd->guest_sid > U16_MAX || !ctx->caps_set)
		return -EINVAL;

	if (ctx_find(ctx, cmd->guest_sid))
		return -EEXIST;
	if (ctx->nr_devices >= PVIOMMU_MAX_DEVICES)
		return -ENOSPC;

	hg = pviommu_link_find(ctx, cmd->host_bdf, &pdev);
	if (!hg)
		return -ENOENT;
	list_for_each_entry(hd, &ctx->hdevs, ctx_node) {
		if (hd->pdev == pdev) {
			ret = -EBUSY;
			goto err_put;
		}
	}
	/* The deepest table the guest may use must fit the host's aperture. */
	limit = pviommu_walk_limit(&ctx->caps, fls(ctx->caps.sagaw) + 1);
	if (limit > hg->aperture_end) {
		pci_warn(pdev, "pviommu: host IOMMU maps up to %#llx, the guest up to %#llx\n",
			 hg->aperture_end, limit);
		ret = -EINVAL;
		goto err_put;
	}
	for (i = 0; i < hg->nr_resv; i++) {
		ret = pviommu_engine_reserve(&ctx->engine, hg->resv[i][0],
					     hg->resv[i][1]);
		if (ret)
			goto err_put;
	}

	hd = kzalloc(sizeof(*hd), GFP_KERNEL_ACCOUNT);
	if (!hd) {
		ret = -ENOMEM;
		goto err_put;
	}
	hd->pdev = pdev;
	hd->hgroup = hg;
	hd->sid = cmd->guest_sid;
	list_add_tail(&hd->ctx_node, &ctx->hdevs);
	ctx->nr_devices++;
	ret = pviommu_engine_attach(&ctx->engine, hd->sid, hg);
	if (ret)
		ctx_forget_hdev(ctx, hd);
	return ret;

err_put:
	pci_dev_put(pdev);
	return ret;
}

/**
 * pviommu_ctx_detach() - PVIOMMU_DETACH
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_detach
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_detach(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_detach *cmd = ucmd->cmd;
	struct pviommu_hdev *hd;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved)
		return -EINVAL;
	hd = ctx_find(ctx, cmd->guest_sid);
	if (!hd)
		return -ENOENT;
	ctx_detach_hdev(ctx, hd);
	return 0;
}

/**
 * pviommu_ctx_invalidate() - PVIOMMU_INVALIDATE
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_invalidate
 *
 * Return: 0 or a negative errno, see the uAPI header. The number of
 * descriptors handled is written back in every case.
 */
int pviommu_ctx_invalidate(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_invalidate *cmd = ucmd->cmd;
	/*
	 * A guest flush is two or three descriptors: no allocation for it,
	 * and no zeroing either, only the copied descriptors are read.
	 */
	__le64 small[16] __uninitialized, *desc = small;
	struct pviommu_batch b = {};
	size_t len;
	int ret, rc;

	lockdep_assert_held(&ctx->lock);
	/* Every return below writes back what was handled: nothing so far. */
	ctx->engine.failed = 0;
	if (cmd->flags & ~PVIOMMU_INVALIDATE_CONTINUE) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	if ((cmd->entry_len != 16 && cmd->entry_len != 32) ||
	    cmd->entry_num > PVIOMMU_MAX_BATCH || !ctx->caps_set ||
	    (cmd->entry_len == 32 && !(ctx->caps.ecap & VTD_ECAP_SMTS))) {
		ret = -EINVAL;
		goto out;
	}

	len = (size_t)cmd->entry_len * cmd->entry_num;
	if (len > sizeof(small)) {
		desc = kvmalloc(len, GFP_KERNEL_ACCOUNT);
		if (!desc) {
			ret = -ENOMEM;
			goto out;
		}
	}
	b.n = cmd->entry_num;
	b.wide = cmd->entry_len == 32;
	b.resume = cmd->flags & PVIOMMU_INVALIDATE_CONTINUE;
	b.desc = desc;
	if (copy_from_user(desc, u64_to_user_ptr(cmd->data_uptr), len)) {
		ret = -EFAULT;
	} else {
		ctx->engine.budget = ctx_budget();
		ret = pviommu_engine_batch(&ctx->engine, &b);
	}
	if (desc != small)
		kvfree(desc);

out:
	if (b.signal && ctx->eventfd)
		eventfd_signal(ctx->eventfd);
	cmd->entry_num = b.done;
	cmd->out_error = b.error;
	cmd->out_failed = ctx->engine.failed;
	rc = pviommu_ucmd_respond(ucmd, sizeof(*cmd));
	return ret ?: rc;
}

/**
 * pviommu_ctx_set_eventfd() - PVIOMMU_SET_EVENTFD
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_eventfd
 *
 * Return: 0 or a negative errno from eventfd_ctx_fdget().
 */
int pviommu_ctx_set_eventfd(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_eventfd *cmd = ucmd->cmd;
	struct eventfd_ctx *ev = NULL;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved || cmd->fd < -1)
		return -EINVAL;
	if (cmd->fd >= 0) {
		ev = eventfd_ctx_fdget(cmd->fd);
		if (IS_ERR(ev))
			return PTR_ERR(ev);
	}
	if (ctx->eventfd)
		eventfd_ctx_put(ctx->eventfd);
	ctx->eventfd = ev;
	return 0;
}

/**
 * pviommu_ctx_get_faults() - PVIOMMU_GET_FAULTS
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_get_faults
 *
 * Return: 0, or -EFAULT (then no record is removed).
 */
int pviommu_ctx_get_faults(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_get_faults *cmd = ucmd->cmd;
	struct pviommu_fault __user *uf = u64_to_user_ptr(cmd->faults_uptr);
	unsigned int i, n;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	n = min(cmd->num, ctx->nr_faults);
	for (i = 0; i < n; i++)
		if (copy_to_user(&uf[i], &ctx->faults[(ctx->fault_head + i) %
						      PVIOMMU_MAX_FAULTS],
				 sizeof(*uf)))
			return -EFAULT;
	ctx->fault_head = (ctx->fault_head + n) % PVIOMMU_MAX_FAULTS;
	ctx->nr_faults -= n;
	cmd->num = n;
	cmd->out_overflow = ctx->fault_overflow;
	ctx->fault_overflow = 0;
	return pviommu_ucmd_respond(ucmd, sizeof(*cmd));
}

/**
 * pviommu_ctx_get_stats() - PVIOMMU_GET_STATS
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_stats
 *
 * Return: 0 or -EFAULT.
 */
int pviommu_ctx_get_stats(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_stats *cmd = ucmd->cmd;
	const struct pviommu_counters *st = &ctx->engine.stats;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	cmd->out_maps = st->maps;
	cmd->out_unmaps = st->unmaps;
	cmd->out_syncs = st->syncs;
	cmd->out_walks = st->walks;
	cmd->out_tables_read = st->tables_read;
	cmd->out_faults = st->faults;
	cmd->out_mappings = ctx->engine.nr_entries;
	cmd->out_pinned_pages = ctx->host.pinned;
	cmd->out_shadows = pviommu_engine_nr_shadows(&ctx->engine);
	return pviommu_ucmd_respond(ucmd, sizeof(*cmd));
}

/**
 * pviommu_ctx_query() - PVIOMMU_QUERY
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_query
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_query(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_query *cmd = ucmd->cmd;
	struct pviommu_entry ent;
	u64 phys;
	int ret;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved || cmd->__reserved2 || cmd->guest_sid > U16_MAX)
		return -EINVAL;
	ret = pviommu_engine_query(&ctx->engine, cmd->guest_sid, cmd->iova,
				   &ent, &phys);
	if (ret)
		return ret;
	cmd->out_start = ent.start;
	cmd->out_length = ent.last - ent.start + 1;
	cmd->out_gpa = ent.gpa;
	cmd->out_perm = ent.prot;
	cmd->out_phys = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN) ?
			phys : 0;
	return pviommu_ucmd_respond(ucmd, sizeof(*cmd));
}

#ifdef PVIOMMU_TEST
/* Pin, map, unmap, sync, unpin @npages pages: no walk, no tree. */
static int floor_once(struct pviommu_ctx *ctx, struct pviommu_hdom *hdom,
		      u64 uaddr, u64 iova, u64 npages, u64 *pa, bool per_page)
{
	const struct pviommu_host_ops *ops = ctx->engine.ops;
	u64 done = 0, run = 0, i;
	int ret = 0;

	while (done < npages) {
		unsigned int n = min_t(u64, npages - done, PVIOMMU_PIN_BATCH);

		ret = ops->pin(&ctx->host, uaddr + done * PAGE_SIZE, n, true,
			       pa + done);
		if (ret)
			break;
		done += n;
	}
	/* Map each physically contiguous run of what was pinned. */
	for (i = 1; !ret && i <= done; i++) {
		if (!per_page && i < done && pa[i] == pa[i - 1] + PAGE_SIZE)
			continue;
		ret = ops->map(&ctx->host, hdom, iova + run * PAGE_SIZE,
			       pa[run], (i - run) * PAGE_SIZE,
			       PVIOMMU_PERM_R | PVIOMMU_PERM_W);
		if (ret)
			done = i;	/* unmap only what was mapped */
		run = i;
	}
	if (run)
		ops->unmap(&ctx->host, hdom, iova, run * PAGE_SIZE);
	ops->sync(&ctx->host, hdom);
	/* Unpin contiguous runs, as the engine does. */
	for (run = 0, i = 1; i <= done; i++) {
		if (i < done && pa[i] == pa[i - 1] + PAGE_SIZE)
			continue;
		ops->unpin(&ctx->host, pa[run], i - run, true);
		run = i;
	}
	return ret;
}

/**
 * pviommu_ctx_test_floor() - PVIOMMU_TEST_FLOOR (test builds only)
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_test_floor
 *
 * Return: 0 or a negative errno.
 */
int pviommu_ctx_test_floor(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_test_floor *cmd = ucmd->cmd;
	u64 npages = cmd->length / PAGE_SIZE, it;
	struct pviommu_hdom *hdom;
	u64 t0, *pa;
	int ret = 0;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags & ~PVIOMMU_TEST_FLOOR_PER_PAGE)
		return -EOPNOTSUPP;
	if (cmd->__reserved || !npages || cmd->length % PAGE_SIZE ||
	    (cmd->uaddr | cmd->iova) % PAGE_SIZE || cmd->guest_sid > U16_MAX)
		return -EINVAL;
	hdom = pviommu_engine_hdom(&ctx->engine, cmd->guest_sid);
	if (!hdom)
		return -ENOENT;
	pa = kvcalloc(npages, sizeof(*pa), GFP_KERNEL_ACCOUNT);
	if (!pa)
		return -ENOMEM;

	t0 = ktime_get_ns();
	for (it = 0; it < cmd->iterations && !ret; it++) {
		ret = floor_once(ctx, hdom, cmd->uaddr, cmd->iova, npages, pa,
				 cmd->flags & PVIOMMU_TEST_FLOOR_PER_PAGE);
		cond_resched();
	}
	cmd->out_ns = ktime_get_ns() - t0;
	kvfree(pa);
	return ret ?: pviommu_ucmd_respond(ucmd, sizeof(*cmd));
}
#endif
