// SPDX-License-Identifier: GPL-2.0
/*
 * pviommu kselftests: the /dev/pviommu file and the uAPI contract.
 *
 * Runs in the VM harness (make vmtest) and on a real host with pviommu.ko
 * loaded. PVIOMMU_TEST_DEVICE=<domain:bus:dev.fn> names a device bound to
 * the pviommu driver; tests that need one skip without it.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pviommu_utils.h"

static int open_pviommu(struct __test_metadata *_metadata)
{
	int fd = open(PVIOMMU_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		SKIP(return -1, PVIOMMU_DEV " missing: load pviommu.ko");
	ASSERT_LE(0, fd);
	return fd;
}

FIXTURE(pviommu) {
	int fd;
};

FIXTURE_SETUP(pviommu)
{
	self->fd = open_pviommu(_metadata);
}

FIXTURE_TEARDOWN(pviommu)
{
	if (self->fd >= 0)
		ASSERT_EQ(0, close(self->fd));
}

/* Each open is a context of its own; all of them close. */
TEST(open_close)
{
	int fds[32];
	int i;

	for (i = 0; i < 32; i++) {
		fds[i] = open_pviommu(_metadata);
		ASSERT_LE(0, fds[i]);
	}
	for (i = 0; i < 32; i++)
		ASSERT_EQ(0, close(fds[i]));
}

TEST_F(pviommu, get_info)
{
	struct pviommu_info info;

	test_get_info(&info);
	EXPECT_EQ(PVIOMMU_API_VERSION, info.out_api_version);
	EXPECT_EQ(0, info.out_features & ~PVIOMMU_TEST_KNOWN_FEATURES);
	EXPECT_TRUE(info.out_features & PVIOMMU_FEATURE_TRANSLATION);
	EXPECT_LT(0, info.out_max_ram_slots);
	EXPECT_LT(0, info.out_max_devices);
	EXPECT_LT(0, info.out_max_mappings);
	EXPECT_LT(0, info.out_max_batch);
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(0, info.__reserved);
	EXPECT_EQ(0, info.__reserved2);
}

TEST_F(pviommu, get_info_flags_reserved)
{
	struct pviommu_info info = { .size = sizeof(info) };

	info.flags = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, PVIOMMU_GET_INFO, &info));
	info.flags = 1U << 31;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, PVIOMMU_GET_INFO, &info));
	info.flags = 0;
	info.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PVIOMMU_GET_INFO, &info));
	info.__reserved = 0;
	info.__reserved2 = 0x80000000;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PVIOMMU_GET_INFO, &info));
	/* Nothing was written back on failure. */
	EXPECT_EQ(0, info.out_api_version);
}

/* Every ioctl's size contract. */
TEST_F(pviommu, ioctl_length)
{
	long page = sysconf(_SC_PAGESIZE);
	void *mem = mmap(NULL, page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, mem);
	TEST_LENGTH(pviommu_info, PVIOMMU_GET_INFO, __reserved2, {}, (void)0);
	TEST_LENGTH(pviommu_guest_caps, PVIOMMU_SET_CAPS, __reserved,
		    ((struct pviommu_guest_caps){ .cap = TEST_CAP,
						  .ecap = TEST_ECAP,
						  .haw = TEST_HAW }), (void)0);
	TEST_LENGTH(pviommu_ram, PVIOMMU_RAM_ADD, uaddr,
		    ((struct pviommu_ram){ .gpa = 0x100000, .length = page,
					   .uaddr = U64(mem) }),
		    test_ram_remove(0x100000, page));
	/* RAM_ADD's zero-tail call left the slot for RAM_REMOVE's calls. */
	TEST_LENGTH(pviommu_ram, PVIOMMU_RAM_REMOVE, uaddr,
		    ((struct pviommu_ram){ .gpa = 0x100000, .length = page }),
		    test_ram_add(0x100000, page, U64(mem)));
	TEST_LENGTH(pviommu_attach, PVIOMMU_ATTACH, __reserved,
		    ((struct pviommu_attach){ .host_bdf = 0xffff0000,
					      .guest_sid = 1 }), (void)0);
	TEST_LENGTH(pviommu_detach, PVIOMMU_DETACH, __reserved,
		    ((struct pviommu_detach){ .guest_sid = 1 }), (void)0);
	TEST_LENGTH(pviommu_invalidate, PVIOMMU_INVALIDATE, out_failed,
		    ((struct pviommu_invalidate){ .entry_len = 16 }), (void)0);
	TEST_LENGTH(pviommu_eventfd, PVIOMMU_SET_EVENTFD, __reserved,
		    ((struct pviommu_eventfd){ .fd = -1 }), (void)0);
	TEST_LENGTH(pviommu_get_faults, PVIOMMU_GET_FAULTS, out_overflow,
		    ((struct pviommu_get_faults){ .num = 0 }), (void)0);
	TEST_LENGTH(pviommu_stats, PVIOMMU_GET_STATS, out_shadows,
		    ((struct pviommu_stats){ .flags = 0 }), (void)0);
	TEST_LENGTH(pviommu_query, PVIOMMU_QUERY, __reserved2,
		    ((struct pviommu_query){ .guest_sid = 1 }), (void)0);
	TEST_LENGTH(pviommu_translation, PVIOMMU_SET_TRANSLATION, __reserved,
		    ((struct pviommu_translation){ .flags = 0 }), (void)0);
	/* Last: once a root is set the capabilities are fixed. */
	TEST_LENGTH(pviommu_root, PVIOMMU_SET_ROOT, rtaddr,
		    ((struct pviommu_root){ .rtaddr = 0x1000 }), (void)0);
	ASSERT_EQ(0, munmap(mem, page));
}

