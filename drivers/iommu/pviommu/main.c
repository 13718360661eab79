// SPDX-License-Identifier: GPL-2.0
/*
 * pviommu: paravirtual shadow-IOMMU bridge.
 *
 * The host half of a guest-visible Intel VT-d IOMMU for assigned devices:
 * the VMM forwards the guest's invalidation descriptors, pviommu walks the
 * guest's tables and keeps a host IOMMU domain equal to them. See
 * Documentation/userspace-api/pviommu.rst.
 */
#include <linux/module.h>

#include "pviommu.h"

static int __init pviommu_init(void)
{
	int ret;

	ret = pviommu_shadow_init();
	if (ret)
		return ret;
	pviommu_debugfs_init();
	ret = pviommu_vfio_init();
	if (ret)
		goto err_host;

	ret = pviommu_chardev_init();
	if (ret)
		goto err_vfio;
	return 0;

err_vfio:
	pviommu_vfio_exit();
err_host:
	pviommu_debugfs_exit();
	pviommu_shadow_exit();
	return ret;
}

static void __exit pviommu_exit(void)
{
	pviommu_chardev_exit();
	pviommu_vfio_exit();
	pviommu_debugfs_exit();
	pviommu_shadow_exit();
}

module_init(pviommu_init);
module_exit(pviommu_exit);

MODULE_DESCRIPTION("Paravirtual shadow-IOMMU bridge for guest VT-d");
MODULE_LICENSE("GPL");
