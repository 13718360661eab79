// SPDX-License-Identifier: GPL-2.0
/*
 * pviommu-bench: pviommu against what VMMs do today, and against the floor.
 *
 * This program plays a Linux guest on a caching-mode VT-d (strict mode: one
 * page-selective invalidation and one wait per flush, on map and on unmap)
 * and measures three ways of keeping a host IOMMU in step with it, in one
 * run, on the same device and the same guest tables:
 *
 *  pviommu   each flush's two descriptors go to PVIOMMU_INVALIDATE.
 *  baseline  what QEMU does: userspace walks the invalidated range of the
 *            guest tables (8-byte reads per entry, as vtd_page_walk), keeps
 *            its own IOVA tree, and issues one VFIO_IOMMU_MAP_DMA or
 *            UNMAP_DMA per changed leaf on a VFIO type1 container holding
 *            the device (bound to vfio-pci), then writes the wait's status
 *            word. Per device, as QEMU shadows per device.
 *  floor     pin + iommu_map + iommu_unmap + unpin of the same pages in the
 *            kernel, no walk and no tree (PVIOMMU_TEST_FLOOR, test builds).
 *
 * Usage: pviommu-bench <edu bdf> <second edu bdf> <json file>
 *        pviommu-bench --profile <function>[@<workload>] <edu bdf> <trace>
 * With --profile, runs a churn workload (default churn_4k) on pviommu under
 * the function_graph tracer rooted at <function> (three levels deep) and
 * saves the trace; with an empty <function>, only times that workload (a
 * quick A/B figure) and prints it. "<workload>*N" runs it N times over.
 * The devices stay on vfio-pci: for pviommu their groups go into VFIO
 * containers of pviommu's type, for the baseline into type1 containers.
 * It prints a table and writes every figure to
 * the JSON file.
 */
#include <dirent.h>
#include <search.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <linux/vfio.h>

#include "pviommu_guest.h"
#include "pviommu_test.h"

#define BIT_ULL(n)	(1ULL << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define RAM_SIZE	(256ULL << 20)
#define HUGE_GPA	BIT_ULL(32)	/* 1 GiB of hugetlbfs RAM here */
#define HUGE_SIZE	BIT_ULL(30)
#define SID_A		0x0100
#define SID_B		0x0108
#define DID		1
#define REPS		5
#define FLOOR_IOVA	BIT_ULL(46)	/* never used by the guest */

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "pviommu-bench: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d: %s)\n", errno, strerror(errno));
	exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static __u64 median(__u64 *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* ---- sysfs: moving a device between drivers ---- */

static void sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		die("writing %s to %s", val, path);
	close(fd);
}

/* ---- the guest: one guest domain, its tables in guest RAM ---- */

struct bench {
	int fd;			/* pviommu context */
	struct pvg g;
	__u64 root;		/* the domain's second-level root */
	__u8 *huge;		/* hugetlbfs guest RAM, or NULL */
	__u32 bdf[2];
	const char *name[2];
};

/*
 * What the guest does, driven through one of the paths: a guest table
 * change, then the flush a caching-mode guest sends for it.
 */
struct path {
	const char *name;
	int (*flush)(struct path *p, __u64 iova, unsigned int am, int ih);
	int (*dsi)(struct path *p);
	struct bench *b;
	/* baseline state, one per device */
	int ndev;
	struct vfio_dev {
		int container, group;
		void *tree;
	} dev[2];
	__u64 vfio_calls;
};

/* pviommu: one INVALIDATE with the invalidation and the wait. */
static int pv_flush(struct path *p, __u64 iova, unsigned int am, int ih)
{
	return pvg_flush(&p->b->g, DID, iova, am, ih);
}

static int pv_dsi(struct path *p)
{
	__u64 d[4] = { 0x2 | 2 << 4 | 1 << 6 | 1 << 7 | (__u64)DID << 16, 0 };

	pvg_wait(d + 2, PVG_STATUS, 2, 0);
	return pvg_invalidate(&p->b->g, d, 2, NULL) ? -errno : 0;
}

/* ---- the baseline: QEMU's walk, its IOVA tree, VFIO type1 ---- */

struct bl_map {
	__u64 iova;
	__u64 size;
	__u64 gpa;
	__u8 perm;
};

