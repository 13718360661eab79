// SPDX-License-Identifier: GPL-2.0
/*
 * l2-test: the guest's side of the end-to-end test, run inside the L2
 * guest that the patched QEMU (intel-iommu,caching-mode=on,pviommu=on)
 * boots in the test VM, with the host's edu assigned through vfio-pci.
 *
 * It uses the guest's own VFIO type1 on the guest's own intel-iommu
 * driver: every VFIO_IOMMU_MAP_DMA and UNMAP_DMA here makes the guest
 * kernel write its VT-d tables and send a page-selective invalidation and
 * a wait, which the patched QEMU forwards to /dev/pviommu in the test VM.
 * The edu's DMA proves what the host IOMMU maps: both directions through a
 * mapping, the completion interrupt through the guest's VFIO, and no DMA
 * landing after the unmap.
 *
 * Usage: l2-test <edu bdf, on vfio-pci>. Prints TAP; exit status 0 only
 * when every check passed.
 *
 * l2-test --bench-perf <edu bdf>: the DMA check, then only 1280 KiB pairs,
 * 60 of them between the phase markers "perf" and "end", for a profile
 * taken in L1 (PVIOMMU_PERF=1 make bench-e2e).
 *
 * l2-test --bench <edu bdf>: the timed pass of the end-to-end benchmark's
 * VFIO rows (make bench-e2e): VFIO type1 map + unmap pairs on a 2M huge
 * page (4 KiB, 64 KiB, 1280 KiB: physically contiguous, so one guest flush
 * per map whatever the size) and on scattered anonymous memory (64 KiB,
 * 1280 KiB: no two pages physically adjacent, so one flush per page for
 * the map, as for a guest's VFIO user with ordinary memory), after a DMA
 * check through the huge page. Five repetitions each; prints one line per
 * row: "BENCH <row> <bytes> <pairs> <ns> ...".
 *
 * l2-test --bench-count <edu bdf>: the counting pass, never timed: each
 * row once, between phase markers for L1's counters (the row's name, then
 * "idle": what comes between two rows is no row's), with the guest's own
 * flushes counted by the kprobe "l2flush" (L2's qi_submit_sync, set up
 * by l2-init): "BENCH-COUNT <row> <bytes> <pairs> <flushes>".
 */
#include <time.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/eventfd.h>

#include "pviommu_guest.h"

#define IOVA	0x100000ULL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define LEN	256

static int nr, failed;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		failed++;
}

/* Map @len bytes at @vaddr to @iova in the type1 container. */
static int map(int container, void *vaddr, __u64 iova, __u64 len)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr, .iova = iova, .size = len,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &m) ? -errno : 0;
}

static int unmap(int container, __u64 iova, __u64 len)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = iova, .size = len,
	};

	return ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u) ? -errno : 0;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * A phase marker on the serial line, and a second for the host to count
 * what the phase before did (tools/vm/init).
 */
static void phase(const char *name)
{
	printf("BENCH-PHASE %s\n", name);
	sleep(1);
}

/* The guest's own flushes so far: hits of the kprobe "l2flush", or -1. */
static long long l2_flushes(void)
{
	char line[256], name[64];
	long long hits = -1, n;
	FILE *f = fopen("/sys/kernel/tracing/kprobe_profile", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", name, &n) == 2 &&
		    !strcmp(name, "l2flush"))
			hits = n;
	fclose(f);
	return hits;
}

/* @pairs map + unmap pairs of @len bytes of @buf at IOVA. */
static int pairs_of(int container, __u8 *buf, __u64 len, int pairs)
{
	int i;

	for (i = 0; i < pairs; i++)
		if (map(container, buf, IOVA, len) ||
		    unmap(container, IOVA, len))
			return -1;
	return 0;
}

struct row {
	const char *name;
	int scattered;
	__u64 len;
	int pairs;
};

static const struct row rows[] = {
	{ "vfio_huge", 0, 4 << 10, 100 },
	{ "vfio_huge", 0, 64 << 10, 20 },
	{ "vfio_huge", 0, 1280 << 10, 2 },
	{ "vfio_scattered", 1, 64 << 10, 10 },
	{ "vfio_scattered", 1, 1280 << 10, 2 },
};