/* An older, smaller struct gets only the members it knows written back. */
TEST_F(pviommu, get_info_short_user)
{
	struct {
		struct pviommu_info info;
		__u8 canary[8];
	} buf;
	size_t min_size = offsetofend(struct pviommu_info, __reserved2);

	memset(&buf, 0xcc, sizeof(buf));
	memset(&buf.info, 0, min_size);
	buf.info.size = min_size;
	ASSERT_EQ(0, ioctl(self->fd, PVIOMMU_GET_INFO, &buf));
	EXPECT_EQ(PVIOMMU_API_VERSION, buf.info.out_api_version);
	EXPECT_EQ(0xcc, buf.canary[0]);
	EXPECT_EQ(0xcc, buf.canary[7]);
}

TEST_F(pviommu, unknown_ioctl)
{
	struct pviommu_info info = { .size = sizeof(info) };

	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(PVIOMMU_TYPE,
						 PVIOMMU_CMD_BASE - 1), &info));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(PVIOMMU_TYPE, 0xff), &info));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(PVIOMMU_TYPE, 0), &info));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO('x', PVIOMMU_CMD_GET_INFO),
				   &info));
	/* The right number with direction/size bits is another ioctl. */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd,
				   _IOWR(PVIOMMU_TYPE, PVIOMMU_CMD_GET_INFO,
					 struct pviommu_info), &info));
}

TEST_F(pviommu, bad_pointer)
{
	struct pviommu_info *info;
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	EXPECT_ERRNO(EFAULT, ioctl(self->fd, PVIOMMU_GET_INFO, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, PVIOMMU_GET_INFO, (void *)8));

	/* One usable page followed by a guard page. */
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + page, page, PROT_NONE));

	/* Readable but not writable: the answer cannot be written back. */
	info = (void *)p;
	info->size = sizeof(*info);
	ASSERT_EQ(0, mprotect(p, page, PROT_READ));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, PVIOMMU_GET_INFO, info));
	ASSERT_EQ(0, mprotect(p, page, PROT_READ | PROT_WRITE));

	/* A struct whose size field is readable but whose body is not. */
	info = (void *)(p + page - sizeof(uint32_t));
	info->size = sizeof(*info);
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, PVIOMMU_GET_INFO, info));
	ASSERT_EQ(0, munmap(p, 2 * page));
}

static int test_stats(int fd)
{
	struct pviommu_stats stats = { .size = sizeof(stats) };

	return ioctl(fd, PVIOMMU_GET_STATS, &stats);
}

/*
 * A context belongs to the address space of the first process that
 * configures it: once the parent has, a forked child holding the fd gets
 * EIO for everything but GET_INFO; the parent is unaffected and the child
 * may close.
 */