/* Tree order; overlapping ranges compare equal (as QEMU's iova_tree). */
static int bl_cmp(const void *a, const void *b)
{
	const struct bl_map *x = a, *y = b;

	if (x->iova + x->size <= y->iova)
		return -1;
	if (y->iova + y->size <= x->iova)
		return 1;
	return 0;
}

/* The VMM's virtual address of guest physical @gpa. */
static __u64 bl_hva(struct bench *b, __u64 gpa)
{
	if (gpa >= HUGE_GPA && gpa < HUGE_GPA + HUGE_SIZE && b->huge)
		return (uintptr_t)b->huge + (gpa - HUGE_GPA);
	return (uintptr_t)b->g.ram + gpa;
}

static void bl_unmap_range(struct path *p, struct vfio_dev *v, __u64 iova,
			   __u64 size)
{
	struct bl_map key = { .iova = iova, .size = size }, **found;
	struct vfio_iommu_type1_dma_unmap un = {
		.argsz = sizeof(un), .iova = iova, .size = size,
	};
	int any = 0;

	while ((found = tfind(&key, &v->tree, bl_cmp))) {
		struct bl_map *m = *found;

		tdelete(m, &v->tree, bl_cmp);
		free(m);
		any = 1;
	}
	if (!any)
		return;
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &un))
		die("VFIO_IOMMU_UNMAP_DMA %#llx+%#llx",
		    (unsigned long long)iova, (unsigned long long)size);
	p->vfio_calls++;
}

/* vtd_page_walk_one(): a leaf or a hole, against the IOVA tree. */
static void bl_event(struct path *p, struct vfio_dev *v, __u64 iova,
		     __u64 size, __u64 gpa, __u8 perm)
{
	struct bl_map key = { .iova = iova, .size = size }, **found, *m;
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };

	if (!perm) {
		bl_unmap_range(p, v, iova, size);
		return;
	}
	found = tfind(&key, &v->tree, bl_cmp);
	if (found && (*found)->iova == iova && (*found)->size == size &&
	    (*found)->gpa == gpa && (*found)->perm == perm)
		return;		/* unchanged */
	if (found)
		bl_unmap_range(p, v, iova, size);

	m = malloc(sizeof(*m));
	*m = (struct bl_map){ iova, size, gpa, perm };
	tsearch(m, &v->tree, bl_cmp);
	map.vaddr = bl_hva(p->b, gpa);
	map.iova = iova;
	map.size = size;
	map.flags = (perm & PVG_R ? VFIO_DMA_MAP_FLAG_READ : 0) |
		    (perm & PVG_W ? VFIO_DMA_MAP_FLAG_WRITE : 0);
	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map))
		die("VFIO_IOMMU_MAP_DMA %#llx+%#llx", (unsigned long long)iova,
		    (unsigned long long)size);
	p->vfio_calls++;
}

/* vtd_page_walk_level(): one 8-byte read per entry, as QEMU reads them. */
static void bl_walk(struct path *p, struct vfio_dev *v, __u64 table,
		    int level, __u64 start, __u64 end, __u8 perm)
{
	__u64 iova, next, shift = 12 + 9 * (level - 1);

	for (iova = start; iova < end; iova = next) {
		__u64 e = *pvg_u64(&p->b->g, table + ((iova >> shift) & 511) * 8);
		__u8 cur = perm & e & PVG_RW;
		int leaf = level == 1 || (e & PVG_PS);

		next = (iova & ~((1ULL << shift) - 1)) + (1ULL << shift);
		if (!leaf && cur)
			bl_walk(p, v, e & 0xffffffffff000ULL, level - 1, iova,
				next < end ? next : end, cur);
		else
			bl_event(p, v, iova & ~((1ULL << shift) - 1),
				 1ULL << shift,
				 e & 0xffffffffff000ULL & ~((1ULL << shift) - 1),
				 cur);
	}
}

/* A VMM trap: walk the range for every device, then the wait's write. */
static int bl_flush(struct path *p, __u64 iova, unsigned int am, int ih)
{
	__u64 size = PVG_PAGE << am;
	int d;

	for (d = 0; d < p->ndev; d++)
		bl_walk(p, &p->dev[d], p->b->root, PVG_LEVELS, iova,
			iova + size, PVG_RW);
	*(__u32 *)(p->b->g.ram + PVG_STATUS) = 2;
	return 0;
}

