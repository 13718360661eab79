// SPDX-License-Identifier: GPL-2.0
/*
 * pviommu kselftests with a real device: this process plays the guest (its
 * RAM is a memfd, its VT-d tables are written into it) and the VMM (it
 * forwards each flush to PVIOMMU_INVALIDATE). With QEMU's edu device, DMA
 * proves each mapping end to end.
 *
 * PVIOMMU_TEST_DEVICE=<bdf> names a device bound to vfio-pci, alone in
 * its IOMMU group; PVIOMMU_TEST_DEVICE2 a second one for the two-device
 * tests. Each test puts the device's group into a VFIO container of
 * pviommu's type linked to its context, as a VMM does. Tests that need an
 * edu skip on other devices.
 */
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "pviommu_guest.h"
#include "pviommu_utils.h"

#define RAM_SIZE	(64ULL << 20)
#define SID_A		0x0100		/* bus 1, device 0 */
#define SID_B		0x0108		/* bus 1, device 1 */
#define IOVA		0x100000ULL
#define GPA		0x200000ULL
#define LEN		256

/* VmPin of this process, in kB: what pviommu charges its pins to. */
static long vm_pinned_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

FIXTURE(dma) {
	int fd;
	long long pinned0;
	struct pvg g;
	struct pvv v;
	const char *bdf;
	__u32 hbdf;
	int edu;
	__u64 root;
};

FIXTURE_SETUP(dma)
{
	self->fd = -1;
	self->g.memfd = -1;
	self->v.container = -1;
	self->v.group = -1;
	self->bdf = getenv("PVIOMMU_TEST_DEVICE");
	if (!self->bdf || !*self->bdf)
		SKIP(return, "PVIOMMU_TEST_DEVICE not set");
	ASSERT_EQ(0, pvg_parse_bdf(self->bdf, &self->hbdf));
	self->edu = edu_is(self->bdf);
	self->pinned0 = pvg_global_pinned();
	self->fd = open(PVIOMMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pvg_init(&self->g, self->fd, RAM_SIZE));
	ASSERT_EQ(0, pvv_open(&self->v, self->bdf, self->fd));
	self->root = pvg_table(&self->g);
	pvg_context(&self->g, SID_A, 1, self->root, 0);
}

/* Closing the context releases every page the test pinned. */
FIXTURE_TEARDOWN(dma)
{
	if (self->fd >= 0)
		close(self->fd);
	pvg_fini(&self->g);
	pvv_close(&self->v);
	if (self->fd >= 0 && self->pinned0 >= 0)
		EXPECT_EQ(self->pinned0, pvg_global_pinned());
}

/*
 * Map, check the host mapping against the page behind guest RAM, DMA
 * through it both ways, unmap, and see the DMA fault.
 */
TEST_F(dma, map_dma_unmap)
{
	struct pvg *g = &self->g;
	struct pviommu_stats st;
	struct pviommu_query q;
	struct edu e;

	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	pvg_map(g, self->root, IOVA, GPA, PVG_RW);
	pvg_map(g, self->root, IOVA + PVG_PAGE, GPA + PVG_PAGE, PVG_RW);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 1, 0));

	ASSERT_EQ(0, pvg_query(g, SID_A, IOVA + 8, &q));
	EXPECT_EQ(IOVA, q.out_start);
	EXPECT_EQ(PVG_PAGE, q.out_length);
	EXPECT_EQ(GPA, q.out_gpa);
	EXPECT_EQ(3, q.out_perm);
	EXPECT_EQ(pvg_phys(g->ram + GPA) + 8, q.out_phys);
	ASSERT_EQ(0, pvg_query(g, SID_A, IOVA + PVG_PAGE, &q));
	EXPECT_EQ(pvg_phys(g->ram + GPA + PVG_PAGE), q.out_phys);
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(2, st.out_pinned_pages);
	EXPECT_EQ(2, st.out_mappings);

	if (self->edu) {
		ASSERT_EQ(0, edu_open(&e, &self->v, self->bdf));
		pvg_pattern(g->ram + GPA, LEN, 1);
		ASSERT_EQ(0, edu_copy(&e, IOVA, IOVA + PVG_PAGE, LEN));
		EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 1));
	}

	/* The guest unmaps the second page: the same DMA no longer lands. */
	pvg_map(g, self->root, IOVA + PVG_PAGE, 0, 0);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA + PVG_PAGE, 0, 1));
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, PVIOMMU_QUERY, &q));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(1, st.out_pinned_pages);
	if (self->edu) {
		memset(g->ram + GPA + PVG_PAGE, 0, LEN);
		ASSERT_EQ(0, edu_dma(&e, IOVA + PVG_PAGE, LEN, 1));
		EXPECT_FALSE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 1));
		EXPECT_EQ(0, g->ram[GPA + PVG_PAGE + 1]);
		edu_close(&e);
	}
}

/* A read-only leaf: the device reads through it and cannot write. */
TEST_F(dma, read_only)
{
	struct pvg *g = &self->g;
	struct pviommu_query q;
	struct edu e;

	if (!self->edu)
		SKIP(return, "%s is not an edu device", self->bdf);
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	pvg_map(g, self->root, IOVA, GPA, PVG_R);
	pvg_map(g, self->root, IOVA + PVG_PAGE, GPA + PVG_PAGE, PVG_RW);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 1, 0));
	ASSERT_EQ(0, pvg_query(g, SID_A, IOVA, &q));
	EXPECT_EQ(1, q.out_perm);

	ASSERT_EQ(0, edu_open(&e, &self->v, self->bdf));
	pvg_pattern(g->ram + GPA, LEN, 3);
	ASSERT_EQ(0, edu_copy(&e, IOVA, IOVA + PVG_PAGE, LEN));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 3));
	pvg_pattern(g->ram + GPA + PVG_PAGE, LEN, 4);
	ASSERT_EQ(0, edu_copy(&e, IOVA + PVG_PAGE, IOVA, LEN));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA, LEN, 3));
	edu_close(&e);
}

/*
 * Two devices, one guest domain: one shadow; one unmap stops both. A
 * device added to the populated domain works at once; moved to another
 * domain it follows that domain's tables; pass-through maps IOVA = GPA.
 */
TEST_F(dma, two_devices)
{
	const char *bdf2 = getenv("PVIOMMU_TEST_DEVICE2");
	struct pvg *g = &self->g;
	struct pviommu_stats st;
	struct edu e, e2;
	struct pvv v2;
	__u64 root2;
	__u32 hbdf2;

	if (!self->edu)
		SKIP(return, "%s is not an edu device", self->bdf);
	if (!bdf2 || !*bdf2 || !edu_is(bdf2))
		SKIP(return, "PVIOMMU_TEST_DEVICE2 is not an edu device");
	ASSERT_EQ(0, pvg_parse_bdf(bdf2, &hbdf2));
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	pvg_map(g, self->root, IOVA, GPA, PVG_RW);
	pvg_map(g, self->root, IOVA + PVG_PAGE, GPA + PVG_PAGE, PVG_RW);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 1, 0));

	/*
	 * Hot-add into the populated domain: no invalidation needed. The
	 * second device's group is in a container of its own, as QEMU puts
	 * each device behind a vIOMMU, linked to the same context.
	 */
	ASSERT_EQ(0, pvv_open(&v2, bdf2, self->fd));
	pvg_context(g, SID_B, 1, self->root, 0);
	ASSERT_EQ(0, pvg_attach(g, hbdf2, SID_B));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(1, st.out_shadows);
	EXPECT_EQ(2, st.out_pinned_pages);
	ASSERT_EQ(0, edu_open(&e, &self->v, self->bdf));
	ASSERT_EQ(0, edu_open(&e2, &v2, bdf2));
	pvg_pattern(g->ram + GPA, LEN, 5);
	ASSERT_EQ(0, edu_copy(&e2, IOVA, IOVA + PVG_PAGE, LEN));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 5));

	/* One unmap for both devices; neither reaches the page after. */
	pvg_map(g, self->root, IOVA + PVG_PAGE, 0, 0);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA + PVG_PAGE, 0, 1));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(1, st.out_unmaps);
	memset(g->ram + GPA + PVG_PAGE, 0, LEN);
	ASSERT_EQ(0, edu_dma(&e, IOVA + PVG_PAGE, LEN, 1));
	ASSERT_EQ(0, edu_dma(&e2, IOVA + PVG_PAGE, LEN, 1));
	EXPECT_EQ(0, g->ram[GPA + PVG_PAGE + 1]);

	/* Move B to domain 2, where the IOVA maps another page. */
	root2 = pvg_table(g);
	pvg_map(g, root2, IOVA + PVG_PAGE, GPA + 2 * PVG_PAGE, PVG_RW);
	pvg_context(g, SID_B, 2, root2, 0);
	ASSERT_EQ(0, pvg_context_flush(g, SID_B));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(2, st.out_shadows);
	ASSERT_EQ(0, edu_dma(&e2, IOVA + PVG_PAGE, LEN, 1));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + 2 * PVG_PAGE, LEN, 5));

	/* Pass-through: IOVA = GPA over all guest RAM. */
	pvg_context(g, SID_B, 3, 0, 2);
	ASSERT_EQ(0, pvg_context_flush(g, SID_B));
	pvg_pattern(g->ram + GPA + 3 * PVG_PAGE, LEN, 6);
	ASSERT_EQ(0, edu_copy(&e2, GPA + 3 * PVG_PAGE, GPA + 4 * PVG_PAGE, LEN));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + 4 * PVG_PAGE, LEN, 6));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(1 + RAM_SIZE / PVG_PAGE, st.out_pinned_pages);
	edu_close(&e);
	edu_close(&e2);
	pvv_close(&v2);
}

