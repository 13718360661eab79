/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Playing the guest, for pviommu's kselftests and demo: guest RAM is a
 * memfd in this process, registered with PVIOMMU_RAM_ADD; VT-d root,
 * context and second-level tables are written into it as a guest would;
 * flushes are submitted as a VMM forwards a guest's queue: one
 * invalidation and one wait per PVIOMMU_INVALIDATE. And a driver for
 * QEMU's edu device, whose DMA proves mappings end to end.
 */
#ifndef _PVIOMMU_GUEST_H
#define _PVIOMMU_GUEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/pviommu.h>

#include "pviommu_vfio.h"
#include "edu.h"

/* QEMU's intel-iommu,caching-mode=on,intremap=on,aw-bits=48 */
#define PVG_CAP		0x00d2008c222f0686ULL
#define PVG_ECAP	0x0000000000f00f4aULL
#define PVG_HAW		48

#define PVG_PAGE	4096ULL
#define PVG_R		1ULL
#define PVG_W		2ULL
#define PVG_RW		(PVG_R | PVG_W)
#define PVG_PS		0x80ULL		/* large-page leaf */
#define PVG_LEVELS	4		/* AW 2: 48-bit */
#define PVG_STATUS	0x1000ULL	/* status words of the wait queue */
#define PVG_TABLES	0x10000ULL	/* tables are allocated from here */

struct pvg {
	int fd;			/* the context, /dev/pviommu */
	int memfd;
	__u8 *ram;
	__u64 ram_size;
	__u64 next_table;
	__u64 rta;
	__u64 ctx_table[256];
	unsigned int flushes;
};

static inline __u64 *pvg_u64(struct pvg *g, __u64 gpa)
{
	return (__u64 *)(g->ram + gpa);
}

static inline __u64 pvg_table(struct pvg *g)
{
	__u64 gpa = g->next_table;

	g->next_table += PVG_PAGE;
	memset(g->ram + gpa, 0, PVG_PAGE);
	return gpa;
}

/* The guest's Translation Enable (on at pvg_init()). Returns 0 or -errno. */
static inline int pvg_translate(struct pvg *g, int on)
{
	struct pviommu_translation te = {
		.size = sizeof(te), .flags = on ? PVIOMMU_TRANSLATION_ENABLE : 0,
	};

	return ioctl(g->fd, PVIOMMU_SET_TRANSLATION, &te) ? -errno : 0;
}

/*
 * Guest RAM of @ram_size bytes at GPA 0, capabilities with @ecap, an empty
 * root table in mode @ttm (0 legacy, 1 scalable), and translation enabled.
 * Returns 0 or -errno.
 */
static inline int pvg_init_mode(struct pvg *g, int fd, __u64 ram_size,
				__u64 ecap, unsigned int ttm)
{
	struct pviommu_guest_caps caps = {
		.size = sizeof(caps), .cap = PVG_CAP, .ecap = ecap,
		.haw = PVG_HAW,
	};
	struct pviommu_ram ram = { .size = sizeof(ram), .length = ram_size };
	struct pviommu_root root = { .size = sizeof(root) };

	memset(g, 0, sizeof(*g));
	g->fd = fd;
	g->ram_size = ram_size;
	g->next_table = PVG_TABLES;
	g->memfd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (g->memfd < 0 || ftruncate(g->memfd, ram_size))
		return -errno;
	g->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->memfd, 0);
	if (g->ram == MAP_FAILED)
		return -errno;
	ram.uaddr = (uintptr_t)g->ram;
	if (ioctl(fd, PVIOMMU_SET_CAPS, &caps) ||
	    ioctl(fd, PVIOMMU_RAM_ADD, &ram))
		return -errno;
	g->rta = pvg_table(g);
	root.rtaddr = g->rta | (__u64)ttm << 10;
	if (ioctl(fd, PVIOMMU_SET_ROOT, &root))
		return -errno;
	return pvg_translate(g, 1);
}

/* The same in legacy mode, with the usual capabilities. */
static inline int pvg_init(struct pvg *g, int fd, __u64 ram_size)
{
	return pvg_init_mode(g, fd, ram_size, PVG_ECAP, 0);
}

static inline void pvg_fini(struct pvg *g)
{
	if (g->ram && g->ram != MAP_FAILED)
		munmap(g->ram, g->ram_size);
	if (g->memfd >= 0)
		close(g->memfd);
}