static int bl_dsi(struct path *p)
{
	int d;

	for (d = 0; d < p->ndev; d++)
		bl_walk(p, &p->dev[d], p->b->root, PVG_LEVELS, 0, 1ULL << 48,
			PVG_RW);
	*(__u32 *)(p->b->g.ram + PVG_STATUS) = 2;
	return 0;
}

static void bl_open(struct path *p, const char *bdf, struct vfio_dev *v)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_iommu_type1_dma_map ram = { .argsz = sizeof(ram) };
	char path[64];

	(void)ram;
	v->container = open("/dev/vfio/vfio", O_RDWR);
	snprintf(path, sizeof(path), "/dev/vfio/%d", pvv_group_of(bdf));
	v->group = open(path, O_RDWR);
	if (v->container < 0 || v->group < 0)
		die("opening VFIO for %s", bdf);
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &st) ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("VFIO group of %s not viable", bdf);
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) ||
	    ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("VFIO container for %s", bdf);
	v->tree = NULL;
}

static void bl_close(struct vfio_dev *v)
{
	while (v->tree) {
		struct bl_map *m = *(struct bl_map **)v->tree;

		tdelete(m, &v->tree, bl_cmp);
		free(m);
	}
	close(v->group);
	close(v->container);
}

/* ---- workloads ---- */

struct result {
	const char *name;
	__u64 pv_ns, bl_ns, floor_ns;	/* medians */
	__u64 floor_pp_ns;		/* floor mapping page by page */
	__u64 flushes;			/* per repetition */
	__u64 pages;			/* 4 KiB pages per repetition */
};

static struct result results[16];
static int nr_results;

/*
 * Map @pages pages at @iova (leaves of 2^@leaf_am pages), flush with AM
 * @am, then unmap them and flush again; @reps times. Returns ns.
 */
static __u64 churn(struct path *p, __u64 iova, __u64 gpa, unsigned int npages,
		   unsigned int am, int reps)
{
	struct bench *b = p->b;
	__u64 t0 = now_ns();
	unsigned int i;
	int r;

	for (r = 0; r < reps; r++) {
		for (i = 0; i < npages; i++)
			pvg_map(&b->g, b->root, iova + i * PVG_PAGE,
				gpa + i * PVG_PAGE, PVG_RW);
		if (p->flush(p, iova, am, 0))
			die("%s: map flush", p->name);
		for (i = 0; i < npages; i++)
			pvg_map(&b->g, b->root, iova + i * PVG_PAGE, 0, 0);
		if (p->flush(p, iova, am, 1))
			die("%s: unmap flush", p->name);
	}
	return now_ns() - t0;
}

static __u64 floor_ns(struct bench *b, __u64 gpa, __u64 length, __u64 iters,
		      __u32 flags)
{
	struct pviommu_test_floor f = {
		.size = sizeof(f), .flags = flags, .guest_sid = SID_A,
		.uaddr = (uintptr_t)bl_hva(b, gpa), .iova = FLOOR_IOVA,
		.length = length, .iterations = iters,
	};

	if (ioctl(b->fd, PVIOMMU_TEST_FLOOR, &f))
		die("PVIOMMU_TEST_FLOOR (is this a PVIOMMU_TEST=1 build?)");
	return f.out_ns;
}

static void print_row(const struct result *r)
{
	double pv = r->pv_ns, bl = r->bl_ns;

	printf("%-22s %11.0f %11.0f %9.0f %8.2fx %7.2fx\n", r->name,
	       r->flushes * 1e9 / pv, bl ? r->flushes * 1e9 / bl : 0,
	       pv / r->pages, bl ? bl / pv : 0,
	       r->floor_ns ? pv / r->floor_ns : 0);
}

static struct result *result_new(const char *name, __u64 flushes,
				 __u64 pages)
{
	struct result *r = &results[nr_results++];

	r->name = name;
	r->flushes = flushes;
	r->pages = pages;
	return r;
}

static struct result *result_find(const char *name)
{
	int i;

	for (i = 0; i < nr_results; i++)
		if (!strcmp(results[i].name, name))
			return &results[i];
	return NULL;
}

/* Churn workloads: 4 KiB, 64 KiB (AM 4), 1280 KiB (AM 9, 2 MiB of IOVA). */
static const struct {
	const char *name;
	unsigned int pages;
	unsigned int am;
	int iters;
} churns[] = {
	{ "churn_4k", 1, 0, 1000 },
	{ "am4_64k", 16, 4, 250 },
	{ "am9_1280k", 320, 9, 50 },
};

