// SPDX-License-Identifier: GPL-2.0
/*
 * The host side: IOMMU groups of pviommu's VFIO containers, host IOMMU
 * domains, and pinning guest RAM, as the shadow engine's struct
 * pviommu_host_ops.
 *
 * Groups. VFIO owns the DMA of a group in a container (it claimed it when
 * the group joined, which blocks the group) and hands it to pviommu's
 * backend (vfio.c), which checks it here (pviommu_hgroup_init()): coherent
 * DMA, isolated MSI, the IOMMU's aperture, its reserved ranges. From then
 * on the group is blocked or attached to one shadow's host domain, as the
 * engine decides; every host domain enforces cache coherency. The engine
 * blocks the group again before VFIO takes it back.
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
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "pviommu.h"

static_assert(PVIOMMU_PERM_R == IOMMU_READ && PVIOMMU_PERM_W == IOMMU_WRITE);

/* Pages pinned by all contexts: debugfs pviommu/pinned_pages. */
static atomic64_t pviommu_pinned = ATOMIC64_INIT(0);

/*
 * Test builds (CONFIG_PVIOMMU_FAULT_INJECTION): while debugfs's
 * pviommu/no_isolated_msi is Y, every group joining a container is taken
 * to lack isolated MSI, so that a test VM, whose groups have it, sees a
 * group refused as a host without interrupt remapping would refuse it.
 */
bool pviommu_fi_no_isolated_msi;

static bool hgroup_isolated_msi(struct device *dev, struct iommu_group *group)
{
	if (IS_ENABLED(CONFIG_PVIOMMU_FAULT_INJECTION) &&
	    READ_ONCE(pviommu_fi_no_isolated_msi))
		return false;
	return pviommu_isolated_msi(dev, group);
}

/**
 * pviommu_host_pinned() - pages pinned by all contexts
 *
 * Return: their number.
 */
u64 pviommu_host_pinned(void)
{
	return atomic64_read(&pviommu_pinned);
}

/* What a walk over a group's devices finds. */
struct hgroup_scan {
	struct device *dev;		/* first device a VMM attaches */
	unsigned int nr_devs;		/* devices a VMM attaches */
	bool incoherent;		/* a device without coherent DMA */
	u32 bdf;			/* pviommu_hgroup_find(): wanted */
	struct pci_dev *found;		/* pviommu_hgroup_find(): it */
};

/*
 * PCI bridges do no DMA of their own that a VMM hands to a guest: VFIO
 * lets them sit in a group without a driver, and a VMM never attaches
 * them. Every other device of the group counts.
 */
static int hgroup_scan_dev(struct device *dev, void *data)
{
	struct hgroup_scan *scan = data;

	if (dev_is_pci(dev) && pci_is_bridge(to_pci_dev(dev)))
		return 0;
	if (!device_iommu_capable(dev, IOMMU_CAP_CACHE_COHERENCY))
		scan->incoherent = true;
	if (!scan->dev)
		scan->dev = dev;
	scan->nr_devs++;
	return 0;
}

/*
 * Whether @domain can enforce cache coherency, and make it: DMA with the
 * no-snoop attribute would otherwise bypass the CPU caches (on Intel, the
 * snoop bit is set only once this is enforced, IOMMU_CACHE alone sets
 * nothing), so a guest could read stale memory, and KVM would have to
 * emulate WBINVD. Must be called before anything is mapped.
 */
static bool host_enforce_coherency(struct iommu_domain *domain)
{
	return domain->ops->enforce_cache_coherency &&
	       domain->ops->enforce_cache_coherency(domain);
}

/*
 * The host page sizes pviommu's domains map with: the sizes a guest leaf
 * can have. Both kinds of x86 host IOMMU offer 4K, 2M and 1G; AMD-Vi's v1
 * table offers every other power of two as well, and with those the
 * engine, which never lets a host page span two guest leaves, would cut
 * every batch of 4K leaves at each 8K boundary: 257 map calls for a 2M
 * run where VT-d takes 2. What is given up is AMD-Vi's intermediate sizes
 * for a large guest leaf over memory only partly contiguous.
 */
#define PVIOMMU_HOST_PGSIZES	(SZ_4K | SZ_2M | SZ_1G)

/*
 * Limit @domain to PVIOMMU_HOST_PGSIZES; again after each attach, where
 * VT-d widens a domain's page sizes (6.1 to 6.12).
 */
static void host_limit_pgsizes(struct iommu_domain *domain)
{
	domain->pgsize_bitmap &= PVIOMMU_HOST_PGSIZES;
}

/*
 * A paging domain for @dev that enforces cache coherency. With @settle,
 * attached to @group once and detached again, its result in *@settle:
 * VT-d fixes a domain's aperture and page sizes at its first attach, so
 * large pages can be used before anything is mapped.
 */
