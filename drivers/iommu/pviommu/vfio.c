// SPDX-License-Identifier: GPL-2.0
/*
 * pviommu's VFIO IOMMU backend.
 *
 * Devices stay on their VFIO driver (vfio-pci), which gives the VMM their
 * regions, config space, interrupts and reset. Their DMA translation
 * belongs to the IOMMU backend of the VFIO container their groups are in:
 * a VMM that selects PVIOMMU_VFIO_IOMMU for a container (VFIO_SET_IOMMU)
 * gets this backend, which has no map ioctls of its own. The VMM links the
 * container to a /dev/pviommu context (PVIOMMU_VFIO_LINK on the
 * container), and attaches the devices of its groups to the context
 * (PVIOMMU_ATTACH), whose shadows then decide what the devices reach.
 *
 * Lifetimes. VFIO calls attach_group() and detach_group() as groups join
 * and leave the container, and release() after the last one left; it holds
 * a reference on this module meanwhile, as /dev/pviommu's open files do.
 * A linked container holds a reference on its context. A group leaving
 * detaches its devices from the context (blocking them) before VFIO takes
 * back its DMA ownership; a context closing detaches every device and
 * unlinks its containers, whose groups stay blocked in VFIO's hands. Any
 * order of group removal, container close, device close, context close and
 * VMM exit ends with every group blocked and nothing pinned.
 *
 * This file calls the context (context.c) and the link between the two
 * (link.c), which keeps the groups of each container and the containers
 * of each context; neither calls back into it.
 *
 * Locking: none of its own (link.c's). VFIO calls the ops with its own
 * container and group locks held, which come before a context's.
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "pviommu.h"

static void *pviommu_vfio_open(unsigned long arg)
{
	struct pviommu_container *c;

	if (arg != PVIOMMU_VFIO_IOMMU)
		return ERR_PTR(-EINVAL);
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	pviommu_link_init(c);
	return c;
}

/* The last group left: VFIO forgets the container's type. */
static void pviommu_vfio_release(void *iommu_data)
{
	struct pviommu_container *c = iommu_data;
	struct pviommu_ctx *ctx;

	WARN_ON_ONCE(!list_empty(&c->groups));
	ctx = pviommu_unlink(c);
	if (ctx)
		pviommu_ctx_put(ctx);
	kfree(c);
}

static int pviommu_vfio_attach_group(void *iommu_data,
				     struct iommu_group *group,
				     enum vfio_group_type type)
{
	struct pviommu_container *c = iommu_data;
	struct pviommu_hgroup *hg;
	int ret;

	/* Mediated devices and no-IOMMU mode have no IOMMU to shadow into. */
	if (type != VFIO_IOMMU)
		return -EINVAL;
	hg = kzalloc(sizeof(*hg), GFP_KERNEL_ACCOUNT);
	if (!hg)
		return -ENOMEM;
	ret = pviommu_hgroup_init(hg, group);
	if (ret) {
		kfree(hg);
		return ret;
	}
	pviommu_link_add_group(c, hg);
	return 0;
}

static void pviommu_vfio_detach_group(void *iommu_data,
				      struct iommu_group *group)
{
	struct pviommu_container *c = iommu_data;
	struct pviommu_hgroup *hg;
	struct pviommu_ctx *ctx;

	/* No new attach from here on; block what is attached. */
	hg = pviommu_link_group_leave(c, group, &ctx);
	if (WARN_ON_ONCE(!hg))
		return;
	if (ctx) {
		pviommu_ctx_group_gone(ctx, hg);
		pviommu_ctx_put(ctx);
	}
	pviommu_link_del_group(hg);
	pviommu_hgroup_destroy(hg);
	kfree(hg);
}

/* PVIOMMU_VFIO_LINK on the container. */
static long container_link(struct pviommu_container *c, void __user *uarg)
{
	struct pviommu_vfio_link link;
	struct pviommu_ucmd ucmd;
	struct pviommu_ctx *ctx;
	struct file *file;
	long ret;

	ret = pviommu_ucmd_copy_in(&ucmd, uarg, &link, sizeof(link),
				   offsetofend(struct pviommu_vfio_link,
					       __reserved));
	if (ret)
		return ret;
	if (link.flags)
		return -EOPNOTSUPP;
	if (link.__reserved)
		return -EINVAL;
	file = fget(link.pviommu_fd);
	if (!file)
		return -EBADF;
	ctx = pviommu_ctx_from_file(file);
	if (!ctx) {
		ret = -EINVAL;
		goto out_fput;
	}
	mutex_lock(&ctx->lock);
	ret = pviommu_ctx_bind(ctx);
	mutex_unlock(&ctx->lock);
	if (ret)
		goto out_fput;

	/* The open file keeps @ctx from closing meanwhile. */
	ret = pviommu_link(c, ctx);
out_fput:
	fput(file);
	return ret;
}

static long pviommu_vfio_ioctl(void *iommu_data, unsigned int cmd,
			       unsigned long arg)
{
	struct pviommu_container *c = iommu_data;

	switch (cmd) {
	case VFIO_CHECK_EXTENSION:
		/* Asked without a container first: which type is this. */
		if (arg == PVIOMMU_VFIO_IOMMU)
			return 1;
		/* Every host domain enforces cache coherency. */
		return c && arg == VFIO_DMA_CC_IOMMU;
	case PVIOMMU_VFIO_LINK:
		return container_link(c, (void __user *)arg);
	case VFIO_IOMMU_MAP_DMA:
	case VFIO_IOMMU_UNMAP_DMA:
		/* The guest's tables decide what devices reach. */
		return -EOPNOTSUPP;
	default:
		return -ENOTTY;
	}
}

/* For mediated devices, whose groups attach_group() refuses. */
static int pviommu_vfio_pin_pages(void *iommu_data, struct iommu_group *group,
				  dma_addr_t user_iova, int npage, int prot,
				  struct page **pages)
{
	return -EOPNOTSUPP;
}

static void pviommu_vfio_unpin_pages(void *iommu_data, dma_addr_t user_iova,
				     int npage)
{
	WARN_ON_ONCE(1);
}

static int pviommu_vfio_dma_rw(void *iommu_data, dma_addr_t user_iova,
			       void *data, size_t count, bool write)
{
	return -EOPNOTSUPP;
}

static const struct vfio_iommu_driver_ops pviommu_vfio_ops = {
	.name = "pviommu",
	.owner = THIS_MODULE,
	.open = pviommu_vfio_open,
	.release = pviommu_vfio_release,
	.ioctl = pviommu_vfio_ioctl,
	.attach_group = pviommu_vfio_attach_group,
	.detach_group = pviommu_vfio_detach_group,
	.pin_pages = pviommu_vfio_pin_pages,
	.unpin_pages = pviommu_vfio_unpin_pages,
	.dma_rw = pviommu_vfio_dma_rw,
};

/**
 * pviommu_vfio_init() - register the VFIO IOMMU backend
 *
 * Return: 0 or a negative errno from VFIO.
 */
int pviommu_vfio_init(void)
{
	return vfio_register_iommu_driver(&pviommu_vfio_ops);
}

/**
 * pviommu_vfio_exit() - unregister it; no container uses it (VFIO holds
 * a module reference for each that does)
 */
void pviommu_vfio_exit(void)
{
	vfio_unregister_iommu_driver(&pviommu_vfio_ops);
}
