// SPDX-License-Identifier: GPL-2.0
/*
 * l2dma: the end-to-end benchmark's kernel DMA API workload (make
 * bench-e2e), a driver for QEMU's edu device in the L2 guest.
 *
 * What a guest's network or storage driver does per I/O: map a buffer
 * with the DMA API, let the device use it, unmap it. Under L2's
 * intel-iommu driver in caching mode and strict mode, each map and each
 * unmap is one invalidation and one wait that the VMM shadows. Bound to
 * an edu by driver_override only ("l2dma"), the driver checks that a DMA
 * through the DMA API lands (probe fails with -EIO otherwise: no path is
 * measured broken), then, on a write to debugfs l2dma/run, times:
 *
 *   "page N": N times dma_map_page() + dma_unmap_page() of one 4 KiB page;
 *   "sg N":   N times dma_map_sg() + dma_unmap_sg() of 16 pages that are
 *             not physically adjacent (every other page of 32 allocated).
 *
 * Reading l2dma/run gives the last run: "<op> <bytes> <N> <ns>", and for
 * sg the number of adjacent page pairs in the list (0 when scattered).
 */
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "edu.h"

#define L2DMA_SG	16
#define L2DMA_CHECK	256

struct l2dma {
	struct pci_dev *pdev;
	void __iomem *bar;
	struct dentry *dir;
	struct mutex lock;		/* one run at a time; @result */
	struct page *pages[2 * L2DMA_SG];
	struct scatterlist sg[L2DMA_SG];
	char result[96];
};

/* One DMA of @len bytes between @addr and the edu's buffer; waits. */
static int l2dma_edu(struct l2dma *d, dma_addr_t addr, u32 len, bool to_ram)
{
	u32 cmd;

	/* The edu masks DMA addresses to 28 bits. */
	writel(to_ram ? (u32)EDU_BUF : lower_32_bits(addr),
	       d->bar + EDU_DMA_SRC);
	writel(to_ram ? lower_32_bits(addr) : (u32)EDU_BUF,
	       d->bar + EDU_DMA_DST);
	writel(len, d->bar + EDU_DMA_CNT);
	writel(EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0),
	       d->bar + EDU_DMA_CMD);
	return readl_poll_timeout(d->bar + EDU_DMA_CMD, cmd,
				  !(cmd & EDU_DMA_START), 10, 1000000);
}

/*
 * From one page through the edu into another, both mapped through the
 * DMA API; the bytes must arrive.
 */
static int l2dma_check(struct l2dma *d)
{
	struct device *dev = &d->pdev->dev;
	u8 *src = page_address(d->pages[0]), *dst = page_address(d->pages[2]);
	dma_addr_t a, b;
	int i, ret;

	for (i = 0; i < L2DMA_CHECK; i++) {
		src[i] = i ^ 0x5a;
		dst[i] = 0;
	}
	a = dma_map_page(dev, d->pages[0], 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	b = dma_map_page(dev, d->pages[2], 0, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, b)) {
		dma_unmap_page(dev, a, PAGE_SIZE, DMA_TO_DEVICE);
		return -ENOMEM;
	}
	ret = l2dma_edu(d, a, L2DMA_CHECK, false);
	if (!ret)
		ret = l2dma_edu(d, b, L2DMA_CHECK, true);
	dma_unmap_page(dev, b, PAGE_SIZE, DMA_FROM_DEVICE);
	dma_unmap_page(dev, a, PAGE_SIZE, DMA_TO_DEVICE);
	if (ret)
		return ret;
	return memcmp(src, dst, L2DMA_CHECK) ? -EIO : 0;
}

static int l2dma_run_page(struct l2dma *d, unsigned int n)
{
	struct device *dev = &d->pdev->dev;
	unsigned int i;
	dma_addr_t a;
	u64 t0, t;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		a = dma_map_page(dev, d->pages[0], 0, PAGE_SIZE,
				 DMA_BIDIRECTIONAL);
		if (dma_mapping_error(dev, a))
			return -ENOMEM;
		dma_unmap_page(dev, a, PAGE_SIZE, DMA_BIDIRECTIONAL);
	}
	t = ktime_get_ns() - t0;
	snprintf(d->result, sizeof(d->result), "page %lu %u %llu\n",
		 PAGE_SIZE, n, t);
	return 0;
}