TEST_F(pviommu, other_process)
{
	struct pviommu_info info;
	int status;
	pid_t pid;

	ASSERT_EQ(0, test_stats(self->fd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int rc = test_stats(self->fd);

		if (rc != -1 || errno != EIO)
			_exit(1);
		if (_test_get_info(self->fd, &info))
			_exit(2);
		_exit(close(self->fd) ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	test_get_info(&info);
	EXPECT_EQ(0, test_stats(self->fd));
}

/*
 * A management layer opens /dev/pviommu and hands the file to the VMM:
 * GET_INFO binds nothing, the VMM's first configuring call binds the
 * context to the VMM, and from then on the opener gets EIO.
 */
TEST_F(pviommu, handed_over)
{
	struct pviommu_info info;
	int status;
	pid_t pid;

	test_get_info(&info);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (_test_set_caps(self->fd, TEST_CAP, TEST_ECAP, TEST_HAW))
			_exit(1);
		_exit(test_stats(self->fd) ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_ERRNO(EIO, test_stats(self->fd));
	EXPECT_ERRNO(EIO, _test_set_caps(self->fd, TEST_CAP, TEST_ECAP,
					 TEST_HAW));
	test_get_info(&info);
}

/* Capabilities: caching mode and queued invalidation are required. */
TEST_F(pviommu, set_caps)
{
	struct pviommu_guest_caps cmd = {
		.size = sizeof(cmd), .cap = TEST_CAP, .ecap = TEST_ECAP,
		.haw = TEST_HAW,
	};

	test_err_set_caps(EINVAL, TEST_CAP & ~(1ULL << 7), TEST_ECAP,
			  TEST_HAW);
	test_err_set_caps(EINVAL, TEST_CAP, TEST_ECAP & ~(1ULL << 1),
			  TEST_HAW);
	test_err_set_caps(EINVAL, TEST_CAP, TEST_ECAP, 31);
	test_err_set_caps(EINVAL, TEST_CAP, TEST_ECAP, 53);
	/* SAGAW bit 4 is reserved. */
	test_err_set_caps(EINVAL, TEST_CAP | (0x10ULL << 8), TEST_ECAP,
			  TEST_HAW);
	cmd.flags = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, PVIOMMU_SET_CAPS, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PVIOMMU_SET_CAPS, &cmd));

	test_set_caps();
	test_set_caps();	/* may change until the root is set */
	test_set_root(0x1000);
	test_err_set_caps(EBUSY, TEST_CAP, TEST_ECAP, TEST_HAW);
}

TEST_F(pviommu, set_root)
{
	struct pviommu_root cmd = { .size = sizeof(cmd), .flags = 1 };

	test_err_set_root(EINVAL, 0x1000);	/* no capabilities yet */
	test_set_caps();
	/* Scalable mode needs ECAP.SMTS (bit 43); here the unit has none. */
	test_err_set_root(EINVAL, 0x1000 | (1 << 10));
	test_err_set_root(EINVAL, 0x1000 | (2 << 10));
	test_err_set_root(EINVAL, 0x1000 | (3 << 10));
	test_err_set_root(EINVAL, 0x1000 | 1);
	test_err_set_root(EINVAL, 0x1000 | (1 << 9));
	test_err_set_root(EINVAL, 1ULL << TEST_HAW);
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, PVIOMMU_SET_ROOT, &cmd));
	test_set_root((1ULL << TEST_HAW) - 4096);
	test_set_root(0);	/* the guest may move its root table */
}

/* With ECAP.SMTS and SLTS, a scalable-mode root table. */
TEST_F(pviommu, set_root_scalable)
{
	ASSERT_EQ(0, _test_set_caps(self->fd, TEST_CAP,
				    TEST_ECAP | 1ULL << 43 | 1ULL << 46,
				    TEST_HAW));
	test_set_root(0x1000 | (1 << 10));
	test_err_set_root(EINVAL, 0x1000 | (2 << 10));
	test_set_root(0x2000);	/* and back to legacy mode */
}