/*
 * Point the context entry of @sid at second-level table @slroot in domain
 * @did (translation type @tt); @slroot 0 and @tt 0 clear it.
 */
static inline void pvg_context(struct pvg *g, __u16 sid, __u16 did,
			       __u64 slroot, unsigned int tt)
{
	unsigned int bus = sid >> 8, devfn = sid & 0xff;
	__u64 *ce;

	if (!g->ctx_table[bus]) {
		g->ctx_table[bus] = pvg_table(g);
		pvg_u64(g, g->rta)[2 * bus] = g->ctx_table[bus] | 1;
	}
	ce = pvg_u64(g, g->ctx_table[bus] + 16 * devfn);
	ce[0] = 0;
	if (!slroot && !tt)
		return;
	ce[1] = 2 | (__u64)did << 8;		/* AW 2: 4 levels */
	ce[0] = slroot | (__u64)tt << 2 | 1;
}

/* Set the leaf for @iova at @level (1: 4K, 2: 2M) to @pte. */
static inline void pvg_set_leaf(struct pvg *g, __u64 slroot, __u64 iova,
				int level, __u64 pte)
{
	__u64 table = slroot;
	int l;

	for (l = PVG_LEVELS; l > level; l--) {
		__u64 *e = &pvg_u64(g, table)[(iova >> (12 + 9 * (l - 1))) &
						 511];

		if (!(*e & PVG_RW))
			*e = pvg_table(g) | PVG_RW;
		table = *e & ~0xfffULL;
	}
	pvg_u64(g, table)[(iova >> (12 + 9 * (level - 1))) & 511] = pte;
}

static inline void pvg_map(struct pvg *g, __u64 slroot, __u64 iova,
			   __u64 gpa, __u64 perm)
{
	pvg_set_leaf(g, slroot, iova, 1, gpa | perm);
}

/* IOTLB page-selective invalidation descriptor (DR and DW set). */
static inline void pvg_psi(__u64 *d, __u16 did, __u64 iova,
			   unsigned int am, int ih)
{
	d[0] = 0x2 | 3 << 4 | 1 << 6 | 1 << 7 | (__u64)did << 16;
	d[1] = iova | (__u64)ih << 6 | am;
}

/* Invalidation wait: status write (SW) of @data at @gpa, IF if @intr. */
static inline void pvg_wait(__u64 *d, __u64 gpa, __u32 data,
			    int intr)
{
	d[0] = 0x5 | 1 << 5 | (intr ? 1 << 4 : 0) | (__u64)data << 32;
	d[1] = gpa;
}

static inline int pvg_invalidate(struct pvg *g, const __u64 *desc,
				 unsigned int n, struct pviommu_invalidate *out)
{
	struct pviommu_invalidate inv = {
		.size = sizeof(inv), .data_uptr = (uintptr_t)desc,
		.entry_len = 16, .entry_num = n,
	};
	int rc = ioctl(g->fd, PVIOMMU_INVALIDATE, &inv);

	if (out)
		*out = inv;
	return rc;
}

/*
 * INVALIDATE of @n 128-bit descriptors at @desc, continued where the work
 * budget stopped it (PVIOMMU_INVALIDATE_CONTINUE) as a VMM does; adds each
 * call's out_failed to *@failed unless NULL. Returns 0, or the errno that
 * stopped it.
 */
static inline int pvg_invalidate_all(struct pvg *g, const __u64 *desc,
				     unsigned int n, unsigned int *failed)
{
	struct pviommu_invalidate inv;
	unsigned int done = 0, flags = 0, calls = 0;

	while (done < n) {
		inv = (struct pviommu_invalidate){
			.size = sizeof(inv), .flags = flags,
			.data_uptr = (uintptr_t)(desc + 2 * done),
			.entry_len = 16, .entry_num = n - done,
		};
		if (!ioctl(g->fd, PVIOMMU_INVALIDATE, &inv)) {
			if (failed)
				*failed += inv.out_failed;
			return 0;
		}
		if (errno != EAGAIN || ++calls > 100000)
			return errno;
		if (failed)
			*failed += inv.out_failed;
		done += inv.entry_num;
		flags = PVIOMMU_INVALIDATE_CONTINUE;
	}
	return 0;
}

