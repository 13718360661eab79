/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM's side of device assignment with pviommu, for the kselftests,
 * the demo and the benchmark: devices stay on vfio-pci; their groups go
 * into a VFIO container of pviommu's IOMMU type, which is linked to the
 * /dev/pviommu context; the device's regions, config space and interrupts
 * come from its VFIO device file, as in every VMM.
 */
#ifndef _PVIOMMU_VFIO_H
#define _PVIOMMU_VFIO_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/pviommu.h>
#include <linux/vfio.h>

/* A VFIO container and one group in it. */
struct pvv {
	int container;
	int group;
};

/* The IOMMU group number of PCI device @bdf, or -errno. */
static inline int pvv_group_of(const char *bdf)
{
	char path[128], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	return atoi(basename(link));
}

/* Open @bdf's group; -EPERM when it is not viable. Returns 0 or -errno. */
static inline int pvv_open_group(struct pvv *v, const char *bdf)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int nr = pvv_group_of(bdf);

	v->group = -1;
	if (nr < 0)
		return nr;
	snprintf(path, sizeof(path), "/dev/vfio/%d", nr);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0 || ioctl(v->group, VFIO_GROUP_GET_STATUS, &st))
		return -errno;
	return st.flags & VFIO_GROUP_FLAGS_VIABLE ? 0 : -EPERM;
}

/* Put the open group into container @container. Returns 0 or -errno. */
static inline int pvv_set_container(struct pvv *v, int container)
{
	return ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &container) ?
	       -errno : 0;
}

/* Set the container's IOMMU type. Returns 0 or -errno. */
static inline int pvv_set_iommu(int container, unsigned long type)
{
	return ioctl(container, VFIO_SET_IOMMU, type) ? -errno : 0;
}

/* Link @container to the pviommu context @fd. Returns 0 or -errno. */
static inline int pvv_link(int container, int fd)
{
	struct pviommu_vfio_link link = {
		.size = sizeof(link), .pviommu_fd = fd,
	};

	return ioctl(container, PVIOMMU_VFIO_LINK, &link) ? -errno : 0;
}

/*
 * @bdf's group in a new container of pviommu's type, linked to context
 * @fd (-1: not linked). Returns 0 or -errno; on failure nothing stays open.
 */
static inline int pvv_open(struct pvv *v, const char *bdf, int fd)
{
	int ret;

	v->group = -1;
	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0)
		return -errno;
	ret = pvv_open_group(v, bdf);
	if (!ret)
		ret = pvv_set_container(v, v->container);
	if (!ret)
		ret = pvv_set_iommu(v->container, PVIOMMU_VFIO_IOMMU);
	if (!ret && fd >= 0)
		ret = pvv_link(v->container, fd);
	if (ret) {
		if (v->group >= 0)
			close(v->group);
		close(v->container);
		v->group = -1;
		v->container = -1;
	}
	return ret;
}

static inline void pvv_close(struct pvv *v)
{
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->group = -1;
	v->container = -1;
}

/*
 * A VFIO device: its file, and BAR0 mapped through it.
 */
struct pvv_dev {
	int fd;
	__u8 *bar;
	size_t bar_size;
};

static inline int pvv_cfg_rw(struct pvv_dev *d, unsigned int off, void *buf,
			     size_t len, int write)
{
	struct vfio_region_info ri = {
		.argsz = sizeof(ri), .index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	ssize_t n;

	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return -errno;
	n = write ? pwrite(d->fd, buf, len, ri.offset + off) :
		    pread(d->fd, buf, len, ri.offset + off);
	return n == (ssize_t)len ? 0 : -EIO;
}

/*
 * Open device @bdf of the group in @v, map its BAR0 and enable memory
 * decoding and bus mastering. Returns 0 or -errno.
 */
static inline int pvv_dev_open(struct pvv_dev *d, struct pvv *v,
			       const char *bdf)
{
	struct vfio_region_info ri = {
		.argsz = sizeof(ri), .index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	__u16 cmd;
	int ret;

	d->bar = MAP_FAILED;
	d->fd = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (d->fd < 0)
		return -errno;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri)) {
		ret = -errno;
		goto err;
	}
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		ret = -ENODEV;
		goto err;
	}
	d->bar_size = ri.size;
	d->bar = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd,
		      ri.offset);
	if (d->bar == MAP_FAILED) {
		ret = -errno;
		goto err;
	}
	ret = pvv_cfg_rw(d, PCI_COMMAND, &cmd, sizeof(cmd), 0);
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (!ret)
		ret = pvv_cfg_rw(d, PCI_COMMAND, &cmd, sizeof(cmd), 1);
	if (!ret)
		return 0;
err:
	if (d->bar != MAP_FAILED)
		munmap(d->bar, d->bar_size);
	close(d->fd);
	d->fd = -1;
	return ret;
}

static inline void pvv_dev_close(struct pvv_dev *d)
{
	if (d->fd < 0)
		return;
	munmap(d->bar, d->bar_size);
	close(d->fd);
	d->fd = -1;
}

/* Deliver the device's MSI to eventfd @efd (-1: stop). Returns 0 or -errno. */
static inline int pvv_msi(struct pvv_dev *d, int efd)
{
	struct {
		struct vfio_irq_set set;
		__s32 fd;
	} irq = {
		.set = {
			.argsz = sizeof(irq),
			.flags = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER,
			.index = VFIO_PCI_MSI_IRQ_INDEX,
			.count = 1,
		},
		.fd = efd,
	};

	if (efd < 0) {
		irq.set.argsz = sizeof(irq.set);
		irq.set.flags = VFIO_IRQ_SET_DATA_NONE |
				VFIO_IRQ_SET_ACTION_TRIGGER;
		irq.set.count = 0;
	}
	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &irq) ? -errno : 0;
}

#endif /* _PVIOMMU_VFIO_H */