#define CHURN_IOVA	0x10000000ULL
#define CHURN_GPA	0x4000000ULL
#define BULK_IOVA	BIT_ULL(40)
#define SPARSE_GPA	0x8000000ULL

/*
 * Fault in guest pages @gpa..+@npages even pages first, then odd ones, so
 * that no two consecutive guest pages are neighbours in host memory, as in
 * a VMM's memory without huge pages. Left to the first pin, how contiguous
 * they are would follow the page allocator's state, which changes with
 * every build, and move the floor of the batched workloads with it.
 */
static void prefault_scattered(struct bench *b, __u64 gpa, unsigned int npages)
{
	unsigned int i, odd;

	for (odd = 0; odd < 2; odd++)
		for (i = odd; i < npages; i += 2)
			memset((void *)(uintptr_t)bl_hva(b, gpa + i * PVG_PAGE),
			       0, 1);
}

/* Run every churn workload on @p, REPS times; store medians. */
static void run_churns(struct path *p, int is_pv, const char *suffix)
{
	unsigned int w;
	int i;

	for (w = 0; w < ARRAY_SIZE(churns); w++) {
		__u64 v[REPS], f[REPS], fp[REPS];
		char name[64];
		struct result *r;

		snprintf(name, sizeof(name), "%s%s", churns[w].name, suffix);
		r = result_find(name);
		if (!r)
			r = result_new(strdup(name), 2ULL * churns[w].iters,
				       (__u64)churns[w].pages * churns[w].iters);
		/* Warm up: TCG translates code on first use. */
		churn(p, CHURN_IOVA, CHURN_GPA, churns[w].pages, churns[w].am,
		      churns[w].iters);
		for (i = 0; i < REPS; i++) {
			v[i] = churn(p, CHURN_IOVA, CHURN_GPA, churns[w].pages,
				     churns[w].am, churns[w].iters);
			if (is_pv && !*suffix) {
				f[i] = floor_ns(p->b, CHURN_GPA,
						churns[w].pages * PVG_PAGE,
						churns[w].iters, 0);
				fp[i] = floor_ns(p->b, CHURN_GPA,
						 churns[w].pages * PVG_PAGE,
						 churns[w].iters,
						 PVIOMMU_TEST_FLOOR_PER_PAGE);
			}
		}
		if (is_pv) {
			r->pv_ns = median(v, REPS);
			if (!*suffix) {
				r->floor_ns = median(f, REPS);
				r->floor_pp_ns = median(fp, REPS);
			}
		} else {
			r->bl_ns = median(v, REPS);
		}
	}
}

