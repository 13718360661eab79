/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pviommu internal interfaces.
 *
 * Layers (data flows down, never back up):
 *
 *   chardev.c  misc device, ioctl dispatch table, one context per open file
 *   context.c  a context's guest state: capabilities, root table, RAM
 *   pci.c      the "pviommu" PCI driver that owns assigned devices' DMA
 *   ucmd.c     copy-in/copy-out of extensible uAPI structs (pure)
 *
 * and the hardware-independent core below them, declared in core.h.
 */
#ifndef _PVIOMMU_H
#define _PVIOMMU_H

#include <linux/mutex.h>
#include <linux/types.h>

#include "core.h"

struct mm_struct;

/* Limits reported by PVIOMMU_GET_INFO; fixed for the module's lifetime. */
#define PVIOMMU_MAX_RAM_SLOTS		256
#define PVIOMMU_MAX_DEVICES		64
#define PVIOMMU_MAX_MAPPINGS		1048576	/* 4 GiB in 4 KiB leaves */
#define PVIOMMU_MAX_BATCH		1024

/**
 * struct pviommu_ctx - one guest vIOMMU, the state behind one open file
 * @mm: address space of the opener (the VMM), which maps guest RAM; held
 *	with mmgrab() for the file's lifetime. Ioctls from any other mm are
 *	refused.
 * @lock: serializes ioctls on this context; protects everything below
 * @caps: the guest VT-d unit's capabilities, valid when @caps_set
 * @caps_set: PVIOMMU_SET_CAPS succeeded
 * @rtaddr: the guest's root-table address register, valid when @root_set
 * @root_set: PVIOMMU_SET_ROOT succeeded; @caps are fixed from then on
 * @gmem: guest RAM
 */
struct pviommu_ctx {
	struct mm_struct *mm;
	struct mutex lock; /* serializes ioctls */
	struct pviommu_caps caps;
	bool caps_set;
	u64 rtaddr;
	bool root_set;
	struct pviommu_gmem gmem;
};

/**
 * struct pviommu_ucmd - one ioctl call in flight
 * @ubuffer: the user's struct
 * @user_size: the size the user declared in the struct's first member
 * @cmd: the kernel copy of the struct
 */
struct pviommu_ucmd {
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

int pviommu_ucmd_copy_in(struct pviommu_ucmd *ucmd, void __user *ubuffer,
			 void *kbuf, size_t ksize, size_t min_size);
int pviommu_ucmd_respond(const struct pviommu_ucmd *ucmd, size_t ksize);

void pviommu_ctx_init(struct pviommu_ctx *ctx);
void pviommu_ctx_destroy(struct pviommu_ctx *ctx);
int pviommu_ctx_set_caps(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_set_root(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_ram_add(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_ram_remove(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);

int pviommu_chardev_init(void);
void pviommu_chardev_exit(void);
int pviommu_pci_init(void);
void pviommu_pci_exit(void);

#endif /* _PVIOMMU_H */
