// SPDX-License-Identifier: GPL-2.0
/*
 * pviommu kselftests of the VFIO route: the container of pviommu's IOMMU
 * type, its link to a context, what it refuses, interrupts through VFIO,
 * IOMMU groups of several devices, and every teardown order.
 *
 * PVIOMMU_TEST_DEVICE and PVIOMMU_TEST_DEVICE2 name devices on vfio-pci,
 * each alone in its group; PVIOMMU_TEST_GROUP names two devices of one
 * group ("<bdf> <bdf>", on vfio-pci). Tests that need an edu skip on other
 * devices.
 */
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

#include "pviommu_guest.h"
#include "pviommu_utils.h"

#define RAM_SIZE	(16ULL << 20)
#define SID_A		0x0100
#define SID_B		0x0108
#define IOVA		0x100000ULL
#define GPA		0x200000ULL
#define LEN		256

/* What every test starts from: a context with guest RAM and two leaves. */
struct vm {
	int fd;
	struct pvg g;
	const char *bdf;
	__u32 hbdf;
	int edu;
	__u64 root;
	long long pinned0;
};

static void vm_setup(struct __test_metadata *_metadata, struct vm *m)
{
	m->fd = -1;
	m->g.memfd = -1;
	m->bdf = getenv("PVIOMMU_TEST_DEVICE");
	if (!m->bdf || !*m->bdf)
		SKIP(return, "PVIOMMU_TEST_DEVICE not set");
	ASSERT_EQ(0, pvg_parse_bdf(m->bdf, &m->hbdf));
	m->edu = edu_is(m->bdf);
	m->pinned0 = pvg_global_pinned();
	m->fd = open(PVIOMMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, m->fd);
	ASSERT_EQ(0, pvg_init(&m->g, m->fd, RAM_SIZE));
	m->root = pvg_table(&m->g);
	pvg_context(&m->g, SID_A, 1, m->root, 0);
	pvg_map(&m->g, m->root, IOVA, GPA, PVG_RW);
	pvg_map(&m->g, m->root, IOVA + PVG_PAGE, GPA + PVG_PAGE, PVG_RW);
}

/* Closing the context (if the test did not) releases every pin. */
static void vm_teardown(struct __test_metadata *_metadata, struct vm *m)
{
	if (m->fd >= 0)
		close(m->fd);
	pvg_fini(&m->g);
	if (m->bdf && m->pinned0 >= 0)
		EXPECT_EQ(m->pinned0, pvg_global_pinned());
}

FIXTURE(vfio) {
	struct vm m;
};

FIXTURE_SETUP(vfio)
{
	vm_setup(_metadata, &self->m);
}

FIXTURE_TEARDOWN(vfio)
{
	vm_teardown(_metadata, &self->m);
}

/* The type is found on a new container; a set one reports coherency. */
TEST_F(vfio, check_extension)
{
	int c = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	struct pvv v;

	ASSERT_LE(0, c);
	EXPECT_EQ(VFIO_API_VERSION, ioctl(c, VFIO_GET_API_VERSION));
	EXPECT_EQ(1, ioctl(c, VFIO_CHECK_EXTENSION, PVIOMMU_VFIO_IOMMU));
	close(c);

	ASSERT_EQ(0, pvv_open(&v, self->m.bdf, -1));
	EXPECT_EQ(1, ioctl(v.container, VFIO_CHECK_EXTENSION,
			   PVIOMMU_VFIO_IOMMU));
	EXPECT_EQ(1, ioctl(v.container, VFIO_CHECK_EXTENSION,
			   VFIO_DMA_CC_IOMMU));
	EXPECT_EQ(0, ioctl(v.container, VFIO_CHECK_EXTENSION,
			   VFIO_TYPE1v2_IOMMU));
	pvv_close(&v);
}