/* An invalidation wait writes its status word and signals the eventfd. */
TEST_F(dma, wait_eventfd)
{
	struct pviommu_eventfd ev = { .size = sizeof(ev) };
	struct pvg *g = &self->g;
	__u64 d[2], count = 0;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_LE(0, efd);
	ev.fd = efd;
	ASSERT_EQ(0, ioctl(self->fd, PVIOMMU_SET_EVENTFD, &ev));
	pvg_wait(d, PVG_STATUS + 64, 2, 0);
	ASSERT_EQ(0, pvg_invalidate(g, d, 1, NULL));
	EXPECT_EQ(2, *(__u32 *)(g->ram + PVG_STATUS + 64));
	EXPECT_ERRNO(EAGAIN, read(efd, &count, sizeof(count)));

	pvg_wait(d, PVG_STATUS + 68, 7, 1);
	ASSERT_EQ(0, pvg_invalidate(g, d, 1, NULL));
	EXPECT_EQ(7, *(__u32 *)(g->ram + PVG_STATUS + 68));
	ASSERT_EQ(sizeof(count), read(efd, &count, sizeof(count)));
	EXPECT_EQ(1, count);

	/* A status word outside guest RAM: EFAULT. */
	pvg_wait(d, RAM_SIZE + PVG_PAGE, 7, 0);
	EXPECT_ERRNO(EFAULT, pvg_invalidate(g, d, 1, NULL));
	ev.fd = -1;
	ASSERT_EQ(0, ioctl(self->fd, PVIOMMU_SET_EVENTFD, &ev));
	ev.fd = -2;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PVIOMMU_SET_EVENTFD, &ev));
	ev.fd = self->fd;	/* not an eventfd */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PVIOMMU_SET_EVENTFD, &ev));
	close(efd);
}

/* Drop CAP_IPC_LOCK from this (forked) test process. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &hdr, data);
}

/*
 * Pins are charged to RLIMIT_MEMLOCK; at the limit mapping fails closed:
 * what cannot be mapped stays unmapped, every unmap still happens.
 */
TEST_F(dma, memlock)
{
	struct rlimit rl = { 4 * PVG_PAGE, 4 * PVG_PAGE };
	struct pviommu_invalidate inv;
	struct pviommu_fault f[8];
	struct pviommu_query q;
	struct pvg *g = &self->g;
	struct pviommu_stats st;
	long base = vm_pinned_kb();
	int i;

	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	ASSERT_EQ(0, drop_ipc_lock());
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	/*
	 * At the limit the flush completes (fails closed): four leaves are
	 * mapped, four left unmapped with a fault record each.
	 */
	for (i = 0; i < 8; i++)
		pvg_map(g, self->root, IOVA + i * PVG_PAGE, GPA + i * PVG_PAGE,
			PVG_RW);
	ASSERT_EQ(0, pvg_flush_out(g, 1, IOVA, 3, 0, &inv));
	EXPECT_EQ(4, inv.out_failed);
	EXPECT_EQ(4, pvg_faults(self->fd, f, 8));
	EXPECT_EQ(PVIOMMU_FAULT_HOST_MAP, f[0].reason);
	EXPECT_EQ(SID_A, f[0].sid);
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(4, st.out_pinned_pages);
	EXPECT_EQ(4, st.out_mappings);
	EXPECT_EQ(base + 16, vm_pinned_kb());

	/*
	 * Removal never depends on mapping: the guest unmaps leaf 0 in the
	 * same invalidation that again asks for four leaves over the limit;
	 * leaf 0 is unmapped all the same.
	 */
	pvg_map(g, self->root, IOVA, 0, 0);
	ASSERT_EQ(0, pvg_flush_out(g, 1, IOVA, 3, 0, &inv));
	EXPECT_LE(1, inv.out_failed);
	EXPECT_EQ(-ENOENT, pvg_query(g, SID_A, IOVA, &q));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_GE(4, st.out_pinned_pages);

	/* With room again the same flush converges. */
	rl.rlim_cur = 64 * PVG_PAGE;
	rl.rlim_max = 64 * PVG_PAGE;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_EQ(0, pvg_flush_out(g, 1, IOVA, 3, 0, &inv));
	EXPECT_EQ(0, inv.out_failed);
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(7, st.out_pinned_pages);
	EXPECT_EQ(base + 28, vm_pinned_kb());

	for (i = 0; i < 8; i++)
		pvg_map(g, self->root, IOVA + i * PVG_PAGE, 0, 0);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 3, 1));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(0, st.out_pinned_pages);
	EXPECT_EQ(base, vm_pinned_kb());
}

/* Invalid guest entries are fault records the VMM can read. */
TEST_F(dma, fault_records)
{
	struct pviommu_fault f[4];
	struct pviommu_get_faults gf = {
		.size = sizeof(gf), .faults_uptr = (uintptr_t)f, .num = 4,
	};
	struct pvg *g = &self->g;

	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	/* Address bit 50 is beyond the guest's 48-bit HAW: reserved. */
	pvg_map(g, self->root, IOVA, GPA | 1ULL << 50, PVG_RW);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 0, 0));
	ASSERT_EQ(0, ioctl(self->fd, PVIOMMU_GET_FAULTS, &gf));
	ASSERT_EQ(1, gf.num);
	EXPECT_EQ(IOVA, f[0].addr);
	EXPECT_EQ(SID_A, f[0].sid);
	EXPECT_EQ(0xc, f[0].reason);
	EXPECT_EQ(0, gf.out_overflow);
	gf.num = 4;
	ASSERT_EQ(0, ioctl(self->fd, PVIOMMU_GET_FAULTS, &gf));
	EXPECT_EQ(0, gf.num);
}

/*
 * Linux 6.1 flushes a range that is not naturally aligned with its first
 * page as the address and AM widened until the masked range covers it
 * (iommu_flush_iotlb_psi()): pages 0x101-0x103 go as 0x101000, AM 2. The
 * unit ignores the address bits below AM, and so must pviommu.
 */
TEST_F(dma, linux61_unaligned_psi)
{
	struct pvg *g = &self->g;
	struct pviommu_query q;
	int i;

	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	for (i = 1; i <= 3; i++)
		pvg_map(g, self->root, IOVA + i * PVG_PAGE, GPA + i * PVG_PAGE,
			PVG_RW);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA + PVG_PAGE, 2, 0));
	for (i = 1; i <= 3; i++)
		ASSERT_EQ(0, pvg_query(g, SID_A, IOVA + i * PVG_PAGE, &q));
	/* Unmapped the same way. */
	for (i = 1; i <= 3; i++)
		pvg_map(g, self->root, IOVA + i * PVG_PAGE, 0, 0);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA + PVG_PAGE, 2, 1));
	for (i = 1; i <= 3; i++)
		EXPECT_EQ(-ENOENT, pvg_query(g, SID_A, IOVA + i * PVG_PAGE,
					     &q));
}