/*
 * Timed (@count clear): five repetitions of each row, nothing counted.
 * Counting (@count set): each row once, between phase markers.
 */
static int run_rows(int container, __u8 *huge, __u8 *scat, int count)
{
	const struct row *r;
	char name[64];
	long long f0;
	int rep;

	for (r = rows; r < rows + ARRAY_SIZE(rows); r++) {
		__u8 *buf = r->scattered ? scat : huge;

		if (count) {
			snprintf(name, sizeof(name), "%s-%llu", r->name,
				 (unsigned long long)r->len);
			phase(name);
			f0 = l2_flushes();
			if (pairs_of(container, buf, r->len, r->pairs))
				return -1;
			printf("BENCH-COUNT %s %llu %d %lld\n", r->name,
			       (unsigned long long)r->len, r->pairs,
			       f0 < 0 ? -1 : l2_flushes() - f0);
			/* What follows is not the row's: not counted. */
			phase("idle");
			continue;
		}
		printf("BENCH %s %llu %d", r->name, (unsigned long long)r->len,
		       r->pairs);
		for (rep = 0; rep < 5; rep++) {
			__u64 t0 = now_ns();

			if (pairs_of(container, buf, r->len, r->pairs))
				return -1;
			printf(" %llu", (unsigned long long)(now_ns() - t0));
		}
		printf("\n");
	}
	return 0;
}

/*
 * @len bytes of anonymous memory with no two pages physically adjacent:
 * the even pages are touched first, then the odd ones, so that each page's
 * neighbours come from another pass of the allocator. Prints how many
 * physically contiguous runs the buffer has (one per page when scattered;
 * the host checks it).
 */
static __u8 *scattered_buffer(__u64 len)
{
	__u64 pages = len / PVG_PAGE, i, runs = 0, prev = 0, pa;
	__u8 *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		return NULL;
	madvise(buf, len, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i += 2)
		buf[i * PVG_PAGE] = 1;
	for (i = 1; i < pages; i += 2)
		buf[i * PVG_PAGE] = 1;
	for (i = 0; i < pages; i++) {
		pa = pvg_phys(buf + i * PVG_PAGE);
		if (!pa || !i || pa != prev + PVG_PAGE)
			runs++;
		prev = pa;
	}
	printf("BENCH-BUFFER scattered pages=%llu runs=%llu\n",
	       (unsigned long long)pages, (unsigned long long)runs);
	return buf;
}

/*
 * The benchmark's VFIO rows: a DMA check, then the rows, timed or
 * counted; with @perf, only 1280 KiB pairs on the huge page, for a
 * profile.
 */