/* Every way a link can be wrong, each with its own errno. */
TEST_F(vfio, link_errors)
{
	struct pviommu_vfio_link link = { .size = sizeof(link) };
	struct pvv v;
	int status, fd2;
	pid_t pid;

	/* A container without a type: VFIO refuses the ioctl. */
	v.container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, v.container);
	ASSERT_EQ(0, pvv_open_group(&v, self->m.bdf));
	ASSERT_EQ(0, pvv_set_container(&v, v.container));
	EXPECT_EQ(-EINVAL, pvv_link(v.container, self->m.fd));
	ASSERT_EQ(0, pvv_set_iommu(v.container, PVIOMMU_VFIO_IOMMU));

	EXPECT_EQ(-EBADF, pvv_link(v.container, -1));
	EXPECT_EQ(-EINVAL, pvv_link(v.container, v.group));
	link.pviommu_fd = self->m.fd;
	link.flags = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(v.container, PVIOMMU_VFIO_LINK, &link));
	link.flags = 0;
	link.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(v.container, PVIOMMU_VFIO_LINK, &link));
	link.__reserved = 0;
	link.size = 8;
	EXPECT_ERRNO(EINVAL, ioctl(v.container, PVIOMMU_VFIO_LINK, &link));

	/* A context of another process (a child that inherited the fds). */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(pvv_link(v.container, self->m.fd) == -EIO ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	ASSERT_EQ(0, pvv_link(v.container, self->m.fd));
	EXPECT_EQ(-EBUSY, pvv_link(v.container, self->m.fd));
	fd2 = open(PVIOMMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EBUSY, pvv_link(v.container, fd2));
	close(fd2);
	pvv_close(&v);
}

/* No VFIO map ioctl exists on this route; unknown ones are ENOTTY. */
TEST_F(vfio, map_dma_refused)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ,
		.vaddr = (uintptr_t)self->m.g.ram, .iova = 0, .size = PVG_PAGE,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .size = PVG_PAGE,
	};
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	struct pvv v;

	ASSERT_EQ(0, pvv_open(&v, self->m.bdf, self->m.fd));
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(v.container, VFIO_IOMMU_MAP_DMA, &map));
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(v.container, VFIO_IOMMU_UNMAP_DMA,
				       &unmap));
	EXPECT_ERRNO(ENOTTY, ioctl(v.container, VFIO_IOMMU_GET_INFO, &info));
	pvv_close(&v);
}

/* A container of another type does not know the link (type1's: ENOTTY). */
TEST_F(vfio, wrong_container_type)
{
	struct pvv v;

	v.container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, v.container);
	ASSERT_EQ(0, pvv_open_group(&v, self->m.bdf));
	ASSERT_EQ(0, pvv_set_container(&v, v.container));
	if (ioctl(v.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
		pvv_close(&v);
		SKIP(return, "no VFIO type1 backend loaded");
	}
	ASSERT_EQ(0, pvv_set_iommu(v.container, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(-ENOTTY, pvv_link(v.container, self->m.fd));
	pvv_close(&v);
}

/*
 * The device through VFIO's device interface: BAR0 mapped from the device
 * file, DMA through the shadow both ways, its MSI delivered to an eventfd
 * by VFIO_DEVICE_SET_IRQS; after the guest unmaps, the DMA no longer lands.
 */
TEST_F(vfio, dma_and_msi)
{
	struct pvg *g = &self->m.g;
	struct pollfd pfd;
	__u64 count = 0;
	struct pvv v;
	struct edu e;
	int efd;

	if (!self->m.edu)
		SKIP(return, "%s is not an edu device", self->m.bdf);
	ASSERT_EQ(0, pvv_open(&v, self->m.bdf, self->m.fd));
	ASSERT_EQ(0, pvg_attach(g, self->m.hbdf, SID_A));
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 1, 0));
	ASSERT_EQ(0, edu_open(&e, &v, self->m.bdf));
	EXPECT_LE(0x40000 + PVG_PAGE, e.d.bar_size);

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, pvv_msi(&e.d, efd));
	pvg_pattern(g->ram + GPA, LEN, 1);
	ASSERT_EQ(0, edu_dma(&e, IOVA, LEN, 0));
	ASSERT_EQ(0, edu_dma_flags(&e, IOVA + PVG_PAGE, LEN,
				   EDU_DMA_TO_RAM | EDU_DMA_IRQ));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 1));
	pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	ASSERT_EQ(sizeof(count), read(efd, &count, sizeof(count)));
	EXPECT_LE(1, count);
	EXPECT_TRUE(edu_r32(&e, EDU_IRQ_STATUS) & EDU_IRQ_DMA);
	edu_w32(&e, EDU_IRQ_ACK, EDU_IRQ_DMA);

	pvg_map(g, self->m.root, IOVA + PVG_PAGE, 0, 0);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA + PVG_PAGE, 0, 1));
	memset(g->ram + GPA + PVG_PAGE, 0, LEN);
	ASSERT_EQ(0, edu_dma(&e, IOVA + PVG_PAGE, LEN, 1));
	EXPECT_EQ(0, g->ram[GPA + PVG_PAGE + 1]);

	ASSERT_EQ(0, pvv_msi(&e.d, -1));
	close(efd);
	edu_close(&e);
	pvv_close(&v);
}