/* Enable (1) or disable (0) every pviommu tracepoint; 0 or -errno. */
static int trace_events(int on)
{
	int fd, ret = 0;

	mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	fd = open("/sys/kernel/tracing/events/pviommu/enable", O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, on ? "1" : "0", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/* 1 GiB of 2M leaves on hugetlbfs RAM: one DSI maps it, one unmaps it. */
static void run_bulk(struct path *p, int is_pv)
{
	struct result *r = result_find("bulk_1g_2m");
	struct bench *b = p->b;
	__u64 v[REPS], f[REPS];
	int i, k;

	if (!b->huge)
		return;
	if (!r)
		r = result_new("bulk_1g_2m", 2, HUGE_SIZE / PVG_PAGE);
	for (i = -1; i < REPS; i++) {	/* -1: warm-up */
		__u64 t0 = now_ns();

		for (k = 0; k < 512; k++)
			pvg_set_leaf(&b->g, b->root, BULK_IOVA + k * (2ULL << 20),
				     2, (HUGE_GPA + k * (2ULL << 20)) | PVG_PS |
				     PVG_RW);
		if (p->dsi(p))
			die("%s: bulk map", p->name);
		for (k = 0; k < 512; k++)
			pvg_set_leaf(&b->g, b->root, BULK_IOVA + k * (2ULL << 20),
				     2, 0);
		if (p->dsi(p))
			die("%s: bulk unmap", p->name);
		if (i < 0)
			continue;
		v[i] = now_ns() - t0;
		if (is_pv)
			f[i] = floor_ns(b, HUGE_GPA, HUGE_SIZE, 1, 0);
	}
	if (is_pv) {
		r->pv_ns = median(v, REPS);
		r->floor_ns = median(f, REPS);
	} else {
		r->bl_ns = median(v, REPS);
	}
}

/*
 * Sparse replay: N leaves scattered over the 48-bit space (512 to a table,
 * tables 1 GiB apart in a scrambled order), then a domain-selective
 * invalidation that changes nothing. Returns the median ns of that DSI.
 */
static __u64 sparse_iova(unsigned int i)
{
	__u64 t = i / 512;

	return ((t * 97) & ((1ULL << 18) - 1)) << 30 | (i % 512) * PVG_PAGE;
}

static __u64 run_sparse(struct path *p, unsigned int n)
{
	struct bench *b = p->b;
	__u64 v[REPS];
	unsigned int i;
	int r;

	for (i = 0; i < n; i++)
		pvg_map(&b->g, b->root, sparse_iova(i),
			SPARSE_GPA + (i % 1024) * PVG_PAGE, PVG_RW);
	if (p->dsi(p))
		die("%s: sparse setup", p->name);
	for (r = -1; r < REPS; r++) {	/* -1: warm-up */
		__u64 t0 = now_ns();

		if (p->dsi(p))
			die("%s: sparse replay", p->name);
		if (r >= 0)
			v[r] = now_ns() - t0;
	}
	for (i = 0; i < n; i++)
		pvg_map(&b->g, b->root, sparse_iova(i), 0, 0);
	if (p->dsi(p))
		die("%s: sparse teardown", p->name);
	return median(v, REPS);
}

static long meminfo_kb(const char *key)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			kb = atol(line + strlen(key) + 1);
	if (f)
		fclose(f);
	return kb;
}

static const unsigned int sparse_n[] = { 1, 1000, 100000 };

#define NR_SPARSE	ARRAY_SIZE(sparse_n)

static __u64 sparse_pv[NR_SPARSE], sparse_bl[NR_SPARSE];
static double bytes_per_leaf, bytes_per_lone_leaf;
static double ioctl_ns;

/* The cost of one ioctl round trip that does nothing (GET_INFO). */
static double measure_ioctl(int fd)
{
	struct pviommu_info info;
	__u64 v[REPS];
	int r, i;

	for (r = -1; r < REPS; r++) {
		__u64 t0 = now_ns();

		for (i = 0; i < 1000; i++) {
			info = (struct pviommu_info){ .size = sizeof(info) };
			if (ioctl(fd, PVIOMMU_GET_INFO, &info))
				die("GET_INFO");
		}
		if (r >= 0)
			v[r] = now_ns() - t0;
	}
	return median(v, REPS) / 1000.0;
}

static __u64 pinned_at_max, mapped_at_max;

static void write_json(const char *file, const char *kver, const char *srcver)
{
	FILE *f = fopen(file, "w");
	int i;

	if (!f)
		die("writing %s", file);
	fprintf(f, "{\n  \"versions\": { \"kernel\": \"%s\", %s\"%s\" },\n",
		kver, "\"module_srcversion\": ", srcver);
	fprintf(f, "  \"repetitions\": %d,\n", REPS);
	fprintf(f, "  \"ioctl_round_trip_ns\": %.1f,\n", ioctl_ns);
	for (i = 0; i < nr_results; i++) {
		struct result *r = &results[i];

		fprintf(f, "  \"%s\": { \"flushes\": %llu, \"pages\": %llu, ",
			r->name, (unsigned long long)r->flushes,
			(unsigned long long)r->pages);
		fprintf(f, "\"pviommu_ns\": %llu, \"baseline_ns\": %llu, \"floor_ns\": %llu, ",
			(unsigned long long)r->pv_ns,
			(unsigned long long)r->bl_ns,
			(unsigned long long)r->floor_ns);
		fprintf(f, "\"pviommu_flushes_per_s\": %.1f, \"baseline_flushes_per_s\": %.1f, ",
			r->flushes * 1e9 / r->pv_ns,
			r->bl_ns ? r->flushes * 1e9 / r->bl_ns : 0.0);
		fprintf(f, "\"pviommu_ns_per_page\": %.1f, ", (double)r->pv_ns / r->pages);
		fprintf(f, "\"baseline_ns_per_page\": %.1f, \"floor_ns_per_page\": %.1f, ",
			(double)r->bl_ns / r->pages,
			(double)r->floor_ns / r->pages);
		fprintf(f, "\"floor_per_page_ns\": %llu, \"cost_vs_floor_per_page\": %.2f, ",
			(unsigned long long)r->floor_pp_ns,
			r->floor_pp_ns ? (double)r->pv_ns / r->floor_pp_ns : 0.0);
		fprintf(f, "\"speedup_vs_baseline\": %.2f, \"cost_vs_floor\": %.2f },\n",
			r->bl_ns ? (double)r->bl_ns / r->pv_ns : 0.0,
			r->floor_ns ? (double)r->pv_ns / r->floor_ns : 0.0);
	}
	fprintf(f, "  \"sparse_replay\": { \"leaves\": [");
	for (i = 0; i < (int)NR_SPARSE; i++)
		fprintf(f, "%s%u", i ? ", " : "", sparse_n[i]);
	fprintf(f, "], \"pviommu_ns\": [");
	for (i = 0; i < (int)NR_SPARSE; i++)
		fprintf(f, "%s%llu", i ? ", " : "",
			(unsigned long long)sparse_pv[i]);
	fprintf(f, "], \"baseline_ns\": [");
	for (i = 0; i < (int)NR_SPARSE; i++)
		fprintf(f, "%s%llu", i ? ", " : "",
			(unsigned long long)sparse_bl[i]);
	fprintf(f, "] },\n");
	fprintf(f, "  \"memory\": { \"kernel_bytes_per_leaf\": %.1f, ",
		bytes_per_leaf);
	fprintf(f, "\"kernel_bytes_per_lone_leaf\": %.1f, ",
		bytes_per_lone_leaf);
	fprintf(f, "\"pinned_pages\": %llu, \"mapped_pages\": %llu }\n}\n",
		(unsigned long long)pinned_at_max,
		(unsigned long long)mapped_at_max);
	fclose(f);
}

static void tracefs(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", file);
	sysfs_write(path, val);
}

/* A churn workload under function_graph, rooted at a function. */
static int profile(char *func, const char *bdf, const char *out)
{
	struct path pv = { .name = "pviommu", .flush = pv_flush,
			   .dsi = pv_dsi };
	char *workload = strchr(func, '@'), *times;
	struct bench b = {};
	struct pvv pvv[2];
	int reps = 1;
	unsigned int w = 0;
	char buf[65536];
	__u64 ns;
	ssize_t n;
	int in, o;

	if (workload) {
		*workload++ = 0;
		times = strchr(workload, '*');
		if (times) {
			*times++ = 0;
			reps = atoi(times);
		}
		while (w < ARRAY_SIZE(churns) && strcmp(churns[w].name, workload))
			w++;
		if (w == ARRAY_SIZE(churns))
			die("no workload %s", workload);
	}

	b.name[0] = bdf;
	pv.b = &b;
	if (pvg_parse_bdf(bdf, &b.bdf[0]))
		die("bad device name");
	b.fd = open("/dev/pviommu", O_RDWR | O_CLOEXEC);
	if (b.fd < 0 || pvg_init(&b.g, b.fd, RAM_SIZE))
		die("pviommu context");
	prefault_scattered(&b, CHURN_GPA, churns[ARRAY_SIZE(churns) - 1].pages);
	b.root = pvg_table(&b.g);
	pvg_context(&b.g, SID_A, DID, b.root, 0);
	if (pvv_open(&pvv[0], bdf, b.fd) || pvg_attach(&b.g, b.bdf[0], SID_A))
		die("attach %s", bdf);
	/* Warm up */
	churn(&pv, CHURN_IOVA, CHURN_GPA, churns[w].pages, churns[w].am, 20);
	if (!*func) {
		/* Let boot's background work finish: it would be timed too. */
		sleep(3);
		ns = churn(&pv, CHURN_IOVA, CHURN_GPA, churns[w].pages,
			   churns[w].am, churns[w].iters * reps);
		printf("quick: %s pviommu %.1f ns per 4K page; ioctl %.1f ns\n",
		       churns[w].name,
		       (double)ns / churns[w].pages / churns[w].iters / reps,
		       measure_ioctl(b.fd));
		close(b.fd);
		return 0;
	}

	tracefs("tracing_on", "0");
	tracefs("current_tracer", "nop");
	tracefs("trace", "");
	tracefs("buffer_size_kb", "65536");
	tracefs("set_graph_function", func);
	tracefs("max_graph_depth", "4");
	tracefs("current_tracer", "function_graph");
	tracefs("tracing_on", "1");
	churn(&pv, CHURN_IOVA, CHURN_GPA, churns[w].pages, churns[w].am,
	      churns[w].pages > 16 ? 5 : 100);
	tracefs("tracing_on", "0");

	in = open("/sys/kernel/tracing/trace", O_RDONLY);
	o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || o < 0)
		die("saving the trace");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(o, buf, n) != n)
			die("saving the trace");
	close(in);
	close(o);
	close(b.fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct pviommu_ram huge = { .size = sizeof(huge), .gpa = HUGE_GPA,
				    .length = HUGE_SIZE };
	struct path pv = { .name = "pviommu", .flush = pv_flush,
			   .dsi = pv_dsi };
	struct path bl = { .name = "baseline", .flush = bl_flush,
			   .dsi = bl_dsi };
	char kver[128] = "?", srcver[64] = "?";
	struct pviommu_stats st;
	struct result *one, *two;
	struct bench b = {};
	struct pvv pvv[2];
	unsigned int i;
	long slab;
	int hfd;
	FILE *f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "--profile"))
		return profile(argv[2], argv[3], argv[4]);
	if (argc != 4)
		die("usage: %s <edu bdf> <edu bdf> <json file>", argv[0]);
	b.name[0] = argv[1];
	b.name[1] = argv[2];
	if (pvg_parse_bdf(argv[1], &b.bdf[0]) ||
	    pvg_parse_bdf(argv[2], &b.bdf[1]))
		die("bad device names");
	pv.b = &b;
	bl.b = &b;
	f = fopen("/proc/sys/kernel/osrelease", "r");
	if (f && fgets(kver, sizeof(kver), f))
		kver[strcspn(kver, "\n")] = 0;
	if (f)
		fclose(f);
	f = fopen("/sys/module/pviommu/srcversion", "r");
	if (f && fgets(srcver, sizeof(srcver), f))
		srcver[strcspn(srcver, "\n")] = 0;
	if (f)
		fclose(f);

	/*
	 * Phase A: pviommu and the floor, each device's group in a VFIO
	 * container of pviommu's type linked to the context.
	 */
	b.fd = open("/dev/pviommu", O_RDWR | O_CLOEXEC);
	if (b.fd < 0 || pvg_init(&b.g, b.fd, RAM_SIZE))
		die("pviommu context");
	sysfs_write("/proc/sys/vm/nr_hugepages", "600");
	hfd = memfd_create("guest-huge", MFD_CLOEXEC | MFD_HUGETLB);
	if (hfd >= 0 && !ftruncate(hfd, HUGE_SIZE)) {
		b.huge = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_POPULATE, hfd, 0);
		if (b.huge == MAP_FAILED)
			b.huge = NULL;
	}
	if (b.huge) {
		huge.uaddr = (uintptr_t)b.huge;
		if (ioctl(b.fd, PVIOMMU_RAM_ADD, &huge))
			die("hugetlbfs RAM slot");
	} else {
		printf("no 1 GiB of huge pages: skipping the bulk workload\n");
	}
	prefault_scattered(&b, CHURN_GPA, churns[ARRAY_SIZE(churns) - 1].pages);
	b.root = pvg_table(&b.g);
	pvg_context(&b.g, SID_A, DID, b.root, 0);
	pvg_context(&b.g, SID_B, DID, b.root, 0);
	if (pvv_open(&pvv[0], b.name[0], b.fd) ||
	    pvg_attach(&b.g, b.bdf[0], SID_A))
		die("attach %s", b.name[0]);

	printf("phase 1: pviommu and the floor (%s)\n", b.name[0]);
	ioctl_ns = measure_ioctl(b.fd);
	run_churns(&pv, 1, "");
	/* The same with every tracepoint enabled, into the ring buffer. */
	if (!trace_events(1)) {
		run_churns(&pv, 1, "_traced");
		trace_events(0);
	}
	run_bulk(&pv, 1);
	for (i = 0; i < NR_SPARSE; i++)
		sparse_pv[i] = run_sparse(&pv, sparse_n[i]);
	/* Memory at the largest N: set up again and look. */
	slab = meminfo_kb("SUnreclaim:");
	for (i = 0; i < sparse_n[NR_SPARSE - 1]; i++)
		pvg_map(&b.g, b.root, sparse_iova(i),
			SPARSE_GPA + (i % 1024) * PVG_PAGE, PVG_RW);
	if (pv.dsi(&pv) || pvg_stats(b.fd, &st))
		die("memory probe");
	bytes_per_leaf = (meminfo_kb("SUnreclaim:") - slab) * 1024.0 /
			 sparse_n[NR_SPARSE - 1];
	pinned_at_max = st.out_pinned_pages;
	mapped_at_max = st.out_mappings;
	for (i = 0; i < sparse_n[NR_SPARSE - 1]; i++)
		pvg_map(&b.g, b.root, sparse_iova(i), 0, 0);
	if (pv.dsi(&pv))
		die("memory probe teardown");
	/*
	 * Every other one of those leaves, none next to another in IOVA:
	 * each is an entry of its own, where the leaves above share one per
	 * run. The same IOVAs, so the guest's tables stay as they were for
	 * the baseline's sparse replay.
	 */
	slab = meminfo_kb("SUnreclaim:");
	for (i = 0; i < sparse_n[NR_SPARSE - 1]; i += 2)
		pvg_map(&b.g, b.root, sparse_iova(i),
			SPARSE_GPA + (i % 1024) * PVG_PAGE, PVG_RW);
	if (pv.dsi(&pv))
		die("memory probe, lone leaves");
	bytes_per_lone_leaf = (meminfo_kb("SUnreclaim:") - slab) * 1024.0 /
			      (sparse_n[NR_SPARSE - 1] / 2);
	for (i = 0; i < sparse_n[NR_SPARSE - 1]; i += 2)
		pvg_map(&b.g, b.root, sparse_iova(i), 0, 0);
	if (pv.dsi(&pv))
		die("memory probe teardown");

	if (pvv_open(&pvv[1], b.name[1], b.fd) ||
	    pvg_attach(&b.g, b.bdf[1], SID_B))
		die("attach %s", b.name[1]);
	run_churns(&pv, 1, "_2dev");
	close(b.fd);
	pvv_close(&pvv[0]);
	pvv_close(&pvv[1]);

	/* Phase B: the baseline, the groups in VFIO type1 containers. */
	printf("phase 2: baseline, VFIO type1 (%s)\n", b.name[0]);
	bl_open(&bl, b.name[0], &bl.dev[0]);
	bl.ndev = 1;
	run_churns(&bl, 0, "");
	run_bulk(&bl, 0);
	for (i = 0; i < NR_SPARSE; i++)
		sparse_bl[i] = run_sparse(&bl, sparse_n[i]);
	bl_open(&bl, b.name[1], &bl.dev[1]);
	bl.ndev = 2;
	run_churns(&bl, 0, "_2dev");
	bl_close(&bl.dev[0]);
	bl_close(&bl.dev[1]);

	printf("\n%-22s %11s %11s %9s %9s %8s\n", "workload", "pv flush/s",
	       "base flush/s", "pv ns/pg", "speedup", "vs floor");
	for (i = 0; i < (unsigned int)nr_results; i++)
		print_row(&results[i]);
	printf("\nsparse replay (a DSI that changes nothing), ns:\n");
	for (i = 0; i < NR_SPARSE; i++)
		printf("  %7u leaves: pviommu %12llu  baseline %12llu\n",
		       sparse_n[i], (unsigned long long)sparse_pv[i],
		       (unsigned long long)sparse_bl[i]);
	one = result_find("churn_4k");
	two = result_find("churn_4k_2dev");
	printf("\ntwo devices in one domain, 4K churn: pviommu %.2fx, %s %.2fx\n",
	       (double)two->pv_ns / one->pv_ns, "of one device; baseline",
	       (double)two->bl_ns / one->bl_ns);
	for (i = 0; i < ARRAY_SIZE(churns); i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s_traced", churns[i].name);
		one = result_find(churns[i].name);
		two = result_find(name);
		if (two)
			printf("tracepoints enabled, %s: %.0f ns per page, %+.1f%% of disabled\n",
			       churns[i].name, (double)two->pv_ns / two->pages,
			       100.0 * two->pv_ns / one->pv_ns - 100);
	}
	printf("kernel memory per mapped leaf: %.1f bytes in runs, %.1f alone;",
	       bytes_per_leaf, bytes_per_lone_leaf);
	printf(" pinned pages %llu for %llu mappings\n",
	       (unsigned long long)pinned_at_max,
	       (unsigned long long)mapped_at_max);
	write_json(argv[3], kver, srcver);
	return 0;
}