static struct iommu_domain *host_paging_domain(struct device *dev,
					       struct iommu_group *group,
					       int *settle)
{
	struct iommu_domain *domain = iommu_paging_domain_alloc(dev);

	if (IS_ERR(domain))
		return domain;
	/* 4K pages: every guest leaf is made of them. */
	if (!host_enforce_coherency(domain) ||
	    !(domain->pgsize_bitmap & SZ_4K)) {
		iommu_domain_free(domain);
		return ERR_PTR(-EINVAL);
	}
	if (settle) {
		*settle = iommu_attach_group(domain, group);
		if (!*settle)
			iommu_detach_group(domain, group);
	}
	host_limit_pgsizes(domain);
	return domain;
}

/* The group's reserved IOVA ranges that must never be mapped. */
static int hgroup_read_resv(struct pviommu_hgroup *hg)
{
	struct iommu_resv_region *r, *next;
	LIST_HEAD(regions);
	int ret;

	ret = iommu_get_group_resv_regions(hg->group, &regions);
	list_for_each_entry_safe(r, next, &regions, list) {
		/* As VFIO type1: relaxable RMRRs (USB, graphics) may go. */
		if (!ret && r->type != IOMMU_RESV_DIRECT_RELAXABLE &&
		    r->length) {
			if (hg->nr_resv == PVIOMMU_GROUP_RESV) {
				ret = -ENOSPC;
			} else {
				hg->resv[hg->nr_resv][0] = r->start;
				hg->resv[hg->nr_resv][1] = r->start +
							   r->length - 1;
				hg->nr_resv++;
			}
		}
		list_del(&r->list);
		kfree(r);
	}
	return ret;
}

/**
 * pviommu_hgroup_init() - check a group joining a pviommu container
 * @hg: the group's record, zeroed
 * @group: the group; VFIO owns its DMA and has blocked it
 *
 * The group must have a device a VMM attaches, all its devices coherent
 * DMA behind the IOMMU and isolated MSI; a host domain for it must enforce
 * cache coherency. Records its aperture and reserved ranges.
 *
 * Return: 0; -EINVAL for a group that cannot be used, -EPERM without
 * isolated MSI, -ENOSPC for too many reserved ranges, or an error from
 * the iommu core.
 */
int pviommu_hgroup_init(struct pviommu_hgroup *hg, struct iommu_group *group)
{
	struct hgroup_scan scan = {};
	struct iommu_domain *probe;
	int ret;

	iommu_group_for_each_dev(group, &scan, hgroup_scan_dev);
	if (!scan.dev)
		return -EINVAL;
	if (scan.incoherent) {
		dev_warn(scan.dev, "pviommu: DMA of group %d is not cache coherent\n",
			 iommu_group_id(group));
		return -EINVAL;
	}
	if (!hgroup_isolated_msi(scan.dev, group)) {
		dev_warn(scan.dev, "pviommu: no isolated MSI (interrupt remapping) for group %d\n",
			 iommu_group_id(group));
		return -EPERM;
	}

	/* The IOMMU driver fixes a domain's geometry at its first attach. */
	probe = host_paging_domain(scan.dev, group, &ret);
	if (IS_ERR(probe)) {
		ret = PTR_ERR(probe);
	} else {
		hg->aperture_end = probe->geometry.aperture_end;
		iommu_domain_free(probe);
	}
	if (ret) {
		dev_warn(scan.dev, "pviommu: no cache-coherent host domain for group %d: %d\n",
			 iommu_group_id(group), ret);
		return ret;
	}

	hg->group = iommu_group_ref_get(group);
	hg->dev = get_device(scan.dev);
	hg->nr_devs = scan.nr_devs;
	ret = hgroup_read_resv(hg);
	if (ret)
		pviommu_hgroup_destroy(hg);
	return ret;
}

/**
 * pviommu_hgroup_destroy() - drop what pviommu_hgroup_init() took
 * @hg: the group, blocked
 */
void pviommu_hgroup_destroy(struct pviommu_hgroup *hg)
{
	WARN_ON_ONCE(hg->cur);
	put_device(hg->dev);
	iommu_group_put(hg->group);
}

static int hgroup_find_dev(struct device *dev, void *data)
{
	struct hgroup_scan *scan = data;
	struct pci_dev *pdev;

	if (!dev_is_pci(dev))
		return 0;
	pdev = to_pci_dev(dev);
	if (pci_is_bridge(pdev) || pci_domain_nr(pdev->bus) != scan->bdf >> 16 ||
	    pci_dev_id(pdev) != (scan->bdf & 0xffff))
		return 0;
	scan->found = pci_dev_get(pdev);
	return 1;
}

/**
 * pviommu_hgroup_find() - the device of a group at a host address
 * @hg: the group
 * @bdf: segment << 16 | bus << 8 | devfn
 *
 * Return: the device, referenced, or NULL when the group has none there
 * (or only a bridge).
 */
struct pci_dev *pviommu_hgroup_find(struct pviommu_hgroup *hg, u32 bdf)
{
	struct hgroup_scan scan = { .bdf = bdf };

	iommu_group_for_each_dev(hg->group, &scan, hgroup_find_dev);
	return scan.found;
}

/* A host domain, with the gather of unmaps its next sync completes. */
struct pviommu_hdom {
	struct iommu_domain *domain;
	struct iommu_iotlb_gather gather;
};