/* Two groups in one container, one guest domain: one shadow for both. */
TEST_F(vfio, two_groups_one_container)
{
	const char *bdf2 = getenv("PVIOMMU_TEST_DEVICE2");
	struct pvg *g = &self->m.g;
	struct pviommu_stats st;
	struct pvv v, v2;
	struct edu e2;
	__u32 hbdf2;

	if (!self->m.edu || !bdf2 || !*bdf2 || !edu_is(bdf2))
		SKIP(return, "needs two edu devices");
	ASSERT_EQ(0, pvg_parse_bdf(bdf2, &hbdf2));
	ASSERT_EQ(0, pvv_open(&v, self->m.bdf, self->m.fd));
	v2.container = -1;
	ASSERT_EQ(0, pvv_open_group(&v2, bdf2));
	ASSERT_EQ(0, pvv_set_container(&v2, v.container));
	pvg_context(g, SID_B, 1, self->m.root, 0);
	ASSERT_EQ(0, pvg_attach(g, self->m.hbdf, SID_A));
	ASSERT_EQ(0, pvg_attach(g, hbdf2, SID_B));
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 1, 0));
	ASSERT_EQ(0, pvg_stats(self->m.fd, &st));
	EXPECT_EQ(1, st.out_shadows);
	EXPECT_EQ(2, st.out_pinned_pages);

	ASSERT_EQ(0, edu_open(&e2, &v2, bdf2));
	pvg_pattern(g->ram + GPA, LEN, 2);
	ASSERT_EQ(0, edu_copy(&e2, IOVA, IOVA + PVG_PAGE, LEN));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 2));
	edu_close(&e2);
	pvv_close(&v2);
	pvv_close(&v);
}

/*
 * Two devices of one IOMMU group: the group translates only with both
 * attached and in one guest domain; otherwise both are blocked, with a
 * fault record for the device whose change blocked the group.
 */
TEST_F(vfio, group_of_two)
{
	const char *grp = getenv("PVIOMMU_TEST_GROUP");
	char a[32], b[32];
	struct pviommu_fault f[4];
	struct pvg *g = &self->m.g;
	__u32 ha, hb;
	__u64 root2;
	struct pvv v;
	struct edu e;

	if (!grp || sscanf(grp, "%31s %31s", a, b) != 2 || !edu_is(a))
		SKIP(return, "PVIOMMU_TEST_GROUP does not name two edus");
	ASSERT_EQ(pvv_group_of(a), pvv_group_of(b));
	ASSERT_EQ(0, pvg_parse_bdf(a, &ha));
	ASSERT_EQ(0, pvg_parse_bdf(b, &hb));
	ASSERT_EQ(0, pvv_open(&v, a, self->m.fd));
	ASSERT_EQ(0, edu_open(&e, &v, a));
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 1, 0));
	pvg_pattern(g->ram + GPA, LEN, 3);

	/* Half the group attached: blocked, and a fault record says so. */
	ASSERT_EQ(0, pvg_attach(g, ha, SID_A));
	ASSERT_EQ(1, pvg_faults(self->m.fd, f, 4));
	EXPECT_EQ(SID_A, f[0].sid);
	EXPECT_EQ(0x3, f[0].reason);
	ASSERT_EQ(0, edu_copy(&e, IOVA, IOVA + PVG_PAGE, LEN));
	EXPECT_FALSE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 3));

	/* The whole group in one domain: it translates. */
	pvg_context(g, SID_B, 1, self->m.root, 0);
	ASSERT_EQ(0, pvg_attach(g, hb, SID_B));
	ASSERT_EQ(0, edu_copy(&e, IOVA, IOVA + PVG_PAGE, LEN));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 3));

	/* The guest puts the other device in another domain: blocked. */
	root2 = pvg_table(g);
	pvg_context(g, SID_B, 2, root2, 0);
	ASSERT_EQ(0, pvg_context_flush(g, SID_B));
	ASSERT_EQ(1, pvg_faults(self->m.fd, f, 4));
	EXPECT_EQ(SID_B, f[0].sid);
	memset(g->ram + GPA + PVG_PAGE, 0, LEN);
	ASSERT_EQ(0, edu_copy(&e, IOVA, IOVA + PVG_PAGE, LEN));
	EXPECT_FALSE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 3));

	/* Back in one domain: translating again. */
	pvg_context(g, SID_B, 1, self->m.root, 0);
	ASSERT_EQ(0, pvg_context_flush(g, SID_B));
	ASSERT_EQ(0, edu_copy(&e, IOVA, IOVA + PVG_PAGE, LEN));
	EXPECT_TRUE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 3));
	edu_close(&e);
	pvv_close(&v);
}