static int l2dma_run_sg(struct l2dma *d, unsigned int n)
{
	struct device *dev = &d->pdev->dev;
	unsigned int i, adjacent = 0;
	u64 t0, t;
	int nents;

	for (i = 0; i + 1 < L2DMA_SG; i++)
		if (page_to_pfn(d->pages[2 * i + 2]) ==
		    page_to_pfn(d->pages[2 * i]) + 1)
			adjacent++;
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		nents = dma_map_sg(dev, d->sg, L2DMA_SG, DMA_BIDIRECTIONAL);
		if (!nents)
			return -ENOMEM;
		dma_unmap_sg(dev, d->sg, L2DMA_SG, DMA_BIDIRECTIONAL);
	}
	t = ktime_get_ns() - t0;
	snprintf(d->result, sizeof(d->result), "sg %lu %u %llu adjacent=%u\n",
		 L2DMA_SG * PAGE_SIZE, n, t, adjacent);
	return 0;
}

static ssize_t l2dma_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	struct l2dma *d = file_inode(file)->i_private;
	unsigned int n;
	char buf[32], op[8];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%7s %u", op, &n) != 2 || !n || n > 1000000)
		return -EINVAL;
	mutex_lock(&d->lock);
	if (!strcmp(op, "page"))
		ret = l2dma_run_page(d, n);
	else if (!strcmp(op, "sg"))
		ret = l2dma_run_sg(d, n);
	else
		ret = -EINVAL;
	mutex_unlock(&d->lock);
	return ret ?: len;
}

static ssize_t l2dma_read(struct file *file, char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	struct l2dma *d = file_inode(file)->i_private;
	char buf[sizeof(d->result)];

	mutex_lock(&d->lock);
	strscpy(buf, d->result, sizeof(buf));
	mutex_unlock(&d->lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, strlen(buf));
}

static const struct file_operations l2dma_fops = {
	.owner = THIS_MODULE,
	.read = l2dma_read,
	.write = l2dma_write,
	.llseek = default_llseek,
};

static void l2dma_free_pages(struct l2dma *d)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(d->pages); i++)
		if (d->pages[i])
			__free_page(d->pages[i]);
}

static int l2dma_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct l2dma *d;
	unsigned int i;
	int ret;

	d = devm_kzalloc(&pdev->dev, sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->pdev = pdev;
	mutex_init(&d->lock);
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(28));
	if (ret)
		return ret;
	d->bar = pcim_iomap(pdev, 0, 0);
	if (!d->bar)
		return -ENOMEM;
	pci_set_master(pdev);
	for (i = 0; i < ARRAY_SIZE(d->pages); i++) {
		d->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!d->pages[i]) {
			l2dma_free_pages(d);
			return -ENOMEM;
		}
	}
	sg_init_table(d->sg, L2DMA_SG);
	for (i = 0; i < L2DMA_SG; i++)
		sg_set_page(&d->sg[i], d->pages[2 * i], PAGE_SIZE, 0);
	ret = l2dma_check(d);
	if (ret) {
		dev_err(&pdev->dev, "DMA through the DMA API did not land: %d\n",
			ret);
		l2dma_free_pages(d);
		return ret;
	}
	dev_info(&pdev->dev, "DMA through the DMA API checked\n");
	d->dir = debugfs_create_dir("l2dma", NULL);
	debugfs_create_file("run", 0600, d->dir, d, &l2dma_fops);
	pci_set_drvdata(pdev, d);
	return 0;
}

static void l2dma_remove(struct pci_dev *pdev)
{
	struct l2dma *d = pci_get_drvdata(pdev);

	debugfs_remove_recursive(d->dir);
	l2dma_free_pages(d);
}

static struct pci_driver l2dma_driver = {
	.name = "l2dma",
	/* No ID table: bound through driver_override only. */
	.probe = l2dma_probe,
	.remove = l2dma_remove,
};
module_pci_driver(l2dma_driver);

MODULE_DESCRIPTION("pviommu end-to-end benchmark: kernel DMA API on an edu");
MODULE_LICENSE("GPL");
