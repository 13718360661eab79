// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pviommu: one context per open file, and the ioctl dispatch table.
 *
 * A context belongs to the address space of the first process that
 * configures it (pviommu_ctx_bind()): the VMM, whose memory holds guest RAM
 * and from whose ioctls pviommu reads the guest's tables with
 * copy_from_user(). A management layer may open /dev/pviommu and pass the
 * file to an unprivileged VMM that could not open it. From then on, ioctls
 * from any other mm, such as a child after fork(), fail with EIO (the
 * convention KVM follows for VM file descriptors). PVIOMMU_GET_INFO, which
 * reads no context state, works from anywhere and binds nothing; closing
 * works from anywhere.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <uapi/linux/pviommu.h>

#include "pviommu.h"
#ifdef PVIOMMU_TEST
#include "pviommu_test.h"
#endif

static int pviommu_get_info(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_info *cmd = ucmd->cmd;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved || cmd->__reserved2)
		return -EINVAL;

	cmd->out_api_version = PVIOMMU_API_VERSION;
	cmd->out_features = PVIOMMU_FEATURE_TRANSLATION |
			    PVIOMMU_FEATURE_SCALABLE;
	cmd->out_max_ram_slots = PVIOMMU_MAX_RAM_SLOTS;
	cmd->out_max_devices = PVIOMMU_MAX_DEVICES;
	cmd->out_max_mappings = PVIOMMU_MAX_MAPPINGS;
	cmd->out_max_batch = PVIOMMU_MAX_BATCH;
	return pviommu_ucmd_respond(ucmd, sizeof(*cmd));
}

/* One kernel buffer large enough for any command's struct. */
union pviommu_ucmd_buffer {
	struct pviommu_info info;
	struct pviommu_guest_caps caps;
	struct pviommu_root root;
	struct pviommu_translation translation;
	struct pviommu_ram ram;
	struct pviommu_attach attach;
	struct pviommu_detach detach;
	struct pviommu_invalidate invalidate;
	struct pviommu_eventfd eventfd;
	struct pviommu_get_faults faults;
	struct pviommu_stats stats;
	struct pviommu_query query;
#ifdef PVIOMMU_TEST
	struct pviommu_test_floor floor;
#endif
};

struct pviommu_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
};

#define IOCTL_OP(_ioctl, _fn, _struct, _last)				\
	[_IOC_NR(_ioctl) - PVIOMMU_CMD_BASE] = {			\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union pviommu_ucmd_buffer) < \
					  sizeof(_struct)),		\
		.min_size = offsetofend(_struct, _last),		\
		.ioctl_num = _ioctl,					\
		.execute = _fn,						\
	}

static const struct pviommu_ioctl_op pviommu_ioctl_ops[] = {
	IOCTL_OP(PVIOMMU_GET_INFO, pviommu_get_info, struct pviommu_info,
		 __reserved2),
	IOCTL_OP(PVIOMMU_SET_CAPS, pviommu_ctx_set_caps,
		 struct pviommu_guest_caps, __reserved),
	IOCTL_OP(PVIOMMU_SET_ROOT, pviommu_ctx_set_root, struct pviommu_root,
		 rtaddr),
	IOCTL_OP(PVIOMMU_RAM_ADD, pviommu_ctx_ram_add, struct pviommu_ram,
		 uaddr),
	IOCTL_OP(PVIOMMU_RAM_REMOVE, pviommu_ctx_ram_remove, struct pviommu_ram,
		 uaddr),
	IOCTL_OP(PVIOMMU_ATTACH, pviommu_ctx_attach, struct pviommu_attach,
		 __reserved),
	IOCTL_OP(PVIOMMU_DETACH, pviommu_ctx_detach, struct pviommu_detach,
		 __reserved),
	IOCTL_OP(PVIOMMU_INVALIDATE, pviommu_ctx_invalidate,
		 struct pviommu_invalidate, out_failed),
	IOCTL_OP(PVIOMMU_SET_EVENTFD, pviommu_ctx_set_eventfd,
		 struct pviommu_eventfd, __reserved),
	IOCTL_OP(PVIOMMU_GET_FAULTS, pviommu_ctx_get_faults,
		 struct pviommu_get_faults, out_overflow),
	IOCTL_OP(PVIOMMU_GET_STATS, pviommu_ctx_get_stats, struct pviommu_stats,
		 out_shadows),
	IOCTL_OP(PVIOMMU_QUERY, pviommu_ctx_query, struct pviommu_query,
		 __reserved2),
	IOCTL_OP(PVIOMMU_SET_TRANSLATION, pviommu_ctx_set_translation,
		 struct pviommu_translation, __reserved),
#ifdef PVIOMMU_TEST
	IOCTL_OP(PVIOMMU_TEST_FLOOR, pviommu_ctx_test_floor,
		 struct pviommu_test_floor, out_ns),
#endif
};