/* The value of @key in a debugfs "key value" file, or -1. */
static long long file_value(const char *dir, const char *file,
			    const char *key)
{
	char path[512], k[64];
	long long v, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", k, &v) == 2)
		if (!strcmp(k, key))
			ret = v;
	fclose(f);
	return ret;
}

/* Whether file @path contains @text. */
static int file_has(const char *path, const char *text)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY), found = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = 0;
		found = !!strstr(buf, text);
	}
	close(fd);
	return found;
}

/*
 * The context's debugfs directory: there while it is open, named by the
 * VMM's pid, with the counters of a known flow; gone at close.
 */
TEST_F(vfio, debugfs_context)
{
	struct pvg *g = &self->m.g;
	char dir[512], path[600], want[64];
	struct pvv v;

	ASSERT_EQ(1, pvg_ctx_dir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/owner", dir);
	snprintf(want, sizeof(want), "pid %d comm ", getpid());
	EXPECT_TRUE(file_has(path, want));
	EXPECT_EQ(0, file_value(dir, "stats", "mappings"));

	ASSERT_EQ(0, pvv_open(&v, self->m.bdf, self->m.fd));
	ASSERT_EQ(0, pvg_attach(g, self->m.hbdf, SID_A));
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 1, 0));
	EXPECT_EQ(2, file_value(dir, "stats", "mappings"));
	EXPECT_EQ(2, file_value(dir, "stats", "pinned_pages"));
	EXPECT_EQ(1, file_value(dir, "stats", "devices"));
	EXPECT_EQ(1, file_value(dir, "stats", "shadows"));
	EXPECT_LE(1, file_value(dir, "stats", "maps"));
	EXPECT_LE(1, file_value(dir, "stats", "walks"));
	snprintf(path, sizeof(path), "%s/devices", dir);
	snprintf(want, sizeof(want), "%s guest 01:00.0", self->m.bdf);
	EXPECT_TRUE(file_has(path, want));
	EXPECT_TRUE(file_has(path, "did 1 root"));
	snprintf(path, sizeof(path), "%s/shadows", dir);
	EXPECT_TRUE(file_has(path, "mappings 2 devices 1"));

	/* pviommu-stat shows the context, with its numbers. */
	if (getenv("PVIOMMU_STAT")) {
		char cmd[600], line[512];
		int seen = 0;
		FILE *p;

		snprintf(cmd, sizeof(cmd), "%s -n 1", getenv("PVIOMMU_STAT"));
		p = popen(cmd, "r");
		ASSERT_NE(NULL, p);
		while (fgets(line, sizeof(line), p))
			if (strstr(line, strrchr(dir, '/') + 1))
				seen++;
		EXPECT_EQ(0, pclose(p));
		EXPECT_EQ(1, seen);
	}

	close(self->m.fd);
	self->m.fd = -1;
	pvv_close(&v);
	EXPECT_EQ(0, pvg_ctx_dir(dir, sizeof(dir)));
}