/* Write @val to the module parameter @name; returns 0 or -errno. */
static int set_param(const char *name, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/module/pviommu/parameters/%s",
		 name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Anonymous memory as the guest RAM slot @ram describes (its uaddr set
 * here), touched once; NULL on failure.
 */
static __u8 *anon_ram(int fd, struct pviommu_ram *ram)
{
	__u8 *p = mmap(NULL, ram->length, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p[0] = 1;
	ram->uaddr = (uintptr_t)p;
	if (ioctl(fd, PVIOMMU_RAM_ADD, ram)) {
		munmap(p, ram->length);
		return NULL;
	}
	return p;
}

/*
 * Read-only guest RAM: a read-write leaf over it is mapped (and pinned)
 * read-only, and QUERY says so; a write-only leaf over it leaves nothing
 * the device may do: it stays unmapped, and the invalidation completes.
 */
TEST_F(dma, readonly_slot)
{
	struct pviommu_ram ram = { .size = sizeof(ram), .gpa = 1ULL << 31,
				   .length = 4 * PVG_PAGE,
				   .flags = PVIOMMU_RAM_READONLY };
	struct pviommu_invalidate inv;
	struct pvg *g = &self->g;
	struct pviommu_query q;
	__u8 *rom = anon_ram(self->fd, &ram);

	ASSERT_NE(NULL, rom);
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	pvg_map(g, self->root, IOVA, ram.gpa, PVG_RW);
	pvg_map(g, self->root, IOVA + PVG_PAGE, ram.gpa + PVG_PAGE, PVG_W);
	ASSERT_EQ(0, pvg_flush_out(g, 1, IOVA, 1, 0, &inv));
	EXPECT_EQ(0, inv.out_failed);
	ASSERT_EQ(0, pvg_query(g, SID_A, IOVA, &q));
	EXPECT_EQ(PVG_R, q.out_perm);
	EXPECT_EQ(-ENOENT, pvg_query(g, SID_A, IOVA + PVG_PAGE, &q));
	munmap(rom, ram.length);
}

/* walk_budget 0 (or any tiny value) still lets every call progress. */
TEST_F(dma, walk_budget_zero)
{
	struct pvg *g = &self->g;
	struct pviommu_query q;

	if (set_param("walk_budget", "0"))
		SKIP(return, "walk_budget not writable");
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	pvg_map(g, self->root, IOVA, GPA, PVG_RW);
	EXPECT_EQ(0, pvg_flush(g, 1, IOVA, 0, 0));
	EXPECT_EQ(0, pvg_query(g, SID_A, IOVA, &q));
	ASSERT_EQ(0, set_param("walk_budget", "4194304"));
}

/*
 * An invalidation the work budget cuts short is continued only when the
 * VMM says so (PVIOMMU_INVALIDATE_CONTINUE): with nothing to continue that
 * is ENOENT, and the continuation converges.
 */
TEST_F(dma, invalidate_continue)
{
	struct pviommu_invalidate inv;
	struct pvg *g = &self->g;
	struct pviommu_stats st;
	__u64 d[4];
	int i, calls = 0, ret;

	if (set_param("walk_budget", "0"))
		SKIP(return, "walk_budget not writable");
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	for (i = 0; i < 600; i++)
		pvg_map(g, self->root, IOVA + i * PVG_PAGE, GPA + i * PVG_PAGE,
			PVG_RW);
	/* A domain-selective IOTLB invalidation and a wait. */
	d[0] = 0x2 | 2 << 4 | 1 << 6 | 1 << 7 | 1ULL << 16;
	d[1] = 0;
	pvg_wait(d + 2, PVG_STATUS + 256, 2, 0);
	*(__u32 *)(g->ram + PVG_STATUS + 256) = 1;
	EXPECT_EQ(-1, pvg_invalidate(g, d, 2, &inv));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, inv.entry_num);

	/* Continuing with another first descriptor: nothing to continue. */
	inv = (struct pviommu_invalidate){
		.size = sizeof(inv), .flags = PVIOMMU_INVALIDATE_CONTINUE,
		.data_uptr = (uintptr_t)(d + 2), .entry_len = 16,
		.entry_num = 1,
	};
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, PVIOMMU_INVALIDATE, &inv));

	do {
		inv = (struct pviommu_invalidate){
			.size = sizeof(inv),
			.flags = PVIOMMU_INVALIDATE_CONTINUE,
			.data_uptr = (uintptr_t)d, .entry_len = 16,
			.entry_num = 2,
		};
		ret = ioctl(self->fd, PVIOMMU_INVALIDATE, &inv);
		calls++;
	} while (ret && errno == EAGAIN && calls < 100);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(2, inv.entry_num);
	EXPECT_EQ(2, *(__u32 *)(g->ram + PVG_STATUS + 256));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(600, st.out_mappings);
	ASSERT_EQ(0, set_param("walk_budget", "4194304"));
}

/* An invalid descriptor stops the batch at its index; nothing after runs. */
TEST_F(dma, invalid_descriptor)
{
	struct pviommu_invalidate inv;
	struct pvg *g = &self->g;
	__u64 d[6];

	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	pvg_map(g, self->root, IOVA, GPA, PVG_RW);
	pvg_psi(d, 1, IOVA, 0, 0);
	d[2] = 0x9;	/* type 9: not for this unit */
	d[3] = 0;
	pvg_wait(d + 4, PVG_STATUS + 128, 2, 0);
	EXPECT_ERRNO(EINVAL, pvg_invalidate(g, d, 3, &inv));
	EXPECT_EQ(1, inv.entry_num);
	EXPECT_EQ(PVIOMMU_DESC_ERR_TYPE, inv.out_error);
	EXPECT_EQ(0, *(__u32 *)(g->ram + PVG_STATUS + 128));

	/* The reserved bit 8 of an IOTLB descriptor. */
	pvg_psi(d, 1, IOVA, 0, 0);
	d[0] |= 1 << 8;
	EXPECT_ERRNO(EINVAL, pvg_invalidate(g, d, 1, &inv));
	EXPECT_EQ(0, inv.entry_num);
	EXPECT_EQ(PVIOMMU_DESC_ERR_RESERVED, inv.out_error);

	/* The struct itself. */
	inv = (struct pviommu_invalidate){ .size = sizeof(inv),
					   .data_uptr = (uintptr_t)d,
					   .entry_len = 24, .entry_num = 1 };
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PVIOMMU_INVALIDATE, &inv));
	EXPECT_EQ(0, inv.entry_num);	/* written back on every error */
	inv.entry_len = 16;
	inv.entry_num = 100000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PVIOMMU_INVALIDATE, &inv));
	inv.entry_num = 1;
	inv.data_uptr = 8;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, PVIOMMU_INVALIDATE, &inv));
	EXPECT_EQ(0, inv.entry_num);
}

TEST_F(dma, attach_errors)
{
	struct pviommu_detach det = { .size = sizeof(det), .guest_sid = 7 };
	struct pvg *g = &self->g;
	struct pvg g2 = { .memfd = -1 };
	int fd2;

	EXPECT_EQ(-ENOENT, pvg_attach(g, 0xffff0000, SID_A));
	EXPECT_EQ(-EINVAL, pvg_attach(g, self->hbdf, 0x10000));
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	EXPECT_EQ(-EEXIST, pvg_attach(g, self->hbdf, SID_A));
	EXPECT_EQ(-EBUSY, pvg_attach(g, self->hbdf, SID_B));
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, PVIOMMU_DETACH, &det));

	/*
	 * Another context cannot have it (its container is not linked
	 * there, and cannot be linked twice); nor attach before SET_CAPS.
	 */
	fd2 = open(PVIOMMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	g2.fd = fd2;
	EXPECT_EQ(-EINVAL, pvg_attach(&g2, self->hbdf, SID_A));
	ASSERT_EQ(0, pvg_init(&g2, fd2, 1 << 20));
	EXPECT_EQ(-ENOENT, pvg_attach(&g2, self->hbdf, SID_A));
	EXPECT_EQ(-EBUSY, pvv_link(self->v.container, fd2));

	/* Detached, it attaches again, under another source-id too. */
	det.guest_sid = SID_A;
	ASSERT_EQ(0, ioctl(self->fd, PVIOMMU_DETACH, &det));
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_B));
	close(fd2);
	pvg_fini(&g2);
}