static long pviommu_fops_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	struct pviommu_ctx *ctx = filp->private_data;
	const struct pviommu_ioctl_op *op;
	/* pviommu_ucmd_copy_in() writes all of op->size, the rest is unused. */
	union pviommu_ucmd_buffer buf __uninitialized;
	struct pviommu_ucmd ucmd = {};
	unsigned int nr = _IOC_NR(cmd);
	long ret;

	if (_IOC_TYPE(cmd) != PVIOMMU_TYPE || nr < PVIOMMU_CMD_BASE ||
	    nr - PVIOMMU_CMD_BASE >= ARRAY_SIZE(pviommu_ioctl_ops))
		return -ENOTTY;
	op = &pviommu_ioctl_ops[nr - PVIOMMU_CMD_BASE];
	if (op->ioctl_num != cmd)
		return -ENOTTY;

	ret = pviommu_ucmd_copy_in(&ucmd, (void __user *)arg, &buf, op->size,
				   op->min_size);
	if (ret)
		return ret;

	mutex_lock(&ctx->lock);
	if (cmd != PVIOMMU_GET_INFO)
		ret = pviommu_ctx_bind(ctx);
	if (!ret)
		ret = op->execute(ctx, &ucmd);
	mutex_unlock(&ctx->lock);
	return ret;
}

static int pviommu_fops_open(struct inode *inode, struct file *filp)
{
	struct pviommu_ctx *ctx;
	int ret;

	/* A kernel thread has no address space to hold guest RAM. */
	if (!current->mm)
		return -EINVAL;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	ret = pviommu_ctx_init(ctx);
	if (ret) {
		kfree(ctx);
		return ret;
	}
	filp->private_data = ctx;
	return 0;
}

static int pviommu_fops_release(struct inode *inode, struct file *filp)
{
	struct pviommu_ctx *ctx = filp->private_data;

	pviommu_ctx_close(ctx);
	pviommu_ctx_put(ctx);
	return 0;
}

static const struct file_operations pviommu_fops;

/**
 * pviommu_ctx_from_file() - the context behind an open /dev/pviommu
 * @file: any file
 *
 * Return: the context, valid while @file is, or NULL when @file is not an
 * open /dev/pviommu.
 */
struct pviommu_ctx *pviommu_ctx_from_file(struct file *file)
{
	return file->f_op == &pviommu_fops ? file->private_data : NULL;
}

static const struct file_operations pviommu_fops = {
	.owner = THIS_MODULE,
	.open = pviommu_fops_open,
	.release = pviommu_fops_release,
	.unlocked_ioctl = pviommu_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice pviommu_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pviommu",
	.fops = &pviommu_fops,
	.mode = 0600,
};

/**
 * pviommu_chardev_init() - register /dev/pviommu
 *
 * Return: 0 on success or a negative errno from misc_register().
 */
int pviommu_chardev_init(void)
{
	return misc_register(&pviommu_misc);
}

/**
 * pviommu_chardev_exit() - unregister /dev/pviommu
 *
 * Open files hold a module reference, so no context outlives this.
 */
void pviommu_chardev_exit(void)
{
	misc_deregister(&pviommu_misc);
}
