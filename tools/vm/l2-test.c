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
 * l2-test --bench <edu bdf>: the end-to-end benchmark's guest work instead
 * (make bench-e2e): VFIO type1 map + unmap pairs of 4 KiB, 64 KiB and
 * 1280 KiB buffers, each pair one page-selective invalidation and wait
 * for the map and for the unmap from the guest's driver (strict mode);
 * five repetitions each, after a DMA check through the first buffer.
 * Prints one line per size: "BENCH <bytes> <pairs> <ns> ..." with the
 * time of each repetition.
 */
#include <time.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/eventfd.h>

#include "pviommu_guest.h"

#define IOVA	0x100000ULL
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

/* Map + unmap pairs of @len bytes at IOVA, @reps times @pairs each. */
static int bench_size(int container, __u8 *buf, __u64 len, int pairs,
		      int reps)
{
	char name[32];
	int r, i;

	snprintf(name, sizeof(name), "%llu", (unsigned long long)len);
	phase(name);
	printf("BENCH %llu %d", (unsigned long long)len, pairs);
	for (r = 0; r < reps; r++) {
		__u64 t0 = now_ns();

		for (i = 0; i < pairs; i++)
			if (map(container, buf, IOVA, len) ||
			    unmap(container, IOVA, len))
				return -1;
		printf(" %llu", (unsigned long long)(now_ns() - t0));
	}
	printf("\n");
	return 0;
}

/*
 * The benchmark: a DMA check, then map + unmap pairs of three sizes; with
 * @perf, only the largest, for a profile.
 */
static int bench(const char *bdf, int perf)
{
	struct pvv v = { .container = -1, .group = -1 };
	__u64 len = 1280 << 10;
	struct edu e;
	__u8 *buf;
	int ret;

	v.container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v.container < 0 || pvv_open_group(&v, bdf) ||
	    pvv_set_container(&v, v.container) ||
	    pvv_set_iommu(v.container, VFIO_TYPE1v2_IOMMU) ||
	    edu_open(&e, &v, bdf))
		return 1;
	/*
	 * A huge page: physically contiguous in every boot, so L2's driver
	 * flushes each map the same way on both paths (anonymous pages are
	 * as contiguous as L2's allocator happens to leave them).
	 */
	buf = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		   -1, 0);
	printf("BENCH-BUFFER %s\n", buf == MAP_FAILED ? "anonymous" : "hugetlb");
	if (buf == MAP_FAILED)
		buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	/* No path is measured broken: the DMA lands through the mapping. */
	pvg_pattern(buf, LEN, 7);
	ret = map(v.container, buf, IOVA, 2 * PVG_PAGE) ||
	      edu_dma(&e, IOVA, LEN, 0) ||
	      edu_dma(&e, IOVA + PVG_PAGE, LEN, 1) ||
	      !pvg_is_pattern(buf + PVG_PAGE, LEN, 7) ||
	      unmap(v.container, IOVA, 2 * PVG_PAGE);
	printf("BENCH-DMA %s\n", ret ? "FAIL" : "ok");
	if (!ret && perf) {
		phase("perf");
		ret = bench_size(v.container, buf, 1280 << 10, 60, 1);
	} else if (!ret) {
		ret = bench_size(v.container, buf, 4 << 10, 100, 5) ||
		      bench_size(v.container, buf, 64 << 10, 20, 5) ||
		      bench_size(v.container, buf, 1280 << 10, 2, 5);
	}
	phase("end");
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
		return bench(argv[2], 0);
	if (argc == 3 && !strcmp(argv[1], "--bench-perf"))
		return bench(argv[2], 1);
	if (argc != 2) {
		fprintf(stderr, "usage: %s [--bench|--bench-perf] <edu bdf>\n",
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