/*
 * In a child: a VMM of its own with the device (in a container of its
 * own) attached and 16 pages mapped. Returns 0, or an exit code saying
 * what failed.
 */
static int child_vmm(const char *bdf, __u32 hbdf)
{
	int fd = open(PVIOMMU_DEV, O_RDWR);
	struct pvv v;
	struct pvg cg;
	__u64 root;
	int i;

	if (fd < 0 || pvg_init(&cg, fd, 16 << 20) || pvv_open(&v, bdf, fd))
		return 1;
	root = pvg_table(&cg);
	pvg_context(&cg, SID_A, 1, root, 0);
	for (i = 0; i < 16; i++)
		pvg_map(&cg, root, IOVA + i * PVG_PAGE, GPA + i * PVG_PAGE,
			PVG_RW);
	if (pvg_attach(&cg, hbdf, SID_A) || pvg_flush(&cg, 1, IOVA, 4, 0))
		return 2;
	return 0;
}

/*
 * A VMM that dies with live mappings (killed, not closing anything)
 * releases its pins and the device.
 */
TEST_F(dma, killed_vmm)
{
	struct pvg *g = &self->g;
	int status;
	pid_t pid;

	/* The child takes the group: a VFIO group has one user at a time. */
	pvv_close(&self->v);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = child_vmm(self->bdf, self->hbdf);

		if (ret)
			_exit(ret);
		raise(SIGKILL);
		_exit(3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	ASSERT_EQ(0, pvv_open(&self->v, self->bdf, self->fd));
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	if (pvg_global_pinned() >= 0)
		EXPECT_EQ(0, pvg_global_pinned());
}

/*
 * A VMM of its own in a child: it runs @vmm(@bdf, @hbdf, @ready), which
 * writes a byte to @ready when the parent may look, and exits with what
 * @vmm returns. Returns its pid once that byte arrived, or -1.
 */
static pid_t spawn_vmm(const char *bdf, __u32 hbdf,
		       int (*vmm)(const char *bdf, __u32 hbdf, int ready))
{
	int pipefd[2];
	pid_t pid;
	char c;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0)
		_exit(vmm(bdf, hbdf, pipefd[1]));
	close(pipefd[1]);
	if (pid > 0 && read(pipefd[0], &c, 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pipefd[0]);
	return pid;
}

/* child_vmm(), then ready, then wait to be killed. */
static int vmm_16_pages(const char *bdf, __u32 hbdf, int ready)
{
	int ret = child_vmm(bdf, hbdf);

	if (ret)
		return ret;
	if (write(ready, "x", 1) != 1)
		return 3;
	pause();
	return 4;
}

/* The 16 pages the child maps are pinned until it dies. */
TEST_F(dma, pins_follow_the_vmm)
{
	long long before = pvg_global_pinned();
	int status;
	pid_t pid;

	if (before < 0)
		SKIP(return, "no debugfs pviommu/pinned_pages");
	pvv_close(&self->v);
	pid = spawn_vmm(self->bdf, self->hbdf, vmm_16_pages);
	ASSERT_LT(0, pid);
	EXPECT_EQ(before + 16, pvg_global_pinned());
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(before, pvg_global_pinned());
}

/*
 * Add @len bytes of 2M huge pages as guest RAM at @gpa. Returns the VMM's
 * mapping (its memfd in *@hfd), or NULL when there are no huge pages.
 */
static __u8 *huge_ram(int fd, __u64 gpa, __u64 len, int *hfd)
{
	struct pviommu_ram ram = { .size = sizeof(ram), .gpa = gpa,
				   .length = len };
	__u8 *huge;
	int sfd;

	sfd = open("/proc/sys/vm/nr_hugepages", O_WRONLY);
	if (sfd >= 0) {
		if (write(sfd, "16", 2) != 2)
			fprintf(stderr, "could not reserve huge pages\n");
		close(sfd);
	}
	*hfd = memfd_create("guest-huge", MFD_CLOEXEC | MFD_HUGETLB);
	if (*hfd < 0)
		return NULL;
	huge = MAP_FAILED;
	if (!ftruncate(*hfd, len))
		huge = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			    *hfd, 0);
	if (huge == MAP_FAILED) {
		close(*hfd);
		return NULL;
	}
	huge[0] = 1;
	ram.uaddr = (uintptr_t)huge;
	if (ioctl(fd, PVIOMMU_RAM_ADD, &ram)) {
		munmap(huge, len);
		close(*hfd);
		return NULL;
	}
	return huge;
}

/*
 * Guest RAM on 2M huge pages: a 2M guest leaf is one host mapping of
 * physically contiguous memory (one map call), and the device reaches all
 * of it.
 */
TEST_F(dma, hugetlb_2m)
{
	__u64 gpa = 1ULL << 30;
	struct pvg *g = &self->g;
	struct pviommu_stats before, after;
	struct pviommu_query q;
	__u8 *huge;
	int hfd;

	huge = huge_ram(self->fd, gpa, 4 << 20, &hfd);
	if (!huge)
		SKIP(return, "no 2M huge pages");

	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	pvg_set_leaf(g, self->root, 2 << 20, 2, gpa | PVG_PS | PVG_RW);
	ASSERT_EQ(0, pvg_stats(self->fd, &before));
	ASSERT_EQ(0, pvg_flush(g, 1, 2 << 20, 9, 0));
	ASSERT_EQ(0, pvg_stats(self->fd, &after));
	EXPECT_EQ(before.out_maps + 1, after.out_maps);
	EXPECT_EQ(512, after.out_pinned_pages - before.out_pinned_pages);
	ASSERT_EQ(0, pvg_query(g, SID_A, (2 << 20) + 0x1ff000, &q));
	EXPECT_EQ(2 << 20, q.out_start);
	EXPECT_EQ(2 << 20, q.out_length);
	EXPECT_EQ(pvg_phys(huge) + 0x1ff000, q.out_phys);

	if (self->edu) {
		struct edu e;
		int i;

		ASSERT_EQ(0, edu_open(&e, &self->v, self->bdf));
		for (i = 0; i < LEN; i++)
			huge[0x1ff000 + i] = (__u8)(i * 7 + 9);
		ASSERT_EQ(0, edu_copy(&e, (2 << 20) + 0x1ff000, (2 << 20) + 0x1000, LEN));
		EXPECT_TRUE(pvg_is_pattern(huge + 0x1000, LEN, 9));
		edu_close(&e);
	}
	munmap(huge, 4 << 20);
	close(hfd);
}

/*
 * The host page sizes of the shadow of guest domain @did, from this
 * process's one context in debugfs; 0 when they cannot be read.
 */
static __u64 shadow_pgsizes(unsigned int did)
{
	char dir[512], path[600], line[256];
	__u64 sizes = 0;
	unsigned int d;
	char *p;
	FILE *f;

	if (pvg_ctx_dir(dir, sizeof(dir)) != 1)
		return 0;
	snprintf(path, sizeof(path), "%s/shadows", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, " pgsizes ");
		if (p && sscanf(line, "did %u", &d) == 1 && d == did)
			sizes = strtoull(p + strlen(" pgsizes "), NULL, 16);
	}
	fclose(f);
	return sizes;
}

/*
 * 512 4K leaves over one physically contiguous, aligned 2M: mapped with
 * two calls so the host IOMMU cannot use a 2M page for them (one when the
 * host has no 2M pages), whatever the host IOMMU offers besides: pviommu's
 * domains use no page size between 4K and 2M (AMD-Vi has them all, and
 * cutting the batch at each would take 257 calls). One leaf
 * in the middle is unmapped alone (with IH set, from the cached table)
 * while its neighbours keep working.
 */
