// SPDX-License-Identifier: GPL-2.0
/*
 * A context: one guest vIOMMU, the state behind one open /dev/pviommu.
 *
 * It holds what the VMM told pviommu about the guest: the capabilities of
 * the guest's VT-d unit, its root-table pointer, and its RAM. Every ioctl
 * runs under the context's lock, in the VMM's address space (chardev.c
 * checks both), so guest memory is read with the VMM's own mappings.
 */
#include <linux/bitfield.h>
#include <linux/slab.h>
#include <uapi/linux/pviommu.h>

#include "pviommu.h"
#include "vtd.h"

/**
 * pviommu_ctx_init() - set up an empty context
 * @ctx: the context, zeroed
 */
void pviommu_ctx_init(struct pviommu_ctx *ctx)
{
	mutex_init(&ctx->lock);
	pviommu_gmem_init(&ctx->gmem);
}

/**
 * pviommu_ctx_destroy() - release everything a context holds
 * @ctx: the context; no ioctl runs on it any more
 */
void pviommu_ctx_destroy(struct pviommu_ctx *ctx)
{
	pviommu_gmem_destroy(&ctx->gmem);
	mutex_destroy(&ctx->lock);
}

/**
 * pviommu_ctx_set_caps() - PVIOMMU_SET_CAPS
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_guest_caps
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_set_caps(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_guest_caps *cmd = ucmd->cmd;
	struct pviommu_caps caps;
	int ret;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->__reserved)
		return -EINVAL;
	if (ctx->root_set)
		return -EBUSY;

	ret = pviommu_caps_init(&caps, cmd->cap, cmd->ecap, cmd->haw);
	if (ret)
		return ret;
	ctx->caps = caps;
	ctx->caps_set = true;
	return 0;
}

/**
 * pviommu_ctx_set_root() - PVIOMMU_SET_ROOT
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_root
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_set_root(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_root *cmd = ucmd->cmd;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	if (!ctx->caps_set)
		return -EINVAL;
	if ((cmd->rtaddr & VTD_RTADDR_RSVD) ||
	    (cmd->rtaddr & VTD_RTADDR_RTA) >> ctx->caps.haw)
		return -EINVAL;
	switch (FIELD_GET(VTD_RTADDR_TTM, cmd->rtaddr)) {
	case VTD_TTM_LEGACY:
		break;
	case VTD_TTM_SCALABLE:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}

	ctx->rtaddr = cmd->rtaddr;
	ctx->root_set = true;
	return 0;
}

/**
 * pviommu_ctx_ram_add() - PVIOMMU_RAM_ADD
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_ram
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_ram_add(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_ram *cmd = ucmd->cmd;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags & ~PVIOMMU_RAM_READONLY)
		return -EOPNOTSUPP;
	return pviommu_gmem_add(&ctx->gmem, cmd->gpa, cmd->length, cmd->uaddr,
				cmd->flags & PVIOMMU_RAM_READONLY,
				PVIOMMU_MAX_RAM_SLOTS);
}

/**
 * pviommu_ctx_ram_remove() - PVIOMMU_RAM_REMOVE
 * @ctx: the context
 * @ucmd: the call, a struct pviommu_ram
 *
 * Return: 0 or a negative errno, see the uAPI header.
 */
int pviommu_ctx_ram_remove(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd)
{
	struct pviommu_ram *cmd = ucmd->cmd;

	lockdep_assert_held(&ctx->lock);
	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->uaddr)
		return -EINVAL;
	return pviommu_gmem_remove(&ctx->gmem, cmd->gpa, cmd->length);
}
