// SPDX-License-Identifier: GPL-2.0
/*
 * Copy-in and copy-out of the extensible uAPI structs.
 *
 * Every pviommu ioctl struct starts with "__u32 size", set by userspace to
 * the size it was compiled with. The kernel accepts any size from the
 * struct's first version (min_size) up:
 *
 *  - smaller than the kernel's struct: the missing tail reads as zero, so
 *    old binaries keep working when a struct grows;
 *  - larger: the tail the kernel does not know must be zero (E2BIG
 *    otherwise), so new binaries fail cleanly on old kernels.
 *
 * Output is copied back for min(user size, kernel size) bytes, never past
 * what the user declared.
 */
#include <linux/uaccess.h>

#include "pviommu.h"

/**
 * pviommu_ucmd_copy_in() - read an ioctl struct from userspace
 * @ucmd: call state to fill in
 * @ubuffer: the user's struct
 * @kbuf: kernel buffer of @ksize bytes
 * @ksize: size of the kernel's struct
 * @min_size: size of the struct's first version, offsetofend of its last
 *	member then
 *
 * Return: 0 on success; -EFAULT if the struct cannot be read, -EINVAL if
 * its size is below @min_size, -E2BIG if it is larger than @ksize with a
 * non-zero tail.
 */
int pviommu_ucmd_copy_in(struct pviommu_ucmd *ucmd, void __user *ubuffer,
			 void *kbuf, size_t ksize, size_t min_size)
{
	u32 user_size;
	int ret;

	if (get_user(user_size, (u32 __user *)ubuffer))
		return -EFAULT;
	if (user_size < min_size)
		return -EINVAL;

	ret = copy_struct_from_user(kbuf, ksize, ubuffer, user_size);
	if (ret)
		return ret;

	ucmd->ubuffer = ubuffer;
	ucmd->user_size = user_size;
	ucmd->cmd = kbuf;
	return 0;
}

/**
 * pviommu_ucmd_respond() - copy an ioctl struct's outputs back to userspace
 * @ucmd: call state from pviommu_ucmd_copy_in()
 * @ksize: size of the kernel's struct
 *
 * Copies min(user size, @ksize) bytes, so a struct never overruns what the
 * user declared and an older binary gets the members it knows.
 *
 * Return: 0 on success, -EFAULT if the user's struct cannot be written.
 */
int pviommu_ucmd_respond(const struct pviommu_ucmd *ucmd, size_t ksize)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd, min_t(size_t, ucmd->user_size,
							 ksize)))
		return -EFAULT;
	return 0;
}