TEST_F(dma, batched_4k_leaves)
{
	__u64 gpa = 1ULL << 30, iova = 4 << 20, hole = iova + 100 * PVG_PAGE;
	struct pviommu_stats before, after;
	struct pvg *g = &self->g;
	struct pviommu_query q;
	__u64 sizes;
	__u8 *huge;
	int hfd, i;

	huge = huge_ram(self->fd, gpa, 2 << 20, &hfd);
	if (!huge)
		SKIP(return, "no 2M huge pages");

	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	for (i = 0; i < 512; i++)
		pvg_map(g, self->root, iova + i * PVG_PAGE, gpa + i * PVG_PAGE,
			PVG_RW);
	ASSERT_EQ(0, pvg_stats(self->fd, &before));
	ASSERT_EQ(0, pvg_flush(g, 1, iova, 9, 0));
	ASSERT_EQ(0, pvg_stats(self->fd, &after));
	sizes = shadow_pgsizes(1);
	if (sizes) {
		TH_LOG("host page sizes %#llx", (unsigned long long)sizes);
		EXPECT_EQ(0, sizes & ((2 << 20) - 1) & ~(__u64)PVG_PAGE);
		EXPECT_EQ(before.out_maps + (sizes & (2 << 20) ? 2 : 1),
			  after.out_maps);
	} else {
		TH_LOG("no debugfs: the host's page sizes are unknown");
	}
	EXPECT_EQ(512, after.out_mappings - before.out_mappings);

	pvg_map(g, self->root, hole, 0, 0);
	ASSERT_EQ(0, pvg_flush(g, 1, hole, 0, 1));
	EXPECT_EQ(-ENOENT, pvg_query(g, SID_A, hole, &q));
	ASSERT_EQ(0, pvg_query(g, SID_A, hole + PVG_PAGE, &q));
	EXPECT_EQ(PVG_PAGE, q.out_length);
	EXPECT_EQ(pvg_phys(huge) + 101 * PVG_PAGE, q.out_phys);
	ASSERT_EQ(0, pvg_stats(self->fd, &after));
	EXPECT_EQ(511, after.out_pinned_pages - before.out_pinned_pages);

	if (self->edu) {
		struct edu e;

		ASSERT_EQ(0, edu_open(&e, &self->v, self->bdf));
		pvg_pattern(huge + 99 * PVG_PAGE, LEN, 3);
		ASSERT_EQ(0, edu_copy(&e, hole - PVG_PAGE, hole + PVG_PAGE,
				      LEN));
		EXPECT_TRUE(pvg_is_pattern(huge + 101 * PVG_PAGE, LEN, 3));
		memset(huge + 100 * PVG_PAGE, 0, LEN);
		ASSERT_EQ(0, edu_dma(&e, hole, LEN, 1));
		EXPECT_EQ(0, huge[100 * PVG_PAGE + 1]);
		edu_close(&e);
	}
	munmap(huge, 2 << 20);
	close(hfd);
}

/* Anonymous memory works as guest RAM too. */
TEST_F(dma, anonymous_ram)
{
	struct pviommu_ram ram = { .size = sizeof(ram), .gpa = 1ULL << 31,
				   .length = 16 * PVG_PAGE };
	struct pvg *g = &self->g;
	struct pviommu_query q;
	__u8 *anon = anon_ram(self->fd, &ram);

	ASSERT_NE(NULL, anon);
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	pvg_map(g, self->root, IOVA, ram.gpa + 3 * PVG_PAGE, PVG_RW);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 0, 0));
	ASSERT_EQ(0, pvg_query(g, SID_A, IOVA, &q));
	EXPECT_EQ(ram.gpa + 3 * PVG_PAGE, q.out_gpa);
	EXPECT_EQ(pvg_phys(anon + 3 * PVG_PAGE), q.out_phys);

	/* Removing the slot unmaps and unpins what points into it. */
	ram.uaddr = 0;
	ASSERT_EQ(0, ioctl(self->fd, PVIOMMU_RAM_REMOVE, &ram));
	EXPECT_EQ(-ENOENT, pvg_query(g, SID_A, IOVA, &q));
	munmap(anon, 16 * PVG_PAGE);
}

/*
 * The group leaves the container while attached: its devices are
 * detached and blocked and every pin released first. Back in the
 * container (which lost its type and link with its last group), the
 * device attaches again and gets its mappings at once.
 */
TEST_F(dma, group_leaves_container)
{
	struct pvg *g = &self->g;
	struct pviommu_stats st;
	struct pviommu_query q;

	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	pvg_map(g, self->root, IOVA, GPA, PVG_RW);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 0, 0));
	ASSERT_EQ(0, ioctl(self->v.group, VFIO_GROUP_UNSET_CONTAINER));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(0, st.out_pinned_pages);
	EXPECT_EQ(0, st.out_shadows);
	EXPECT_EQ(-ENOENT, pvg_query(g, SID_A, IOVA, &q));
	EXPECT_EQ(-ENOENT, pvg_attach(g, self->hbdf, SID_A));

	ASSERT_EQ(0, pvv_set_container(&self->v, self->v.container));
	ASSERT_EQ(0, pvv_set_iommu(self->v.container, PVIOMMU_VFIO_IOMMU));
	EXPECT_EQ(-ENOENT, pvg_attach(g, self->hbdf, SID_A));
	ASSERT_EQ(0, pvv_link(self->v.container, self->fd));
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	ASSERT_EQ(0, pvg_query(g, SID_A, IOVA, &q));
}

/*
 * Concurrency: two threads on one context, a close and a group leaving
 * its container while an invalidation runs, a VMM killed mid-batch.
 */
struct conc {
	struct pvg *g;
	__u64 root;
	int stop;		/* __atomic */
	int errors;
	long long before;
	int fd;
	struct pvv *v;
};

/* Thread B: every other call, and a RAM slot coming and going. */
static void *conc_other(void *arg)
{
	struct conc *c = arg;
	__u8 *extra = mmap(NULL, PVG_PAGE * 16, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	struct pviommu_ram ram = {
		.size = sizeof(ram), .gpa = 1ULL << 32,
		.length = PVG_PAGE * 16, .uaddr = (uintptr_t)extra,
	};
	struct pviommu_fault f[4];
	struct pviommu_stats st;
	struct pviommu_query q;

	if (extra == MAP_FAILED)
		return NULL;
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		c->errors += !!pvg_stats(c->g->fd, &st);
		c->errors += pvg_faults(c->g->fd, f, 4) < 0;
		c->errors += pvg_query(c->g, SID_A, IOVA, &q) == -EINVAL;
		c->errors += !!pvg_context_flush(c->g, SID_A);
		ram.uaddr = (uintptr_t)extra;
		c->errors += !!ioctl(c->g->fd, PVIOMMU_RAM_ADD, &ram);
		ram.uaddr = 0;
		c->errors += !!ioctl(c->g->fd, PVIOMMU_RAM_REMOVE, &ram);
	}
	munmap(extra, PVG_PAGE * 16);
	return NULL;
}

TEST_F(dma, two_threads)
{
	struct conc c = { .g = &self->g, .root = self->root };
	struct pvg *g = &self->g;
	struct pviommu_stats st;
	struct pviommu_query q;
	int i, mapped[16] = { 0 }, n = 0;
	pthread_t t;

	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	ASSERT_EQ(0, pthread_create(&t, NULL, conc_other, &c));
	for (i = 0; i < 400; i++) {
		int k = (i * 7) % 16;

		mapped[k] = !mapped[k];
		pvg_map(g, self->root, IOVA + k * PVG_PAGE,
			GPA + k * PVG_PAGE, mapped[k] ? PVG_RW : 0);
		if (pvg_flush(g, 1, IOVA + k * PVG_PAGE, 0, 0))
			c.errors++;
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, c.errors);
	for (i = 0; i < 16; i++) {
		int rc = pvg_query(g, SID_A, IOVA + i * PVG_PAGE, &q);

		EXPECT_EQ(mapped[i] ? 0 : -ENOENT, rc) TH_LOG("page %d", i);
		if (!rc)
			EXPECT_EQ(pvg_phys(g->ram + GPA + i * PVG_PAGE),
				  q.out_phys);
		n += mapped[i];
	}
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(n, st.out_pinned_pages);
}

/* Thread B: once the invalidation pins, close the context and the group. */
static void *conc_close(void *arg)
{
	struct conc *c = arg;
	int i;

	for (i = 0; i < 100000 && pvg_global_pinned() <= c->before; i++)
		usleep(100);
	c->errors += pvg_global_pinned() <= c->before;
	close(c->fd);
	pvv_close(c->v);
	return NULL;
}

/*
 * The context is closed and the device's group leaves its container
 * while an invalidation maps all of guest RAM (pass-through): both wait
 * for it, and everything is released after.
 */
