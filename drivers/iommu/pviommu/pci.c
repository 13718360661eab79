// SPDX-License-Identifier: GPL-2.0
/*
 * The "pviommu" PCI driver.
 *
 * A host device is handed to pviommu the way it is handed to vfio-pci: the
 * administrator writes "pviommu" to its sysfs driver_override and binds it.
 * The driver has no ID table, so it binds nothing on its own, and sets
 * driver_managed_dma: the DMA API is not set up for the device, whose DMA
 * pviommu takes over when a VMM attaches it to a context.
 */
#include <linux/iommu.h>
#include <linux/pci.h>

#include "pviommu.h"

static int pviommu_pci_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	int ret = pviommu_hdev_add(pdev);

	if (ret == -ENODEV)
		pci_warn(pdev, "no IOMMU group; pviommu needs an IOMMU in front of the device\n");
	if (!ret)
		pci_info(pdev, "bound\n");
	return ret;
}

static void pviommu_pci_remove(struct pci_dev *pdev)
{
	pviommu_hdev_remove(pdev);
	pci_info(pdev, "unbound\n");
}

static struct pci_driver pviommu_pci_driver = {
	.name = "pviommu",
	.id_table = NULL,
	.probe = pviommu_pci_probe,
	.remove = pviommu_pci_remove,
	.driver_managed_dma = true,
};

/**
 * pviommu_pci_init() - register the pviommu PCI driver
 *
 * Return: 0 on success or a negative errno from pci_register_driver().
 */
int pviommu_pci_init(void)
{
	return pci_register_driver(&pviommu_pci_driver);
}

/**
 * pviommu_pci_exit() - unregister the pviommu PCI driver, unbinding its
 * devices
 */
void pviommu_pci_exit(void)
{
	pci_unregister_driver(&pviommu_pci_driver);
}