/* Write @val to tracefs file @file. */
static int trace_write(const char *file, const char *val)
{
	char path[256];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* The tracepoints fire for a map and an unmap, with their fields. */
TEST_F(vfio, tracepoints)
{
	const char *trace = "/sys/kernel/tracing/trace";
	struct pvg *g = &self->m.g;
	char want[128];
	struct pvv v;

	mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	if (trace_write("events/pviommu/enable", "1"))
		SKIP(return, "no pviommu events in tracefs");
	ASSERT_EQ(0, trace_write("trace", ""));
	ASSERT_EQ(0, pvv_open(&v, self->m.bdf, self->m.fd));
	ASSERT_EQ(0, pvg_attach(g, self->m.hbdf, SID_A));
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 1, 0));
	pvg_map(g, self->m.root, IOVA + PVG_PAGE, 0, 0);
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA + PVG_PAGE, 0, 1));
	ASSERT_EQ(0, trace_write("events/pviommu/enable", "0"));

	EXPECT_TRUE(file_has(trace, "pviommu_device: sid=0100 translated did=1"));
	snprintf(want, sizeof(want),
		 "pviommu_desc: type=2 scope=4 did=1 sid=0000 range=%#llx-%#llx result=0",
		 IOVA, IOVA + 2 * PVG_PAGE - 1);
	EXPECT_TRUE(file_has(trace, want));
	EXPECT_TRUE(file_has(trace, "pviommu_walk: did=1"));
	/* One call for both leaves, or one each when not contiguous. */
	snprintf(want, sizeof(want), "pviommu_host_map: iova=%#llx size=0x",
		 IOVA);
	EXPECT_TRUE(file_has(trace, want));
	snprintf(want, sizeof(want),
		 "pviommu_host_unmap: iova=%#llx size=0x1000", IOVA + PVG_PAGE);
	EXPECT_TRUE(file_has(trace, want));
	EXPECT_TRUE(file_has(trace, "pviommu_host_sync: domains=1 unpin_runs=1"));
	EXPECT_TRUE(file_has(trace, "pviommu_desc: type=5"));
	pvv_close(&v);
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Move PCI device @bdf to driver @drv. Returns 0 or -errno. */
static int rebind(const char *bdf, const char *drv)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
		 bdf);
	sysfs_write(path, bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	ret = sysfs_write(path, drv);
	return ret ?: sysfs_write("/sys/bus/pci/drivers_probe", bdf);
}

/* Whether PCI device @bdf is bound to driver @drv. */
static int bound_to(const char *bdf, const char *drv)
{
	char path[128], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = 0;
	return !strcmp(basename(link), drv);
}

/*
 * A group with a device still on a host driver (one that uses the DMA API)
 * is not viable: VFIO will not put it in a container, so pviommu never
 * sees it.
 */
TEST_F(vfio, group_not_viable)
{
	const char *grp = getenv("PVIOMMU_TEST_GROUP");
	char a[32], b[32];
	struct pvv v;
	int c;

	if (!grp || sscanf(grp, "%31s %31s", a, b) != 2)
		SKIP(return, "PVIOMMU_TEST_GROUP not set");
	if (rebind(b, "uio_pci_generic") || !bound_to(b, "uio_pci_generic")) {
		ASSERT_EQ(0, rebind(b, "vfio-pci"));
		SKIP(return, "uio_pci_generic does not bind %s", b);
	}
	c = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, c);
	v.container = c;
	EXPECT_EQ(-EPERM, pvv_open_group(&v, a));
	EXPECT_EQ(-EPERM, pvv_set_container(&v, c));
	pvv_close(&v);
	ASSERT_EQ(0, rebind(b, "vfio-pci"));
	ASSERT_TRUE(bound_to(b, "vfio-pci"));
}

/*
 * A group without isolated MSI is refused with EPERM at VFIO_SET_IOMMU:
 * with debugfs no_isolated_msi (test builds), the test VM's group is
 * taken to lack it; cleared, the same group is accepted.
 * PVIOMMU_TEST_FAULT_INJECTION=1 (the VM) makes a build without the file a
 * failure instead of a skip.
 */
#define NO_MSI	"/sys/kernel/debug/pviommu/no_isolated_msi"