TEST_F(dma, close_during_invalidate)
{
	struct conc c = { .g = &self->g, .fd = self->fd, .v = &self->v };
	struct pvg *g = &self->g;
	pthread_t t;

	if (self->pinned0 < 0)
		SKIP(return, "no debugfs pviommu/pinned_pages");
	c.before = self->pinned0;
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	pvg_context(g, SID_A, 2, 0, 2);
	ASSERT_EQ(0, pthread_create(&t, NULL, conc_close, &c));
	/* Done, or stopped because the group left: not a crash. */
	pvg_context_flush(g, SID_A);
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, c.errors) TH_LOG("the invalidation pinned nothing");
	self->fd = -1;
	EXPECT_EQ(self->pinned0, pvg_global_pinned());
	/* The device is free for the next VMM. */
	ASSERT_EQ(0, pvv_open(&self->v, self->bdf, -1));
}

/* Ready, then one ATTACH that pins all of 256 MiB, untranslated. */
static int vmm_attach_all(const char *bdf, __u32 hbdf, int ready)
{
	int fd = open(PVIOMMU_DEV, O_RDWR);
	struct pvg cg;
	struct pvv v;

	if (fd < 0 || pvg_init(&cg, fd, 256 << 20) || pvv_open(&v, bdf, fd) ||
	    pvg_translate(&cg, 0))
		return 1;
	if (write(ready, "x", 1) != 1)
		return 2;
	pvg_attach(&cg, hbdf, SID_A);
	return 3;
}

/*
 * A VMM killed while one ATTACH pins all of guest RAM (translation
 * disabled): the call stops at the next batch, and every pin goes.
 */
TEST_F(dma, killed_mid_batch)
{
	long long before = self->pinned0, at_kill = 0;
	int status, i;
	pid_t pid;

	if (before < 0)
		SKIP(return, "no debugfs pviommu/pinned_pages");
	pvv_close(&self->v);
	pid = spawn_vmm(self->bdf, self->hbdf, vmm_attach_all);
	ASSERT_LT(0, pid);
	for (i = 0; i < 100000; i++) {
		at_kill = pvg_global_pinned();
		if (at_kill > before)
			break;
		usleep(100);
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	TH_LOG("killed with %lld of %llu pages pinned", at_kill - before,
	       (256ULL << 20) / PVG_PAGE);
	EXPECT_LT(before, at_kill);
	EXPECT_EQ(before, pvg_global_pinned());
	ASSERT_EQ(0, pvv_open(&self->v, self->bdf, self->fd));
}

/*
 * One guest page mapped at 2^19 + 1024 IOVAs (a guest's tables can; a
 * table that points at itself makes it cheap): pviommu stops pinning the
 * page before its reference count nears where GUP warns (each pin of a
 * small page takes 1024 references), leaves the rest unmapped with fault
 * records, and closing releases every pin.
 */
#define PB_LEAVES	((1U << 19) + 1024)

TEST_F_TIMEOUT(dma, pin_bound, 600)
{
	struct pvg *g = &self->g;
	__u64 target = 32ULL << 20, d[4];
	unsigned int i, failed = 0;
	struct pviommu_stats st;

	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	for (i = 0; i < PB_LEAVES; i++)
		pvg_map(g, self->root, (1ULL << 32) + (__u64)i * PVG_PAGE,
			target, PVG_R);
	ASSERT_GT(target, g->next_table);
	d[0] = 0x2 | 2 << 4 | 1 << 16;	/* domain-selective, domain 1 */
	d[1] = 0;
	pvg_wait(d + 2, PVG_STATUS, 2, 0);
	ASSERT_EQ(0, pvg_invalidate_all(g, d, 2, &failed));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	TH_LOG("%llu leaves mapped, %u left unmapped",
	       (unsigned long long)st.out_mappings, failed);
	EXPECT_LT(0, failed);
	EXPECT_GE(1ULL << 19, st.out_pinned_pages);
	EXPECT_EQ(PB_LEAVES, st.out_mappings + failed);
	EXPECT_EQ(st.out_mappings, st.out_pinned_pages);
}

/*
 * Translation Enable, as a guest's firmware, its driver and kexec see it:
 * before the guest enables translation, DMA reaches guest physical
 * addresses over all guest RAM with no table at all; enabled, only what
 * the context entry maps; disabled again, guest physical addresses again.
 */
TEST_F(dma, translation_enable)
{
	struct pvg *g = &self->g;
	struct pviommu_stats st;
	struct edu e;

	if (!self->edu)
		SKIP(return, "%s is not an edu device", self->bdf);
	pvg_context(g, SID_A, 0, 0, 0);
	ASSERT_EQ(0, pvg_translate(g, 0));
	ASSERT_EQ(0, pvg_attach(g, self->hbdf, SID_A));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(RAM_SIZE / PVG_PAGE, st.out_pinned_pages);
	ASSERT_EQ(0, edu_open(&e, &self->v, self->bdf));
	pvg_pattern(g->ram + GPA, LEN, 11);
	ASSERT_EQ(0, edu_copy(&e, GPA, GPA + PVG_PAGE, LEN));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 11));

	/* Enabled: IOVA -> GPA + 2 pages only. */
	pvg_map(g, self->root, IOVA, GPA + 2 * PVG_PAGE, PVG_RW);
	pvg_context(g, SID_A, 1, self->root, 0);
	ASSERT_EQ(0, pvg_translate(g, 1));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(1, st.out_pinned_pages);
	pvg_pattern(g->ram + GPA + 2 * PVG_PAGE, LEN, 12);
	ASSERT_EQ(0, edu_dma(&e, IOVA, LEN, 0));
	memset(g->ram + GPA + 2 * PVG_PAGE, 0, LEN);
	memset(g->ram + GPA + 3 * PVG_PAGE, 0, LEN);
	ASSERT_EQ(0, edu_dma(&e, GPA + 3 * PVG_PAGE, LEN, 1));
	EXPECT_FALSE(pvg_is_pattern(g->ram + GPA + 3 * PVG_PAGE, LEN, 12));
	ASSERT_EQ(0, edu_dma(&e, IOVA, LEN, 1));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + 2 * PVG_PAGE, LEN, 12));

	/* Disabled again (kexec): guest physical addresses again. */
	ASSERT_EQ(0, pvg_translate(g, 0));
	ASSERT_EQ(0, edu_copy(&e, GPA, GPA + 3 * PVG_PAGE, LEN));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + 3 * PVG_PAGE, LEN, 11));
	ASSERT_EQ(0, pvg_stats(self->fd, &st));
	EXPECT_EQ(RAM_SIZE / PVG_PAGE, st.out_pinned_pages);
	edu_close(&e);
}

/*
 * Scalable mode, as a Linux guest on QEMU's x-scalable-mode unit uses it:
 * the device's DMA without PASID through its RID_PASID entry (PASID 0),
 * second stage, then pass-through and back through PASID-cache
 * invalidations, a PASID-based IOTLB invalidation for a new page, a
 * second device hot-added into the populated domain, first stage (an
 * IA-32e table: user privilege, so U/S on every level; no R/W, no write),
 * and a nested entry refused with a fault record.
 */
#define SM_ECAP		(PVG_ECAP | 1ULL << 43 | 1ULL << 46 | 1ULL << 47)
				/* SMTS, SLTS, FLTS */
#define FS_DIR		0x7ULL	/* P, R/W, U/S */
#define PC_PASID(did, pasid)	(0x7 | 1 << 4 | (__u64)(did) << 16 | \
				 (__u64)(pasid) << 32)
#define PC_DOMAIN(did)		(0x7 | (__u64)(did) << 16)
#define PIOTLB_PAGE(did)	(0x6 | 3 << 4 | (__u64)(did) << 16)

struct sm_guest {
	struct pvg g;
	__u64 sctp, pdt, ptt, root;
};

/* Bus 1's scalable root entry, PASID 0's directory entry. */
static void sm_tables(struct sm_guest *s)
{
	s->sctp = pvg_table(&s->g);
	s->pdt = pvg_table(&s->g);
	s->ptt = pvg_table(&s->g);
	s->root = pvg_table(&s->g);
	pvg_u64(&s->g, s->g.rta)[2 * 1] = s->sctp | 1;
	pvg_u64(&s->g, s->pdt)[0] = s->ptt | 1;
}

/* Device @sid's context entry: PASID directory @s->pdt, RID_PASID 0. */
static void sm_context(struct sm_guest *s, __u16 sid)
{
	__u64 *ce = pvg_u64(&s->g, s->sctp + 32 * (sid & 0x7f));

	memset(ce, 0, 32);
	ce[0] = s->pdt | 1;
}