/* Translation Enable: flags, reserved bits, out_failed written back. */
TEST_F(pviommu, set_translation)
{
	struct pviommu_translation cmd = {
		.size = sizeof(cmd), .flags = 2, .out_failed = 7,
	};

	EXPECT_ERRNO(EOPNOTSUPP,
		     ioctl(self->fd, PVIOMMU_SET_TRANSLATION, &cmd));
	cmd.flags = PVIOMMU_TRANSLATION_ENABLE;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, PVIOMMU_SET_TRANSLATION, &cmd));
	cmd.__reserved = 0;
	/* Needs nothing set up: there is no device to update. */
	ASSERT_EQ(0, ioctl(self->fd, PVIOMMU_SET_TRANSLATION, &cmd));
	EXPECT_EQ(0, cmd.out_failed);
	cmd.flags = 0;
	cmd.out_failed = 7;
	ASSERT_EQ(0, ioctl(self->fd, PVIOMMU_SET_TRANSLATION, &cmd));
	EXPECT_EQ(0, cmd.out_failed);
}

/* Guest RAM slots: every errno, and that a failed call changes nothing. */
TEST_F(pviommu, ram_slots)
{
	long page = sysconf(_SC_PAGESIZE);
	struct pviommu_info info;
	unsigned int i;
	char *mem;

	mem = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);

	test_err_ram_add(EINVAL, 0, 0x100000, 0, U64(mem));
	test_err_ram_add(EINVAL, 0, 0x100800, page, U64(mem));
	test_err_ram_add(EINVAL, 0, 0x100000, page + 1, U64(mem));
	test_err_ram_add(EINVAL, 0, 0x100000, page, U64(mem + 8));
	test_err_ram_add(EOVERFLOW, 0, -(__u64)page, 2 * page, U64(mem));
	test_err_ram_add(EOVERFLOW, 0, 0x100000, 2 * page, -(__u64)page);
	test_err_ram_add(EFAULT, 0, 0x100000, page, 0xffff888000000000ULL);
	test_err_ram_add(EOPNOTSUPP, 2, 0x100000, page, U64(mem));

	test_ram_add(0x100000, 2 * page, U64(mem));
	test_err_ram_add(EEXIST, 0, 0x101000, 2 * page, U64(mem + 2 * page));
	test_err_ram_add(EEXIST, 0, 0x0ff000, 2 * page, U64(mem + 2 * page));
	ASSERT_EQ(0, _test_ram(self->fd, PVIOMMU_RAM_ADD,
			       PVIOMMU_RAM_READONLY, 0x102000, 2 * page,
			       U64(mem + 2 * page)));

	test_err_ram_remove(ENOENT, 0, 0x100000, page, 0);
	test_err_ram_remove(ENOENT, 0, 0x200000, page, 0);
	test_err_ram_remove(EINVAL, 0, 0x100000, 2 * page, 1);
	test_err_ram_remove(EOPNOTSUPP, 1, 0x100000, 2 * page, 0);
	test_ram_remove(0x100000, 2 * page);
	test_err_ram_remove(ENOENT, 0, 0x100000, 2 * page, 0);
	test_ram_remove(0x102000, 2 * page);

	/* The slot limit, then room again after a removal. */
	test_get_info(&info);
	for (i = 0; i < info.out_max_ram_slots; i++)
		test_ram_add(0x100000 + (__u64)i * page, page, U64(mem));
	test_err_ram_add(ENOSPC, 0, 0x100000 + (__u64)i * page, page,
			 U64(mem));
	test_ram_remove(0x100000, page);
	test_ram_add(0x100000 + (__u64)i * page, page, U64(mem));
	ASSERT_EQ(0, munmap(mem, 4 * page));
	/* Slots left behind are freed at close (the fixture's teardown). */
}

/* The device named for the run is on vfio-pci, as the VFIO route needs. */
TEST(device_bound)
{
	const char *bdf = getenv("PVIOMMU_TEST_DEVICE");
	char path[PATH_MAX], target[PATH_MAX];
	const char *drv;
	ssize_t n;

	if (!bdf)
		SKIP(return, "PVIOMMU_TEST_DEVICE not set");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	ASSERT_LT(0, n);
	target[n] = '\0';
	drv = strrchr(target, '/');
	ASSERT_NE(NULL, drv);
	EXPECT_STREQ("/vfio-pci", drv);
}

TEST_HARNESS_MAIN