TEST_F(vfio, refused_without_isolated_msi)
{
	const char *must = getenv("PVIOMMU_TEST_FAULT_INJECTION");
	struct pvv v;

	if (access(NO_MSI, W_OK)) {
		if (must && *must == '1')
			ASSERT_TRUE(0) TH_LOG("no debugfs no_isolated_msi");
		SKIP(return, "not a test build: no %s", NO_MSI);
	}
	ASSERT_EQ(0, sysfs_write(NO_MSI, "Y"));
	EXPECT_EQ(-EPERM, pvv_open(&v, self->m.bdf, -1));
	ASSERT_EQ(0, sysfs_write(NO_MSI, "N"));
	ASSERT_EQ(0, pvv_open(&v, self->m.bdf, self->m.fd));
	pvv_close(&v);
}

/* The orders in which a VMM's files can go. */
enum teardown {
	CONTEXT_FIRST,		/* context, device, group, container */
	CONTAINER_FIRST,	/* device, group, container, context */
	DEVICE_LAST,		/* context, group, container, device */
	GROUP_LAST,		/* device, container, context, group */
};

FIXTURE(teardown) {
	struct vm m;
};

FIXTURE_SETUP(teardown)
{
	vm_setup(_metadata, &self->m);
}

FIXTURE_TEARDOWN(teardown)
{
	vm_teardown(_metadata, &self->m);
}

FIXTURE_VARIANT(teardown) {
	enum teardown order;
};

FIXTURE_VARIANT_ADD(teardown, context_first) { .order = CONTEXT_FIRST };
FIXTURE_VARIANT_ADD(teardown, container_first) { .order = CONTAINER_FIRST };
FIXTURE_VARIANT_ADD(teardown, device_last) { .order = DEVICE_LAST };
FIXTURE_VARIANT_ADD(teardown, group_last) { .order = GROUP_LAST };

/*
 * Each order leaves nothing pinned and the device free for the next VMM;
 * once the context is gone, the device, still open, no longer reaches
 * guest memory.
 */
TEST_F(teardown, order)
{
	struct pvg *g = &self->m.g;
	struct pvv v;
	struct edu e;

	ASSERT_EQ(0, pvv_open(&v, self->m.bdf, self->m.fd));
	ASSERT_EQ(0, pvg_attach(g, self->m.hbdf, SID_A));
	ASSERT_EQ(0, pvg_flush(g, 1, IOVA, 1, 0));
	ASSERT_EQ(0, pvv_dev_open(&e.d, &v, self->m.bdf));
	e.bar = e.d.bar;

	switch (variant->order) {
	case CONTEXT_FIRST:
	case DEVICE_LAST:
		close(self->m.fd);
		self->m.fd = -1;
		if (self->m.edu) {
			pvg_pattern(g->ram + GPA, LEN, 4);
			ASSERT_EQ(0, edu_copy(&e, IOVA, IOVA + PVG_PAGE, LEN));
			EXPECT_FALSE(pvg_is_pattern(g->ram + GPA + PVG_PAGE, LEN, 4));
		}
		if (variant->order == CONTEXT_FIRST)
			edu_close(&e);
		pvv_close(&v);
		if (variant->order == DEVICE_LAST)
			edu_close(&e);
		break;
	case CONTAINER_FIRST:
		edu_close(&e);
		pvv_close(&v);
		close(self->m.fd);
		self->m.fd = -1;
		break;
	case GROUP_LAST:
		edu_close(&e);
		close(v.container);
		close(self->m.fd);
		self->m.fd = -1;
		close(v.group);
		break;
	}
	if (self->m.pinned0 >= 0)
		EXPECT_EQ(self->m.pinned0, pvg_global_pinned());

	/* A new VMM gets the device. */
	pvg_fini(g);
	self->m.fd = open(PVIOMMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->m.fd);
	ASSERT_EQ(0, pvg_init(g, self->m.fd, RAM_SIZE));
	ASSERT_EQ(0, pvv_open(&v, self->m.bdf, self->m.fd));
	ASSERT_EQ(0, pvg_attach(g, self->m.hbdf, SID_A));
	pvv_close(&v);
}

TEST_HARNESS_MAIN