/*
 * PASID 0's entry: PGTT @pgtt over @s->root (second stage, 4 levels) or
 * @fs_root (first stage, 4 levels), domain 1.
 */
static void sm_pasid_fs(struct sm_guest *s, unsigned int pgtt, __u64 fs_root)
{
	__u64 *pte = pvg_u64(&s->g, s->ptt);

	memset(pte, 0, 64);
	pte[1] = 1;
	pte[0] = (pgtt == 2 ? s->root : 0) | 2 << 2 | (__u64)pgtt << 6 | 1;
	if (pgtt == 1)
		pte[2] = fs_root;
}

static void sm_pasid(struct sm_guest *s, unsigned int pgtt)
{
	sm_pasid_fs(s, pgtt, 0);
}

/* A first-stage leaf for @iova: directories P, R/W, U/S. */
static void fs_map(struct pvg *g, __u64 root, __u64 iova, __u64 pte)
{
	__u64 table = root;
	int l;

	for (l = 4; l > 1; l--) {
		__u64 *e = &pvg_u64(g, table)[(iova >> (12 + 9 * (l - 1))) &
					      511];

		if (!(*e & 1))
			*e = pvg_table(g) | FS_DIR;
		table = *e & ~0xfffULL;
	}
	pvg_u64(g, table)[(iova >> 12) & 511] = pte;
}

/* One 256-bit descriptor and a wait; 0 or -errno. */
static int sm_flush(struct sm_guest *s, __u64 qw0, __u64 qw1)
{
	__u64 d[8] = { qw0, qw1 };
	struct pviommu_invalidate inv = {
		.size = sizeof(inv), .data_uptr = (uintptr_t)d,
		.entry_len = 32, .entry_num = 2,
	};

	pvg_wait(d + 4, PVG_STATUS, 2, 0);
	return ioctl(s->g.fd, PVIOMMU_INVALIDATE, &inv) ? -errno : 0;
}

TEST_F(dma, scalable)
{
	const char *bdf2 = getenv("PVIOMMU_TEST_DEVICE2");
	struct pviommu_stats st;
	struct pviommu_fault f[4];
	struct sm_guest s;
	struct pvv v, v2;
	struct edu e, e2;
	__u64 fs_root;
	__u32 hbdf2;
	int fd;

	if (!self->edu)
		SKIP(return, "%s is not an edu device", self->bdf);
	/* The fixture's legacy-mode context goes: a unit has one mode. */
	pvv_close(&self->v);
	close(self->fd);
	self->fd = -1;

	fd = open(PVIOMMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pvg_init_mode(&s.g, fd, RAM_SIZE, SM_ECAP, 1));
	ASSERT_EQ(0, pvv_open(&v, self->bdf, fd));
	sm_tables(&s);
	sm_context(&s, SID_A);
	sm_pasid(&s, 2);
	pvg_map(&s.g, s.root, IOVA, GPA, PVG_RW);
	ASSERT_EQ(0, pvg_attach(&s.g, self->hbdf, SID_A));
	ASSERT_EQ(0, edu_open(&e, &v, self->bdf));

	/* Second stage; a new page through a PASID-based IOTLB flush. */
	pvg_map(&s.g, s.root, IOVA + PVG_PAGE, GPA + PVG_PAGE, PVG_RW);
	ASSERT_EQ(0, sm_flush(&s, PIOTLB_PAGE(1), IOVA + PVG_PAGE));
	pvg_pattern(s.g.ram + GPA, LEN, 21);
	memset(s.g.ram + GPA + PVG_PAGE, 0, LEN);
	ASSERT_EQ(0, edu_copy(&e, IOVA, IOVA + PVG_PAGE, LEN));
	EXPECT_TRUE(pvg_is_pattern(s.g.ram + GPA + PVG_PAGE, LEN, 21));

	/* Pass-through (PGTT 4), PASID-selective PASID-cache flush. */
	sm_pasid(&s, 4);
	ASSERT_EQ(0, sm_flush(&s, PC_PASID(1, 0), 0));
	memset(s.g.ram + GPA + 2 * PVG_PAGE, 0, LEN);
	ASSERT_EQ(0, edu_copy(&e, GPA, GPA + 2 * PVG_PAGE, LEN));
	EXPECT_TRUE(pvg_is_pattern(s.g.ram + GPA + 2 * PVG_PAGE, LEN, 21));
	ASSERT_EQ(0, pvg_stats(fd, &st));
	EXPECT_EQ(RAM_SIZE / PVG_PAGE, st.out_pinned_pages);

	/* Back, domain-selective: GPA is not an IOVA there. */
	sm_pasid(&s, 2);
	ASSERT_EQ(0, sm_flush(&s, PC_DOMAIN(1), 0));
	ASSERT_EQ(0, pvg_stats(fd, &st));
	EXPECT_EQ(2, st.out_pinned_pages);
	memset(s.g.ram + GPA + 3 * PVG_PAGE, 0, LEN);
	ASSERT_EQ(0, edu_dma(&e, IOVA, LEN, 0));
	ASSERT_EQ(0, edu_dma(&e, GPA + 3 * PVG_PAGE, LEN, 1));
	EXPECT_FALSE(pvg_is_pattern(s.g.ram + GPA + 3 * PVG_PAGE, LEN, 21));

	/* Hot-add a second device into the populated domain. */
	if (bdf2 && *bdf2 && edu_is(bdf2)) {
		ASSERT_EQ(0, pvg_parse_bdf(bdf2, &hbdf2));
		ASSERT_EQ(0, pvv_open(&v2, bdf2, fd));
		sm_context(&s, SID_B);
		ASSERT_EQ(0, pvg_attach(&s.g, hbdf2, SID_B));
		ASSERT_EQ(0, pvg_stats(fd, &st));
		EXPECT_EQ(1, st.out_shadows);
		ASSERT_EQ(0, edu_open(&e2, &v2, bdf2));
		pvg_pattern(s.g.ram + GPA, LEN, 22);
		memset(s.g.ram + GPA + PVG_PAGE, 0, LEN);
		ASSERT_EQ(0, edu_copy(&e2, IOVA, IOVA + PVG_PAGE, LEN));
		EXPECT_TRUE(pvg_is_pattern(s.g.ram + GPA + PVG_PAGE, LEN, 22));
		edu_close(&e2);
		pvv_close(&v2);
	}

	/*
	 * First stage: IOVA -> GPA + 4 pages, writable; IOVA + 1 page ->
	 * GPA + 5 pages without R/W: the device reads, cannot write.
	 */
	fs_root = pvg_table(&s.g);
	fs_map(&s.g, fs_root, IOVA, (GPA + 4 * PVG_PAGE) | FS_DIR);
	fs_map(&s.g, fs_root, IOVA + PVG_PAGE, (GPA + 5 * PVG_PAGE) | 0x5);
	sm_pasid_fs(&s, 1, fs_root);
	ASSERT_EQ(0, sm_flush(&s, PC_PASID(1, 0), 0));
	pvg_pattern(s.g.ram + GPA + 5 * PVG_PAGE, LEN, 23);
	memset(s.g.ram + GPA + 4 * PVG_PAGE, 0, LEN);
	ASSERT_EQ(0, edu_copy(&e, IOVA + PVG_PAGE, IOVA, LEN));
	EXPECT_TRUE(pvg_is_pattern(s.g.ram + GPA + 4 * PVG_PAGE, LEN, 23));
	memset(s.g.ram + GPA + 5 * PVG_PAGE, 0, LEN);
	ASSERT_EQ(0, edu_dma(&e, IOVA + PVG_PAGE, LEN, 1));
	EXPECT_FALSE(pvg_is_pattern(s.g.ram + GPA + 5 * PVG_PAGE, LEN, 23));

	/* Requests with PASID enabled (PASIDE): refused, one host record. */
	while (pvg_faults(fd, f, 4) > 0)
		;
	pvg_u64(&s.g, s.sctp + 32 * (SID_A & 0x7f))[0] |= 1 << 3;
	ASSERT_EQ(0, pvg_context_flush(&s.g, SID_A));
	ASSERT_EQ(1, pvg_faults(fd, f, 4));
	EXPECT_EQ(PVIOMMU_FAULT_HOST_PASID, f[0].reason);
	ASSERT_EQ(0, pvg_context_flush(&s.g, SID_A));
	EXPECT_EQ(0, pvg_faults(fd, f, 4));
	ASSERT_EQ(0, edu_copy(&e, IOVA + PVG_PAGE, IOVA, LEN));

	/* Nested: refused, with the SM reason for a bad PASID entry. */
	while (pvg_faults(fd, f, 4) > 0)
		;
	sm_pasid(&s, 3);
	ASSERT_EQ(0, sm_flush(&s, PC_PASID(1, 0), 0));
	ASSERT_EQ(0, pvg_stats(fd, &st));
	EXPECT_EQ(0, st.out_pinned_pages);
	ASSERT_LE(1, pvg_faults(fd, f, 4));
	EXPECT_EQ(0x5b, f[0].reason);
	EXPECT_EQ(SID_A, f[0].sid);

	edu_close(&e);
	pvv_close(&v);
	close(fd);
	pvg_fini(&s.g);
	if (self->pinned0 >= 0)
		EXPECT_EQ(self->pinned0, pvg_global_pinned());
	ASSERT_EQ(0, pvv_open(&self->v, self->bdf, -1));
}