static int bench(const char *bdf, int perf, int count)
{
	struct pvv v = { .container = -1, .group = -1 };
	__u8 *huge, *scat = NULL;
	struct edu e;
	int ret;

	v.container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v.container < 0 || pvv_open_group(&v, bdf) ||
	    pvv_set_container(&v, v.container) ||
	    pvv_set_iommu(v.container, VFIO_TYPE1v2_IOMMU) ||
	    edu_open(&e, &v, bdf))
		return 1;
	/* A huge page: physically contiguous in every boot. */
	huge = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		    -1, 0);
	printf("BENCH-BUFFER %s\n", huge == MAP_FAILED ? "none" : "hugetlb");
	if (huge == MAP_FAILED)
		return 1;
	if (!perf) {
		scat = scattered_buffer(1280 << 10);
		if (!scat)
			return 1;
	}
	/* No path is measured broken: the DMA lands through the mapping. */
	pvg_pattern(huge, LEN, 7);
	ret = map(v.container, huge, IOVA, 2 * PVG_PAGE) ||
	      edu_dma(&e, IOVA, LEN, 0) ||
	      edu_dma(&e, IOVA + PVG_PAGE, LEN, 1) ||
	      !pvg_is_pattern(huge + PVG_PAGE, LEN, 7) ||
	      unmap(v.container, IOVA, 2 * PVG_PAGE);
	printf("BENCH-DMA %s\n", ret ? "FAIL" : "ok");
	if (!ret && perf) {
		phase("perf");
		ret = pairs_of(v.container, huge, 1280 << 10, 60);
		phase("end");
	} else if (!ret) {
		ret = run_rows(v.container, huge, scat, count);
	}
	edu_close(&e);
	pvv_close(&v);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct pollfd pfd;
	__u8 *buf;
	struct pvv v = { .container = -1, .group = -1 };
	struct edu e;
	__u64 n;
	int efd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--bench"))
		return bench(argv[2], 0, 0);
	if (argc == 3 && !strcmp(argv[1], "--bench-count"))
		return bench(argv[2], 0, 1);
	if (argc == 3 && !strcmp(argv[1], "--bench-perf"))
		return bench(argv[2], 1, 0);
	if (argc != 2) {
		fprintf(stderr,
			"usage: %s [--bench|--bench-count|--bench-perf] <edu bdf>\n",
			argv[0]);
		return 2;
	}
	printf("TAP version 13\n");
	v.container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	ok(v.container >= 0 && !pvv_open_group(&v, argv[1]) &&
	   !pvv_set_container(&v, v.container) &&
	   !pvv_set_iommu(v.container, VFIO_TYPE1v2_IOMMU),
	   "guest: edu %s in a VFIO type1 container", argv[1]);
	ok(!edu_open(&e, &v, argv[1]), "guest: BAR0 and bus master through VFIO");
	buf = mmap(NULL, 2 * PVG_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (failed || buf == MAP_FAILED) {
		printf("1..%d\n", nr);
		return 1;
	}
	memset(buf, 0, 2 * PVG_PAGE);
	/* Two mappings: type1 unmaps whole mappings only. */
	ok(!map(v.container, buf, IOVA, PVG_PAGE) &&
	   !map(v.container, buf + PVG_PAGE, IOVA + PVG_PAGE, PVG_PAGE),
	   "guest: VFIO_IOMMU_MAP_DMA of a page at IOVA %#llx and at %#llx",
	   (unsigned long long)IOVA, (unsigned long long)(IOVA + PVG_PAGE));

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ok(efd >= 0 && !pvv_msi(&e.d, efd), "guest: edu MSI to an eventfd");
	pvg_pattern(buf, LEN, 5);
	ok(!edu_dma(&e, IOVA, LEN, 0) &&
	   !edu_dma_flags(&e, IOVA + PVG_PAGE, LEN,
			  EDU_DMA_TO_RAM | EDU_DMA_IRQ),
	   "DMA from IOVA %#llx and back to IOVA %#llx completed",
	   (unsigned long long)IOVA, (unsigned long long)(IOVA + PVG_PAGE));
	ok(pvg_is_pattern(buf + PVG_PAGE, LEN, 5),
	   "the bytes landed in the guest page behind IOVA %#llx",
	   (unsigned long long)(IOVA + PVG_PAGE));
	pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
	ok(poll(&pfd, 1, 20000) == 1 && read(efd, &n, sizeof(n)) == sizeof(n),
	   "the edu's completion interrupt arrived");
	edu_w32(&e, EDU_IRQ_ACK, EDU_IRQ_DMA);

	ok(!unmap(v.container, IOVA + PVG_PAGE, PVG_PAGE),
	   "guest: VFIO_IOMMU_UNMAP_DMA of IOVA %#llx",
	   (unsigned long long)(IOVA + PVG_PAGE));
	memset(buf + PVG_PAGE, 0, LEN);
	ok(!edu_dma(&e, IOVA + PVG_PAGE, LEN, 1) && !buf[PVG_PAGE + 1],
	   "the same DMA after the unmap does not land");
	ok(!unmap(v.container, IOVA, PVG_PAGE), "guest: unmap the rest");

	pvv_msi(&e.d, -1);
	edu_close(&e);
	pvv_close(&v);
	printf("1..%d\n", nr);
	printf("# l2-test: %d passed, %d failed\n", nr - failed, failed);
	return failed ? 1 : 0;
}