/* Global context-cache and IOTLB invalidations and a wait; 0 or errno. */
static inline int pvg_global_flush(struct pvg *g)
{
	__u64 d[6] = { 0x1 | 1 << 4, 0, 0x2 | 1 << 4 | 1 << 6 | 1 << 7, 0 };

	pvg_wait(d + 4, PVG_STATUS, 2, 0);
	return pvg_invalidate_all(g, d, 3, NULL);
}

/*
 * One guest flush, as a Linux guest in caching mode sends it: a
 * page-selective invalidation of 2^@am pages at @iova, then a wait whose
 * status word must read 2 afterwards. Returns 0 or -errno.
 */
static inline int pvg_flush_out(struct pvg *g, __u16 did, __u64 iova,
				unsigned int am, int ih,
				struct pviommu_invalidate *out)
{
	__u64 status = PVG_STATUS + 4 * (g->flushes++ % 1024);
	__u64 d[4];

	*(__u32 *)(g->ram + status) = 1;
	pvg_psi(d, did, iova, am, ih);
	pvg_wait(d + 2, status, 2, 0);
	if (pvg_invalidate(g, d, 2, out))
		return -errno;
	return *(__u32 *)(g->ram + status) == 2 ? 0 : -EIO;
}

static inline int pvg_flush(struct pvg *g, __u16 did, __u64 iova,
			    unsigned int am, int ih)
{
	return pvg_flush_out(g, did, iova, am, ih, NULL);
}

/*
 * A device-selective context-cache invalidation of @sid and a wait, as a
 * guest sends when it changes a context entry. Returns 0 or -errno.
 */
static inline int pvg_context_flush(struct pvg *g, __u16 sid)
{
	__u64 d[4] = { 0x1 | 3 << 4 | (__u64)sid << 32, 0 };

	pvg_wait(d + 2, PVG_STATUS, 2, 0);
	return pvg_invalidate(g, d, 2, NULL) ? -errno : 0;
}

/* @len bytes of a pattern that @seed tells apart, and whether it is there. */
static inline void pvg_pattern(__u8 *p, unsigned int len, int seed)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		p[i] = (__u8)(i * 7 + seed);
}

static inline int pvg_is_pattern(const __u8 *p, unsigned int len, int seed)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (p[i] != (__u8)(i * 7 + seed))
			return 0;
	return 1;
}

/* Take up to @n fault records; returns how many, or -errno. */
static inline int pvg_faults(int fd, struct pviommu_fault *f, unsigned int n)
{
	struct pviommu_get_faults gf = {
		.size = sizeof(gf), .faults_uptr = (uintptr_t)f, .num = n,
	};

	return ioctl(fd, PVIOMMU_GET_FAULTS, &gf) ? -errno : (int)gf.num;
}

/* Pages pinned by all of pviommu (debugfs), or -1 without debugfs. */
static inline long long pvg_global_pinned(void)
{
	long long n = -1;
	FILE *f = fopen("/sys/kernel/debug/pviommu/pinned_pages", "r");

	if (f) {
		if (fscanf(f, "%lld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/*
 * The debugfs directories of this process's contexts: how many there are,
 * and one of them in @dir.
 */
static inline int pvg_ctx_dir(char *dir, size_t len)
{
	const char *base = "/sys/kernel/debug/pviommu";
	char prefix[32];
	struct dirent *de;
	int found = 0;
	DIR *d;

	snprintf(prefix, sizeof(prefix), "%d-", getpid());
	d = opendir(base);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix))) {
			snprintf(dir, len, "%s/%s", base, de->d_name);
			found++;
		}
	closedir(d);
	return found;
}

/* "0000:00:03.0" as PVIOMMU_ATTACH's host_bdf. */
static inline int pvg_parse_bdf(const char *s, __u32 *bdf)
{
	unsigned int seg, bus, dev, fn;

	if (sscanf(s, "%x:%x:%x.%x", &seg, &bus, &dev, &fn) != 4 ||
	    bus > 255 || dev > 31 || fn > 7)
		return -EINVAL;
	*bdf = seg << 16 | bus << 8 | dev << 3 | fn;
	return 0;
}

static inline int pvg_attach(struct pvg *g, __u32 bdf, __u32 sid)
{
	struct pviommu_attach at = {
		.size = sizeof(at), .host_bdf = bdf, .guest_sid = sid,
	};

	return ioctl(g->fd, PVIOMMU_ATTACH, &at) ? -errno : 0;
}

static inline int pvg_query(struct pvg *g, __u16 sid, __u64 iova,
			    struct pviommu_query *q)
{
	*q = (struct pviommu_query){ .size = sizeof(*q), .guest_sid = sid,
				     .iova = iova };
	return ioctl(g->fd, PVIOMMU_QUERY, q) ? -errno : 0;
}

static inline int pvg_stats(int fd, struct pviommu_stats *st)
{
	*st = (struct pviommu_stats){ .size = sizeof(*st) };
	return ioctl(fd, PVIOMMU_GET_STATS, st) ? -errno : 0;
}

/* The host physical address behind this process's @addr, or 0. */
static inline __u64 pvg_phys(const void *addr)
{
	__u64 entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry),
		  (uintptr_t)addr / PVG_PAGE * sizeof(entry)) != sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry & 1ULL << 63))
		return 0;
	return (entry & ((1ULL << 55) - 1)) * PVG_PAGE;
}