/*
 * The fail-nth sweep, on the real module: a fresh context per n runs one
 * flow (attach with mappings to replay, map churn, a widened invalidation,
 * a context switch to another domain, close) with the context's nth
 * fallible step failing (debugfs fail_nth, in test builds), for n = 1, 2,
 * ... until the flow no longer reaches n. After each: every invalidation
 * completed; the tree holds only what the guest's tables say now, each
 * entry over the page behind its GPA on the host; pins equal mappings.
 * Then the guest's global invalidations map what failed (and the edu's
 * DMA lands), and close releases every pin.
 * PVIOMMU_TEST_FAULT_INJECTION=1 (the VM) makes a build without the
 * debugfs file a failure instead of a skip.
 */
#define FN_RAM		(8ULL << 20)
#define FN_PAGES	12		/* IOVA pages the flow uses */
#define FN_GPA(i)	(GPA + (__u64)(i) * PVG_PAGE)

static long long fn_read(const char *dir)
{
	char path[600];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fail_nth", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int fn_write(const char *dir, unsigned int n)
{
	char path[600];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/fail_nth", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fprintf(f, "%u\n", n) < 0;
	return fclose(f) || ret ? -1 : 0;
}

/* Domain 1 maps pages 0-7; domain 2 pages 0-3 and 9 elsewhere. */
static void fn_guest(struct pvg *g, __u64 r1, __u64 r2, __u64 *want)
{
	int i;

	for (i = 0; i < 8; i++)
		pvg_map(g, r1, IOVA + i * PVG_PAGE, FN_GPA(i), PVG_RW);
	memset(want, 0, FN_PAGES * sizeof(*want));
	for (i = 0; i < 4; i++)
		want[i] = FN_GPA(16 + i);
	want[9] = FN_GPA(20);
	for (i = 0; i < FN_PAGES; i++)
		if (want[i])
			pvg_map(g, r2, IOVA + i * PVG_PAGE, want[i], PVG_RW);
	pvg_context(g, SID_A, 1, r1, 0);
}

/* What a VMM does for the flow; 0 when every invalidation completed. */
static int fn_flow(struct pvg *g, __u32 hbdf, __u64 r1, __u64 r2,
		   int *attached)
{
	int ret = 0;

	*attached = !pvg_attach(g, hbdf, SID_A);
	pvg_map(g, r1, IOVA, 0, 0);
	ret |= pvg_flush(g, 1, IOVA, 0, 0);
	pvg_map(g, r1, IOVA + 8 * PVG_PAGE, FN_GPA(8), PVG_RW);
	ret |= pvg_flush(g, 1, IOVA + 8 * PVG_PAGE, 0, 0);
	pvg_map(g, r1, IOVA + 2 * PVG_PAGE, 0, 0);
	pvg_map(g, r1, IOVA + 4 * PVG_PAGE, 0, 0);
	ret |= pvg_flush(g, 1, IOVA, 4, 0);
	pvg_context(g, SID_A, 2, r2, 0);
	ret |= pvg_context_flush(g, SID_A);
	return ret;
}

/*
 * QUERY of SID_A against @want: an entry only where the guest maps, over
 * the page behind the GPA; with @all, an entry wherever it maps. Returns
 * the number of pages that differ.
 */
static int fn_check(struct pvg *g, const __u64 *want, int all)
{
	struct pviommu_query q;
	int i, bad = 0;

	for (i = 0; i < FN_PAGES; i++) {
		if (pvg_query(g, SID_A, IOVA + i * PVG_PAGE, &q)) {
			bad += all && want[i];
			continue;
		}
		if (!want[i] || q.out_gpa != want[i] ||
		    q.out_phys != pvg_phys(g->ram + want[i])) {
			fprintf(stderr, "# page %d: gpa %llx phys %llx\n", i,
				(unsigned long long)q.out_gpa,
				(unsigned long long)q.out_phys);
			bad++;
		}
	}
	return bad;
}

TEST_F(dma, fail_nth)
{
	const char *must = getenv("PVIOMMU_TEST_FAULT_INJECTION");
	unsigned int n, fired = 0;
	__u64 want[FN_PAGES];
	struct pviommu_stats st;
	char dir[512];
	long long left;
	struct edu e;

	if (!self->edu)
		SKIP(return, "%s is not an edu device", self->bdf);
	if (pvg_ctx_dir(dir, sizeof(dir)) != 1 || fn_read(dir) < 0) {
		if (must && *must == '1')
			ASSERT_TRUE(0) TH_LOG("no debugfs fail_nth");
		SKIP(return, "not a fault-injection build");
	}
	/* A fresh context per run: the fixture's goes. */
	pvv_close(&self->v);
	close(self->fd);
	self->fd = -1;

	for (n = 1; n < 1000; n++) {
		struct pvg g = { .memfd = -1 };
		struct pvv v;
		__u64 r1, r2;
		int fd, attached;

		fd = open(PVIOMMU_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, pvg_init(&g, fd, FN_RAM));
		ASSERT_EQ(0, pvv_open(&v, self->bdf, fd));
		r1 = pvg_table(&g);
		r2 = pvg_table(&g);
		fn_guest(&g, r1, r2, want);
		ASSERT_EQ(1, pvg_ctx_dir(dir, sizeof(dir)));

		ASSERT_EQ(0, fn_write(dir, n));
		EXPECT_EQ(0, fn_flow(&g, self->hbdf, r1, r2, &attached))
			TH_LOG("n %u: an invalidation did not complete", n);
		left = fn_read(dir);
		ASSERT_LE(0, left);
		EXPECT_EQ(0, fn_check(&g, want, 0)) TH_LOG("n %u", n);
		ASSERT_EQ(0, pvg_stats(fd, &st));
		EXPECT_EQ(st.out_mappings, st.out_pinned_pages)
			TH_LOG("n %u", n);

		/* The guest's next invalidations map what failed. */
		ASSERT_EQ(0, fn_write(dir, 0));
		if (!attached)
			ASSERT_EQ(0, pvg_attach(&g, self->hbdf, SID_A));
		ASSERT_EQ(0, pvg_global_flush(&g));
		EXPECT_EQ(0, fn_check(&g, want, 1)) TH_LOG("n %u", n);
		ASSERT_EQ(0, edu_open(&e, &v, self->bdf));
		pvg_pattern(g.ram + want[0], LEN, n);
		memset(g.ram + want[1], 0, LEN);
		EXPECT_EQ(0, edu_copy(&e, IOVA, IOVA + PVG_PAGE, LEN));
		EXPECT_TRUE(pvg_is_pattern(g.ram + want[1], LEN, n))
			TH_LOG("n %u", n);
		edu_close(&e);

		pvv_close(&v);
		close(fd);
		pvg_fini(&g);
		if (self->pinned0 >= 0)
			EXPECT_EQ(self->pinned0, pvg_global_pinned())
				TH_LOG("n %u", n);
		if (left || _metadata->exit_code == KSFT_FAIL)
			break;
		fired++;
	}
	TH_LOG("%u fallible steps, each failed once", fired);
	EXPECT_LT(20, fired);
}

TEST_HARNESS_MAIN
