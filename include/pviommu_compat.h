/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place.
 *
 * Force-included into every pviommu source file. Each shim gives an older
 * kernel the newest kernel's interface under the newest name, so .c files
 * are written once, against the newest API, with no version checks.
 * tools/compat-probe.sh sets PVIOMMU_HAVE_* by probing the kernel's headers.
 */
#ifndef _PVIOMMU_COMPAT_H
#define _PVIOMMU_COMPAT_H

#include <linux/eventfd.h>
#include <linux/iommu.h>
#include <linux/irqdomain.h>

/* 6.11: iommu_paging_domain_alloc(dev) replaced iommu_domain_alloc(bus). */
#ifndef PVIOMMU_HAVE_IOMMU_PAGING_DOMAIN_ALLOC
static inline struct iommu_domain *
pviommu_compat_paging_domain_alloc(struct device *dev)
{
	struct iommu_domain *domain = iommu_domain_alloc(dev->bus);

	return domain ? domain : ERR_PTR(-ENOMEM);
}

#define iommu_paging_domain_alloc pviommu_compat_paging_domain_alloc
#endif

/* 6.3: iommu_map() takes a gfp_t. */
#ifndef PVIOMMU_HAVE_IOMMU_MAP_GFP
static inline int pviommu_compat_iommu_map(struct iommu_domain *domain,
					   unsigned long iova,
					   phys_addr_t paddr, size_t size,
					   int prot, gfp_t gfp)
{
	return iommu_map(domain, iova, paddr, size, prot);
}

#define iommu_map pviommu_compat_iommu_map
#endif

/* 6.8: eventfd_signal() lost its count argument. */
#ifndef PVIOMMU_HAVE_EVENTFD_SIGNAL_1ARG
static inline void pviommu_compat_eventfd_signal(struct eventfd_ctx *ctx)
{
	eventfd_signal(ctx, 1);
}

#define eventfd_signal pviommu_compat_eventfd_signal
#endif

/*
 * 6.2: DMA ownership can be claimed per device. Before, per group: a group
 * with several devices can then be used by one of them only.
 */
#ifndef PVIOMMU_HAVE_IOMMU_DEVICE_CLAIM_DMA_OWNER
static inline int pviommu_compat_claim_dma_owner(struct device *dev,
						 void *owner)
{
	struct iommu_group *group = iommu_group_get(dev);
	int ret;

	if (!group)
		return -ENODEV;
	ret = iommu_group_claim_dma_owner(group, owner);
	iommu_group_put(group);
	return ret;
}

static inline void pviommu_compat_release_dma_owner(struct device *dev)
{
	struct iommu_group *group = iommu_group_get(dev);

	if (group) {
		iommu_group_release_dma_owner(group);
		iommu_group_put(group);
	}
}

#define iommu_device_claim_dma_owner pviommu_compat_claim_dma_owner
#define iommu_device_release_dma_owner pviommu_compat_release_dma_owner
#endif

#if IS_ENABLED(CONFIG_IOMMU_API)	/* not in the KUnit (UML) build */
/* Whether MSIs of devices in @group are isolated (interrupt remapping). */
static inline bool pviommu_isolated_msi(struct device *dev,
					struct iommu_group *group)
{
#ifdef PVIOMMU_HAVE_IOMMU_GROUP_HAS_ISOLATED_MSI
	return iommu_group_has_isolated_msi(group);
#else
	/* 6.1, as vfio_iommu_type1 decides there. */
	return irq_domain_check_msi_remap() ||
	       device_iommu_capable(dev, IOMMU_CAP_INTR_REMAP);
#endif
}
#endif

#if IS_ENABLED(CONFIG_VFIO)
/*
 * VFIO's interface for IOMMU backends of its containers lives in the
 * private drivers/vfio/vfio.h, which the headers packages do not ship;
 * vfio_register_iommu_driver() and vfio_unregister_iommu_driver() are
 * exported. Mirrored here as Debian's 6.1.192 and 6.12.117 sources have it
 * (checked in both). 6.1 ends the ops with a notify op that later kernels
 * dropped: declaring it everywhere, always NULL, is harmless there, since
 * VFIO reads only the members its own declaration has.
 */
struct vfio_device;

enum vfio_group_type {
	VFIO_IOMMU,
	VFIO_EMULATED_IOMMU,
	VFIO_NO_IOMMU,
};

enum vfio_iommu_notify_type {
	VFIO_IOMMU_CONTAINER_CLOSE = 0,
};

struct vfio_iommu_driver_ops {
	char *name;
	struct module *owner;
	void *(*open)(unsigned long arg);
	void (*release)(void *iommu_data);
	long (*ioctl)(void *iommu_data, unsigned int cmd, unsigned long arg);
	int (*attach_group)(void *iommu_data, struct iommu_group *group,
			    enum vfio_group_type type);
	void (*detach_group)(void *iommu_data, struct iommu_group *group);
	int (*pin_pages)(void *iommu_data, struct iommu_group *group,
			 dma_addr_t user_iova, int npage, int prot,
			 struct page **pages);
	void (*unpin_pages)(void *iommu_data, dma_addr_t user_iova, int npage);
	void (*register_device)(void *iommu_data, struct vfio_device *vdev);
	void (*unregister_device)(void *iommu_data, struct vfio_device *vdev);
	int (*dma_rw)(void *iommu_data, dma_addr_t user_iova, void *data,
		      size_t count, bool write);
	struct iommu_domain *(*group_iommu_domain)(void *iommu_data,
						   struct iommu_group *group);
	/* 6.1 only; see above */
	void (*notify)(void *iommu_data, enum vfio_iommu_notify_type event);
};

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops);
#endif

#endif /* _PVIOMMU_COMPAT_H */