/* An edu, opened through VFIO. */
struct edu {
	struct pvv_dev d;
	__u8 *bar;
};

/* MMIO: 32-bit accesses the compiler neither splits, merges nor drops. */
static inline void edu_w32(struct edu *e, unsigned int reg, __u32 v)
{
	__atomic_store_n((__u32 *)(e->bar + reg), v, __ATOMIC_SEQ_CST);
}

static inline __u32 edu_r32(struct edu *e, unsigned int reg)
{
	return __atomic_load_n((__u32 *)(e->bar + reg), __ATOMIC_SEQ_CST);
}

/* Read sysfs attribute @attr of PCI device @bdf into @buf. */
static inline int pci_attr(const char *bdf, const char *attr, char *buf,
			   int len)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return 0;
	ok = !!fgets(buf, len, f);
	fclose(f);
	return ok;
}

/* Whether the PCI device @bdf is an edu (1234:11e8). */
static inline int edu_is(const char *bdf)
{
	char v[16], d[16];

	return pci_attr(bdf, "vendor", v, sizeof(v)) &&
	       pci_attr(bdf, "device", d, sizeof(d)) &&
	       !strncmp(v, "0x1234", 6) && !strncmp(d, "0x11e8", 6);
}

/* Open edu @bdf of the VFIO group in @v. Returns 0 or -errno. */
static inline int edu_open(struct edu *e, struct pvv *v, const char *bdf)
{
	int ret = pvv_dev_open(&e->d, v, bdf);

	e->bar = e->d.bar;
	return ret;
}

static inline void edu_close(struct edu *e)
{
	pvv_dev_close(&e->d);
}

/*
 * One DMA of @cnt bytes, from guest IOVA @iova into the device buffer
 * (EDU_DMA_TO_RAM clear in @flags) or from the buffer to @iova (set),
 * with an interrupt when done if EDU_DMA_IRQ is set; waits for it.
 * Returns 0, or -ETIMEDOUT.
 */
static inline int edu_dma_flags(struct edu *e, __u64 iova, __u32 cnt,
				unsigned int flags)
{
	struct timespec ts = { 0, 1000000 };
	int to_ram = flags & EDU_DMA_TO_RAM;
	int i;

	/* The device masks DMA addresses to 28 bits: 32-bit writes do. */
	edu_w32(e, EDU_DMA_SRC, to_ram ? EDU_BUF : iova);
	edu_w32(e, EDU_DMA_DST, to_ram ? iova : EDU_BUF);
	edu_w32(e, EDU_DMA_CNT, cnt);
	edu_w32(e, EDU_DMA_CMD, EDU_DMA_START | flags);
	for (i = 0; i < 10000; i++) {
		if (!(edu_r32(e, EDU_DMA_CMD) & EDU_DMA_START))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

static inline int edu_dma(struct edu *e, __u64 iova, __u32 cnt, int to_ram)
{
	return edu_dma_flags(e, iova, cnt, to_ram ? EDU_DMA_TO_RAM : 0);
}

/*
 * Copy @cnt bytes from IOVA @src to IOVA @dst through the device: a DMA
 * into its buffer, then one out of it. Returns 0, or -ETIMEDOUT.
 */
static inline int edu_copy(struct edu *e, __u64 src, __u64 dst, __u32 cnt)
{
	int ret = edu_dma(e, src, cnt, 0);

	return ret ?: edu_dma(e, dst, cnt, 1);
}

#endif /* _PVIOMMU_GUEST_H */
