// SPDX-License-Identifier: GPL-2.0
/*
 * pviommu-demo: a VMM's view of pviommu, step by step.
 *
 * Plays a guest whose RAM is a memfd in this process: writes VT-d root,
 * context and second-level tables into it. Plays the VMM too: the edu
 * device stays on vfio-pci; its group goes into a VFIO container of
 * pviommu's type, linked to the context, and the device is attached under
 * a guest source-id. Maps a buffer, has the device DMA through the shadow
 * mapping with its completion interrupt arriving on an eventfd through
 * VFIO, unmaps it and shows the same DMA no longer lands.
 *
 * Usage: pviommu-demo <bdf of an edu device bound to vfio-pci>
 * Exit status 0 only when every step behaved.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include "pviommu_guest.h"

#define RAM_SIZE	(64ULL << 20)
#define SID		0x0100		/* the guest sees the device at 01:00.0 */
#define DID		1
#define IOVA		0x100000ULL
#define GPA		0x200000ULL
#define LEN		256

static int step_no;
static int failures;

static void step(const char *fmt, ...)
{
	va_list ap;

	printf("\n[%d] ", ++step_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("    %s ", ok ? "ok:  " : "FAIL:");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failures++;
}

static void show_shadow(struct pvg *g, __u64 iova)
{
	struct pviommu_query q;

	if (pvg_query(g, SID, iova, &q)) {
		printf("    shadow @ IOVA %#llx: nothing mapped\n",
		       (unsigned long long)iova);
		return;
	}
	printf("    shadow @ IOVA %#llx: %#llx+%#llx -> GPA %#llx, host PA %#llx, %s\n",
	       (unsigned long long)iova, (unsigned long long)q.out_start,
	       (unsigned long long)q.out_length,
	       (unsigned long long)q.out_gpa, (unsigned long long)q.out_phys,
	       q.out_perm == 3 ? "read/write" :
	       q.out_perm == 1 ? "read-only" : "write-only");
}

int main(int argc, char **argv)
{
	struct pviommu_info info = { .size = sizeof(info) };
	struct pviommu_stats st;
	struct pviommu_query q;
	struct pollfd pfd;
	__u64 root, n;
	struct pvv v;
	struct pvg g;
	struct edu e;
	int fd, i, ret, efd;
	__u32 bdf;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2 || pvg_parse_bdf(argv[1], &bdf) || !edu_is(argv[1])) {
		fprintf(stderr, "usage: %s <bdf of an edu device bound to vfio-pci>\n",
			argv[0]);
		return 2;
	}
	printf("pviommu demo: a guest's VT-d shadowed for edu %s\n", argv[1]);

	step("open /dev/pviommu: one context = one guest vIOMMU");
	fd = open("/dev/pviommu", O_RDWR | O_CLOEXEC);
	check(fd >= 0, "opened");
	if (fd < 0)
		return 1;
	ret = ioctl(fd, PVIOMMU_GET_INFO, &info);
	check(!ret, "API version %u, at most %u devices, %llu mappings, %u descriptors per call",
	      info.out_api_version, info.out_max_devices,
	      (unsigned long long)info.out_max_mappings, info.out_max_batch);

	step("guest: %llu MiB of RAM (a memfd), VT-d CAP %#llx ECAP %#llx, root table",
	     (unsigned long long)(RAM_SIZE >> 20),
	     (unsigned long long)PVG_CAP, (unsigned long long)PVG_ECAP);
	ret = pvg_init(&g, fd, RAM_SIZE);
	check(!ret, "RAM at GPA 0, root table at GPA %#llx",
	      (unsigned long long)g.rta);
	if (ret)
		return 1;
	root = pvg_table(&g);
	pvg_context(&g, SID, DID, root, 0);
	printf("    context entry 01:00.0 -> domain %d, 4-level table at GPA %#llx\n",
	       DID, (unsigned long long)root);

	step("VFIO: group %d of %s into a container of pviommu's type, linked to the context",
	     pvv_group_of(argv[1]), argv[1]);
	ret = pvv_open(&v, argv[1], fd);
	check(!ret, "%s, %s, %s", "VFIO_GROUP_SET_CONTAINER",
	      "VFIO_SET_IOMMU(PVIOMMU_VFIO_IOMMU)", "PVIOMMU_VFIO_LINK");
	if (ret)
		return 1;
	check(ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 1,
	      "the container enforces cache coherency");
	ret = edu_open(&e, &v, argv[1]);
	check(!ret, "device file from VFIO: BAR0 (%zu KiB) mapped, bus master on",
	      e.d.bar_size >> 10);
	if (ret)
		return 1;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	check(efd >= 0 && !pvv_msi(&e.d, efd),
	      "its MSI goes to an eventfd (VFIO_DEVICE_SET_IRQS)");

	step("attach host %s as guest device 01:00.0", argv[1]);
	check(!pvg_attach(&g, bdf, SID), "attached; nothing is mapped yet");
	show_shadow(&g, IOVA);

	step("guest maps IOVA %#llx -> GPA %#llx, IOVA %#llx -> GPA %#llx; flush",
	     (unsigned long long)IOVA, (unsigned long long)GPA,
	     (unsigned long long)(IOVA + PVG_PAGE),
	     (unsigned long long)(GPA + PVG_PAGE));
	pvg_map(&g, root, IOVA, GPA, PVG_RW);
	pvg_map(&g, root, IOVA + PVG_PAGE, GPA + PVG_PAGE, PVG_RW);
	check(!pvg_flush(&g, DID, IOVA, 1, 0),
	      "flush = PSI + wait in one PVIOMMU_INVALIDATE; status word reads 2");
	show_shadow(&g, IOVA);
	show_shadow(&g, IOVA + PVG_PAGE);
	check(!pvg_query(&g, SID, IOVA, &q) &&
	      q.out_phys == pvg_phys(g.ram + GPA),
	      "host PA equals the page behind guest RAM (/proc/self/pagemap)");

	step("device DMA: %d bytes from IOVA %#llx into the device, back out to IOVA %#llx",
	     LEN, (unsigned long long)IOVA,
	     (unsigned long long)(IOVA + PVG_PAGE));
	for (i = 0; i < LEN; i++)
		g.ram[GPA + i] = (__u8)(i * 7 + 1);
	memset(g.ram + GPA + PVG_PAGE, 0, LEN);
	check(!edu_dma(&e, IOVA, LEN, 0) &&
	      !edu_dma_flags(&e, IOVA + PVG_PAGE, LEN,
			     EDU_DMA_TO_RAM | EDU_DMA_IRQ),
	      "both transfers completed, the second with an interrupt");
	check(!memcmp(g.ram + GPA, g.ram + GPA + PVG_PAGE, LEN),
	      "guest page at GPA %#llx now holds the bytes from GPA %#llx",
	      (unsigned long long)(GPA + PVG_PAGE), (unsigned long long)GPA);
	pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
	check(poll(&pfd, 1, 5000) == 1 && read(efd, &n, sizeof(n)) == sizeof(n),
	      "the device's MSI arrived on the eventfd");
	edu_w32(&e, EDU_IRQ_ACK, EDU_IRQ_DMA);

	step("guest unmaps IOVA %#llx and flushes (PSI with IH + wait)",
	     (unsigned long long)(IOVA + PVG_PAGE));
	pvg_map(&g, root, IOVA + PVG_PAGE, 0, 0);
	check(!pvg_flush(&g, DID, IOVA + PVG_PAGE, 0, 1), "flushed");
	show_shadow(&g, IOVA + PVG_PAGE);

	step("the same DMA out to IOVA %#llx", (unsigned long long)(IOVA + PVG_PAGE));
	memset(g.ram + GPA + PVG_PAGE, 0, LEN);
	check(!edu_dma(&e, IOVA + PVG_PAGE, LEN, 1),
	      "transfer completed (faulted by the IOMMU: DMAR in the kernel log)");
	check(g.ram[GPA + PVG_PAGE + 1] == 0 &&
	      memcmp(g.ram + GPA, g.ram + GPA + PVG_PAGE, LEN),
	      "guest page untouched: the device can no longer reach it");
	pvv_msi(&e.d, -1);
	close(efd);
	edu_close(&e);

	step("what it cost");
	if (!pvg_stats(fd, &st)) {
		printf("    host maps %llu, unmaps %llu, IOTLB syncs %llu, %s %llu, %s %llu\n",
		       (unsigned long long)st.out_maps,
		       (unsigned long long)st.out_unmaps,
		       (unsigned long long)st.out_syncs, "guest walks",
		       (unsigned long long)st.out_walks, "table pages read",
		       (unsigned long long)st.out_tables_read);
		check(st.out_pinned_pages == 1 && st.out_mappings == 1,
		      "%llu mapping, %llu page pinned",
		      (unsigned long long)st.out_mappings,
		      (unsigned long long)st.out_pinned_pages);
	}

	step("close: the device is blocked, every page unpinned; VFIO keeps the group");
	check(!close(fd), "context closed");
	pvv_close(&v);
	pvg_fini(&g);

	printf("\npviommu demo: %s\n", failures ? "SOME STEPS FAILED" :
	       "every step behaved");
	return failures ? 1 : 0;
}
