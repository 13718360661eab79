// SPDX-License-Identifier: GPL-2.0
/*
 * The host side: devices bound to the pviommu PCI driver, their DMA
 * ownership, host IOMMU domains, and pinning guest RAM, as the shadow
 * engine's struct pviommu_host_ops.
 *
 * Device lifetime. pci.c registers a struct pviommu_hdev for each device
 * bound to the driver. A context attaches it (pviommu_hdev_get()): pviommu
 * then claims the device's DMA ownership, which puts its IOMMU group on the
 * blocking domain, and from then on the device is either blocked or
 * attached to one shadow's host domain. Detach, close, unbind and module
 * unload all end in pviommu_hdev_put(), which blocks the device and
 * releases ownership. Lock order: a context's lock, then pviommu_hdevs_lock;
 * the unbind path takes them one after the other, never nested, and holds
 * a reference on the context meanwhile.
 *
 * Pinning runs in the VMM's ioctl, so pin_user_pages_fast() pins the VMM's
 * own pages, and charges them to the VMM's mm->pinned_vm (VmPin) against
 * its RLIMIT_MEMLOCK, exempting CAP_IPC_LOCK, as RDMA's ib_umem_get() does
 * for the same kind of long-term pins: one atomic add, with no mmap lock.
 * account_locked_vm() (VmLck) would take the VMM's mmap lock for writing
 * on every guest map and unmap, stalling its vCPUs' page faults, and cost
 * a fifth of a 4K leaf's mapping. Unpinning uncharges at once: the charge
 * equals what is pinned at every moment.
 */
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "pviommu.h"

static_assert(PVIOMMU_PERM_R == IOMMU_READ && PVIOMMU_PERM_W == IOMMU_WRITE);

static LIST_HEAD(pviommu_hdevs);
static DEFINE_MUTEX(pviommu_hdevs_lock);

/* Pages pinned by all contexts: debugfs pviommu/pinned_pages. */
static atomic64_t pviommu_pinned = ATOMIC64_INIT(0);
static struct dentry *pviommu_debugfs;

static int pinned_get(void *data, u64 *val)
{
	*val = atomic64_read(&pviommu_pinned);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pinned_fops, pinned_get, NULL, "%llu\n");

/**
 * pviommu_host_init() - create the debugfs files
 */
void pviommu_host_init(void)
{
	pviommu_debugfs = debugfs_create_dir("pviommu", NULL);
	debugfs_create_file_unsafe("pinned_pages", 0444, pviommu_debugfs, NULL,
				   &pinned_fops);
}

/**
 * pviommu_host_exit() - remove the debugfs files
 */
void pviommu_host_exit(void)
{
	debugfs_remove_recursive(pviommu_debugfs);
}

/**
 * pviommu_hdev_add() - a device was bound to the pviommu driver
 * @pdev: the device
 *
 * Return: 0, -ENODEV if no IOMMU translates for it, or -ENOMEM.
 */
int pviommu_hdev_add(struct pci_dev *pdev)
{
	struct pviommu_hdev *hd;

	hd = kzalloc(sizeof(*hd), GFP_KERNEL);
	if (!hd)
		return -ENOMEM;
	hd->group = iommu_group_get(&pdev->dev);
	if (!hd->group) {
		kfree(hd);
		return -ENODEV;
	}
	hd->pdev = pdev;
	/* Empty until attached: the unbind path tests it. */
	INIT_LIST_HEAD(&hd->ctx_node);
	mutex_lock(&pviommu_hdevs_lock);
	list_add_tail(&hd->node, &pviommu_hdevs);
	mutex_unlock(&pviommu_hdevs_lock);
	pci_set_drvdata(pdev, hd);
	return 0;
}

/**
 * pviommu_hdev_remove() - a device is being unbound from the driver
 * @pdev: the device
 *
 * Detaches it from the context using it, if any, then forgets it.
 */
void pviommu_hdev_remove(struct pci_dev *pdev)
{
	struct pviommu_hdev *hd = pci_get_drvdata(pdev);
	struct pviommu_ctx *ctx;

	mutex_lock(&pviommu_hdevs_lock);
	hd->removing = true;
	ctx = hd->ctx;
	if (ctx)
		kref_get(&ctx->ref);
	mutex_unlock(&pviommu_hdevs_lock);

	if (ctx) {
		pviommu_ctx_unbind(ctx, hd);
		pviommu_ctx_put(ctx);
	}

	mutex_lock(&pviommu_hdevs_lock);
	list_del(&hd->node);
	mutex_unlock(&pviommu_hdevs_lock);
	iommu_group_put(hd->group);
	kfree(hd);
}

