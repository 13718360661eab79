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
	TEST_LENGTH(pviommu_info, PVIOMMU_GET_INFO, __reserved2, {});
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

/*
 * A context belongs to its opener's address space: a forked child holds
 * the fd but gets EIO; the parent is unaffected and the child may close.
 */
TEST_F(pviommu, other_process)
{
	struct pviommu_info info;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int rc = _test_get_info(self->fd, &info);

		if (rc != -1 || errno != EIO)
			_exit(1);
		_exit(close(self->fd) ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	test_get_info(&info);
}

/* The device named for the run is bound to the pviommu driver. */
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
	EXPECT_STREQ("/pviommu", drv);
}

TEST_HARNESS_MAIN