static struct pviommu_hdom *host_domain_alloc(struct pviommu_host *host,
					      struct pviommu_hgroup *hg)
{
	struct pviommu_hdom *hdom;
	int settle;

	hdom = kzalloc(sizeof(*hdom), GFP_KERNEL_ACCOUNT);
	if (!hdom)
		return ERR_PTR(-ENOMEM);
	/*
	 * Settled only while the group is blocked anyway (an empty domain
	 * blocks it as well); a failed settling attach is no error here, the
	 * real attach reports it.
	 */
	hdom->domain = host_paging_domain(hg->dev, hg->group,
					  hg->cur ? NULL : &settle);
	if (IS_ERR(hdom->domain)) {
		int err = PTR_ERR(hdom->domain);

		kfree(hdom);
		return ERR_PTR(err);
	}
	iommu_iotlb_gather_init(&hdom->gather);
	return hdom;
}

static void host_domain_free(struct pviommu_host *host, struct pviommu_hdom *hd)
{
	iommu_domain_free(hd->domain);
	kfree(hd);
}

static u64 host_pgsizes(struct pviommu_host *host, struct pviommu_hdom *hd)
{
	return hd->domain->pgsize_bitmap;
}

static unsigned int host_group_size(struct pviommu_host *host,
				    struct pviommu_hgroup *hg)
{
	return hg->nr_devs;
}

/* Back to the blocking domain VFIO's DMA ownership put the group on. */
static void host_block(struct pviommu_host *host, struct pviommu_hgroup *hg)
{
	if (hg->cur) {
		iommu_detach_group(hg->cur, hg->group);
		hg->cur = NULL;
	}
}

/*
 * From one domain to another through the blocking domain: the targets
 * have no atomic replace for a module (6.1 has none; 6.12 exports
 * iommu_group_replace_domain() to iommufd only, and its VT-d driver blocks
 * translation inside every attach anyway), so DMA the device has in
 * flight while the guest moves it between domains may fault, as it may
 * on VT-d hardware while the guest rewrites the context entry.
 */
static int host_attach(struct pviommu_host *host, struct pviommu_hdom *dom,
		       struct pviommu_hgroup *hg)
{
	int ret;

	host_block(host, hg);
	ret = iommu_attach_group(dom->domain, hg->group);
	if (!ret)
		hg->cur = dom->domain;
	host_limit_pgsizes(dom->domain);
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

static int host_pin(struct pviommu_host *h, u64 uaddr, unsigned int npages,
		    bool write, u64 *pa)
{
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
	for (i = 0; i < npages; i++) {
		/*
		 * A guest can map one page at a million IOVAs of each of its
		 * contexts, and each pin of a small page takes
		 * GUP_PIN_COUNTING_BIAS references: left alone, a few
		 * contexts would drive its reference count to overflow,
		 * where GUP warns and fails. Past a quarter of that, the
		 * pin is refused and the leaf stays unmapped.
		 */
		if (folio_ref_count(page_folio(h->pages[i])) >
		    PVIOMMU_MAX_PAGE_REFS) {
			unpin_user_pages(h->pages, npages);
			host_uncharge(h, npages);
			return -EOVERFLOW;
		}
		pa[i] = page_to_phys(h->pages[i]);
	}
	h->pinned += npages;
	atomic64_add(npages, &pviommu_pinned);
	return 0;
}

static void host_unpin(struct pviommu_host *h, u64 pa, unsigned int npages,
		       bool dirty)
{
	unpin_user_page_range_dirty_lock(pfn_to_page(PHYS_PFN(pa)), npages,
					 dirty);
	h->pinned -= npages;
	host_uncharge(h, npages);
	atomic64_sub(npages, &pviommu_pinned);
}

static int host_map(struct pviommu_host *host, struct pviommu_hdom *hd,
		    u64 iova, u64 pa, u64 size, int prot)
{
	return iommu_map(hd->domain, iova, pa, size, prot | IOMMU_CACHE,
			 GFP_KERNEL_ACCOUNT);
}

static u64 host_unmap(struct pviommu_host *host, struct pviommu_hdom *hd,
		      u64 iova, u64 size)
{
	return iommu_unmap_fast(hd->domain, iova, size, &hd->gather);
}

static void host_sync(struct pviommu_host *host, struct pviommu_hdom *hd)
{
	iommu_iotlb_sync(hd->domain, &hd->gather);
	iommu_iotlb_gather_init(&hd->gather);
}

static u64 host_iova_to_phys(struct pviommu_host *host,
			     struct pviommu_hdom *hd, u64 iova)
{
	return iommu_iova_to_phys(hd->domain, iova);
}

const struct pviommu_host_ops pviommu_host_ops = {
	.domain_alloc = host_domain_alloc,
	.domain_free = host_domain_free,
	.pgsizes = host_pgsizes,
	.group_size = host_group_size,
	.attach = host_attach,
	.block = host_block,
	.pin = host_pin,
	.unpin = host_unpin,
	.map = host_map,
	.unmap = host_unmap,
	.sync = host_sync,
	.iova_to_phys = host_iova_to_phys,
};