/**
 * pviommu_hdev_is() - whether a device is the one the uAPI names
 * @hd: the device
 * @bdf: segment << 16 | bus << 8 | devfn
 *
 * Return: true when @hd is at @bdf.
 */
bool pviommu_hdev_is(const struct pviommu_hdev *hd, u32 bdf)
{
	return pci_domain_nr(hd->pdev->bus) == bdf >> 16 &&
	       pci_dev_id(hd->pdev) == (bdf & 0xffff);
}

/**
 * pviommu_hdev_get() - take a bound device for a context
 * @ctx: the context
 * @bdf: segment << 16 | bus << 8 | devfn
 *
 * Claims the device's DMA (it is blocked from here on), enables it for bus
 * mastering, and records the host IOMMU's aperture for it.
 *
 * Return: the device, or ERR_PTR: -ENOENT if no such device is bound to
 * pviommu, -EBUSY if another context has it or another driver owns its
 * DMA, -EINVAL if the IOMMU does not keep it cache coherent, -EPERM
 * without isolated MSI.
 */
struct pviommu_hdev *pviommu_hdev_get(struct pviommu_ctx *ctx, u32 bdf)
{
	struct iommu_domain *probe;
	struct pviommu_hdev *hd;
	struct device *dev;
	int ret;

	mutex_lock(&pviommu_hdevs_lock);
	list_for_each_entry(hd, &pviommu_hdevs, node)
		if (pviommu_hdev_is(hd, bdf))
			goto found;
	mutex_unlock(&pviommu_hdevs_lock);
	return ERR_PTR(-ENOENT);
found:
	if (hd->ctx || hd->removing) {
		mutex_unlock(&pviommu_hdevs_lock);
		return ERR_PTR(-EBUSY);
	}
	hd->ctx = ctx;
	mutex_unlock(&pviommu_hdevs_lock);

	dev = &hd->pdev->dev;
	if (!device_iommu_capable(dev, IOMMU_CAP_CACHE_COHERENCY)) {
		pci_warn(hd->pdev, "IOMMU does not enforce cache coherency\n");
		ret = -EINVAL;
		goto err_release;
	}
	if (!pviommu_isolated_msi(dev, hd->group)) {
		pci_warn(hd->pdev, "no isolated MSI (interrupt remapping)\n");
		ret = -EPERM;
		goto err_release;
	}
	ret = iommu_device_claim_dma_owner(dev, ctx);
	if (ret)
		goto err_release;

	/* The IOMMU driver fixes a domain's geometry at its first attach. */
	probe = iommu_paging_domain_alloc(dev);
	if (IS_ERR(probe)) {
		ret = PTR_ERR(probe);
		goto err_owner;
	}
	ret = iommu_attach_group(probe, hd->group);
	if (!ret) {
		hd->aperture_end = probe->geometry.aperture_end;
		iommu_detach_group(probe, hd->group);
	}
	iommu_domain_free(probe);
	if (ret)
		goto err_owner;

	ret = pci_enable_device(hd->pdev);
	if (ret)
		goto err_owner;
	pci_set_master(hd->pdev);
	return hd;

err_owner:
	iommu_device_release_dma_owner(dev);
err_release:
	mutex_lock(&pviommu_hdevs_lock);
	hd->ctx = NULL;
	mutex_unlock(&pviommu_hdevs_lock);
	return ERR_PTR(ret);
}

/**
 * pviommu_hdev_put() - give a device back to the driver
 * @hd: a device from pviommu_hdev_get(), blocked
 */
void pviommu_hdev_put(struct pviommu_hdev *hd)
{
	WARN_ON_ONCE(hd->cur);
	pci_clear_master(hd->pdev);
	pci_disable_device(hd->pdev);
	iommu_device_release_dma_owner(&hd->pdev->dev);
	mutex_lock(&pviommu_hdevs_lock);
	hd->ctx = NULL;
	mutex_unlock(&pviommu_hdevs_lock);
}

/* A host domain, with the gather of unmaps its next sync completes. */
struct pviommu_hdom {
	struct iommu_domain *domain;
	struct iommu_iotlb_gather gather;
};

