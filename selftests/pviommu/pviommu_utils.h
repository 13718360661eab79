/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for pviommu kselftests, in threes as iommufd's are:
 * _test_x() returns the ioctl's result, test_x() asserts success,
 * test_err_x() asserts failure with an errno.
 */
#ifndef _PVIOMMU_UTILS_H
#define _PVIOMMU_UTILS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <linux/pviommu.h>

#include "kselftest_harness.h"

#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#endif

#define PVIOMMU_DEV	"/dev/pviommu"

/* Feature bits this test suite knows; anything else is unexpected. */
#define PVIOMMU_TEST_KNOWN_FEATURES	(PVIOMMU_FEATURE_TRANSLATION | \
					 PVIOMMU_FEATURE_SCALABLE)

#define EXPECT_ERRNO(expected_errno, cmd)			\
	({							\
		ASSERT_EQ(-1, cmd);				\
		EXPECT_EQ(expected_errno, errno);		\
	})

static inline int _test_get_info(int fd, struct pviommu_info *info)
{
	*info = (struct pviommu_info){ .size = sizeof(*info) };
	return ioctl(fd, PVIOMMU_GET_INFO, info);
}

/* QEMU's intel-iommu,caching-mode=on,aw-bits=48 */
#define TEST_CAP	(0x00d2008c222f0686ULL)
#define TEST_ECAP	(0x0000000000f00f4aULL)
#define TEST_HAW	48

static inline int _test_set_caps(int fd, __u64 cap, __u64 ecap, __u32 haw)
{
	struct pviommu_guest_caps cmd = {
		.size = sizeof(cmd), .cap = cap, .ecap = ecap, .haw = haw,
	};

	return ioctl(fd, PVIOMMU_SET_CAPS, &cmd);
}

static inline int _test_set_root(int fd, __u64 rtaddr)
{
	struct pviommu_root cmd = { .size = sizeof(cmd), .rtaddr = rtaddr };

	return ioctl(fd, PVIOMMU_SET_ROOT, &cmd);
}

static inline int _test_ram(int fd, unsigned long op, __u32 flags, __u64 gpa,
			    __u64 length, __u64 uaddr)
{
	struct pviommu_ram cmd = {
		.size = sizeof(cmd), .flags = flags, .gpa = gpa,
		.length = length, .uaddr = uaddr,
	};

	return ioctl(fd, op, &cmd);
}

#define test_set_caps() \
	ASSERT_EQ(0, _test_set_caps(self->fd, TEST_CAP, TEST_ECAP, TEST_HAW))
#define test_err_set_caps(_errno, cap, ecap, haw) \
	EXPECT_ERRNO(_errno, _test_set_caps(self->fd, cap, ecap, haw))
#define test_set_root(rtaddr) \
	ASSERT_EQ(0, _test_set_root(self->fd, rtaddr))
#define test_err_set_root(_errno, rtaddr) \
	EXPECT_ERRNO(_errno, _test_set_root(self->fd, rtaddr))
/* A user pointer as the __u64 the uAPI carries. */
#define U64(ptr)	((__u64)(uintptr_t)(ptr))

#define test_ram_add(gpa, length, uaddr) \
	ASSERT_EQ(0, _test_ram(self->fd, PVIOMMU_RAM_ADD, 0, gpa, length, \
			       uaddr))
#define test_err_ram_add(_errno, flags, gpa, length, uaddr) \
	EXPECT_ERRNO(_errno, _test_ram(self->fd, PVIOMMU_RAM_ADD, flags, gpa, \
				       length, uaddr))
#define test_ram_remove(gpa, length) \
	ASSERT_EQ(0, _test_ram(self->fd, PVIOMMU_RAM_REMOVE, 0, gpa, length, \
			       0))
#define test_err_ram_remove(_errno, flags, gpa, length, uaddr) \
	EXPECT_ERRNO(_errno, _test_ram(self->fd, PVIOMMU_RAM_REMOVE, flags, \
				       gpa, length, uaddr))

#define test_get_info(info) \
	ASSERT_EQ(0, _test_get_info(self->fd, info))
#define test_err_get_info(_errno, info) \
	EXPECT_ERRNO(_errno, _test_get_info(self->fd, info))

/*
 * The extensible-struct contract of one ioctl, as iommufd's TEST_LENGTH:
 * below the first version EINVAL, a larger struct with a non-zero tail
 * E2BIG, with a zero tail the same result as the exact size.
 * @_init is a valid struct of that ioctl with size unset; @_undo runs
 * after the exact-size call succeeds, so the zero-tail call can succeed
 * again.
 */
#define TEST_LENGTH(_struct, _ioctl, _last, _init, _undo)		\
	do {								\
		size_t min_size = offsetofend(struct _struct, _last);	\
		struct {						\
			struct _struct cmd;				\
			__u8 extra[8];				\
		} buf = { .cmd = _init };				\
		int rc, old_errno;					\
									\
		buf.cmd.size = min_size - 1;				\
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, _ioctl, &buf));	\
		buf.cmd.size = 0;					\
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, _ioctl, &buf));	\
		buf.cmd.size = sizeof(struct _struct) + 1;		\
		buf.extra[0] = 0xff;					\
		EXPECT_ERRNO(E2BIG, ioctl(self->fd, _ioctl, &buf));	\
		buf.cmd.size = sizeof(buf);				\
		buf.extra[0] = 0;					\
		buf.extra[7] = 1;					\
		EXPECT_ERRNO(E2BIG, ioctl(self->fd, _ioctl, &buf));	\
		buf.extra[7] = 0;					\
									\
		buf.cmd = (struct _struct)_init;			\
		buf.cmd.size = sizeof(struct _struct);			\
		rc = ioctl(self->fd, _ioctl, &buf);			\
		old_errno = errno;					\
		if (!rc)						\
			_undo;						\
		buf.cmd = (struct _struct)_init;			\
		buf.cmd.size = sizeof(buf);				\
		if (rc)							\
			EXPECT_ERRNO(old_errno,				\
				     ioctl(self->fd, _ioctl, &buf));	\
		else							\
			ASSERT_EQ(0, ioctl(self->fd, _ioctl, &buf));	\
	} while (0)

#endif /* _PVIOMMU_UTILS_H */