static void *host_domain_alloc(void *host, void *hdev)
{
	struct pviommu_hdev *hd = hdev;
	struct pviommu_hdom *hdom;

	hdom = kzalloc(sizeof(*hdom), GFP_KERNEL_ACCOUNT);
	if (!hdom)
		return ERR_PTR(-ENOMEM);
	hdom->domain = iommu_paging_domain_alloc(&hd->pdev->dev);
	if (IS_ERR(hdom->domain)) {
		void *err = hdom->domain;

		kfree(hdom);
		return err;
	}
	/*
	 * Fix the aperture and page sizes (VT-d does so at the first attach)
	 * before anything is mapped, so large pages can be used. Only while
	 * the device is blocked anyway: an empty domain blocks it as well.
	 */
	if (!hd->cur && !iommu_attach_group(hdom->domain, hd->group))
		iommu_detach_group(hdom->domain, hd->group);
	iommu_iotlb_gather_init(&hdom->gather);
	return hdom;
}

static void host_domain_free(void *host, void *hdom)
{
	struct pviommu_hdom *hd = hdom;

	iommu_domain_free(hd->domain);
	kfree(hd);
}

static void host_block(void *host, void *hdev)
{
	struct pviommu_hdev *hd = hdev;

	if (hd->cur) {
		iommu_detach_group(hd->cur, hd->group);
		hd->cur = NULL;
	}
}

static int host_attach(void *host, void *hdom, void *hdev)
{
	struct pviommu_hdev *hd = hdev;
	struct pviommu_hdom *dom = hdom;
	int ret;

	host_block(host, hdev);
	ret = iommu_attach_group(dom->domain, hd->group);
	if (!ret)
		hd->cur = dom->domain;
	return ret;
}

static void host_uncharge(struct pviommu_host *h, unsigned int npages)
{
	atomic64_sub(npages, &h->mm->pinned_vm);
}

/* Charge @npages pins to the VMM's pinned_vm; the caller is the VMM. */
static int host_charge(struct pviommu_host *h, unsigned int npages)
{
	u64 limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	u64 pinned = atomic64_add_return(npages, &h->mm->pinned_vm);

	if (pinned > limit && !capable(CAP_IPC_LOCK)) {
		host_uncharge(h, npages);
		return -ENOMEM;
	}
	return 0;
}

static int host_pin(void *host, u64 uaddr, unsigned int npages, bool write,
		    u64 *pa)
{
	struct pviommu_host *h = host;
	unsigned int flags = FOLL_LONGTERM | (write ? FOLL_WRITE : 0);
	unsigned int i;
	int ret;

	if (WARN_ON_ONCE(npages > PVIOMMU_PIN_BATCH))
		return -EINVAL;
	ret = host_charge(h, npages);
	if (ret)
		return ret;
	ret = pin_user_pages_fast(uaddr, npages, flags, h->pages);
	if (ret != npages) {
		if (ret > 0)
			unpin_user_pages(h->pages, ret);
		host_uncharge(h, npages);
		return ret < 0 ? ret : -EFAULT;
	}
	for (i = 0; i < npages; i++)
		pa[i] = page_to_phys(h->pages[i]);
	h->pinned += npages;
	atomic64_add(npages, &pviommu_pinned);
	return 0;
}

static void host_unpin(void *host, u64 pa, unsigned int npages, bool dirty)
{
	struct pviommu_host *h = host;

	unpin_user_page_range_dirty_lock(pfn_to_page(PHYS_PFN(pa)), npages,
					 dirty);
	h->pinned -= npages;
	host_uncharge(h, npages);
	atomic64_sub(npages, &pviommu_pinned);
}

static int host_map(void *host, void *hdom, u64 iova, u64 pa, u64 size,
		    int prot)
{
	struct pviommu_hdom *hd = hdom;

	return iommu_map(hd->domain, iova, pa, size, prot | IOMMU_CACHE,
			 GFP_KERNEL_ACCOUNT);
}

static u64 host_unmap(void *host, void *hdom, u64 iova, u64 size)
{
	struct pviommu_hdom *hd = hdom;

	return iommu_unmap_fast(hd->domain, iova, size, &hd->gather);
}

static void host_sync(void *host, void *hdom)
{
	struct pviommu_hdom *hd = hdom;

	iommu_iotlb_sync(hd->domain, &hd->gather);
	iommu_iotlb_gather_init(&hd->gather);
}

static u64 host_iova_to_phys(void *host, void *hdom, u64 iova)
{
	struct pviommu_hdom *hd = hdom;

	return iommu_iova_to_phys(hd->domain, iova);
}

const struct pviommu_host_ops pviommu_host_ops = {
	.domain_alloc = host_domain_alloc,
	.domain_free = host_domain_free,
	.attach = host_attach,
	.block = host_block,
	.pin = host_pin,
	.unpin = host_unpin,
	.map = host_map,
	.unmap = host_unmap,
	.sync = host_sync,
	.iova_to_phys = host_iova_to_phys,
};
