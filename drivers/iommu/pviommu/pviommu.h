/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pviommu internal interfaces.
 *
 * Layers (data flows down, never back up):
 *
 *   chardev.c  misc device, ioctl dispatch table, one context per open file
 *   context.c  a context: guest state, devices, invalidations, faults
 *   vfio.c     the VFIO IOMMU backend: containers, their groups, the link
 *   debugfs.c  per-context directories for the host's administrator
 *   host.c     host IOMMU groups and domains, pinning
 *   ucmd.c     copy-in/copy-out of extensible uAPI structs (pure)
 *
 * and the hardware-independent core below them, declared in core.h.
 */
#ifndef _PVIOMMU_H
#define _PVIOMMU_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <uapi/linux/pviommu.h>

#include "core.h"
#include "shadow.h"

struct mm_struct;

/* Limits reported by PVIOMMU_GET_INFO; fixed for the module's lifetime. */
#define PVIOMMU_MAX_RAM_SLOTS		256
#define PVIOMMU_MAX_DEVICES		64
#define PVIOMMU_MAX_MAPPINGS		1048576	/* 4 GiB in 4 KiB leaves */
/* The most references a page may have for pviommu to pin it once more. */
#define PVIOMMU_MAX_PAGE_REFS		(INT_MAX / 4)
#define PVIOMMU_MAX_BATCH		1024
#define PVIOMMU_MAX_FAULTS		256

#define PVIOMMU_GROUP_RESV		PVIOMMU_MAX_RESV

struct device;
struct eventfd_ctx;
struct file;
struct iommu_domain;
struct iommu_group;
struct pci_dev;

/**
 * struct pviommu_host - host state of a context, for pviommu_host_ops
 * @mm: the VMM's address space, charged for pinned pages
 * @pages: scratch for pin_user_pages_fast()
 * @pinned: pages pinned now, each charged to @mm's pinned_vm (see host.c)
 */
struct pviommu_host {
	struct mm_struct *mm;
	struct page **pages;
	u64 pinned;
};

/**
 * struct pviommu_ctx - one guest vIOMMU, the state behind one open file
 * @ref: the open file holds one reference, each linked VFIO container
 *	one
 * @mm: address space of the VMM, which maps guest RAM: NULL until the
 *	first configuring call binds it (pviommu_ctx_bind(), @lock), then
 *	held with mmgrab() for the context's lifetime. Ioctls from any other
 *	mm are refused.
 * @lock: serializes ioctls and teardown; protects everything below
 * @closed: the file was released; the context only waits for its last
 *	reference
 * @caps: the guest VT-d unit's capabilities, valid when @caps_set
 * @caps_set: PVIOMMU_SET_CAPS succeeded
 * @rtaddr: the guest's root-table address register, valid when @root_set
 * @root_set: PVIOMMU_SET_ROOT succeeded; @caps are fixed from then on
 * @gmem: guest RAM
 * @host: host state for @engine
 * @engine: the shadow engine
 * @hdevs: attached struct pviommu_hdev, by ctx_node
 * @nr_devices: entries in @hdevs
 * @containers: linked struct pviommu_container, by ctx_node
 *	(pviommu_link_lock)
 * @nr_containers: entries in @containers (pviommu_link_lock)
 * @eventfd: signalled on completed waits with IF and on new faults
 * @faults: queued fault records, a ring of @nr_faults from @fault_head
 * @fault_head: oldest record
 * @nr_faults: records queued
 * @fault_overflow: records dropped since the last PVIOMMU_GET_FAULTS
 * @id: the context's number, unique while the module is loaded
 * @owner_pid: the VMM's thread group, for debugfs: the opener's until
 *	the context is bound (@lock)
 * @owner_comm: its name then, for debugfs (@lock)
 * @debugfs: the context's debugfs directory, or NULL
 */
struct pviommu_ctx {
	struct kref ref;
	struct mm_struct *mm;
	struct mutex lock; /* serializes ioctls and teardown */
	bool closed;
	struct pviommu_caps caps;
	bool caps_set;
	u64 rtaddr;
	bool root_set;
	struct pviommu_gmem gmem;
	struct pviommu_host host;
	struct pviommu_engine engine;
	struct list_head hdevs;
	unsigned int nr_devices;
	struct list_head containers;
	unsigned int nr_containers;
	struct eventfd_ctx *eventfd;
	struct pviommu_fault faults[PVIOMMU_MAX_FAULTS];
	unsigned int fault_head;
	unsigned int nr_faults;
	u32 fault_overflow;
	unsigned int id;
	pid_t owner_pid;
	char owner_comm[TASK_COMM_LEN];
	struct dentry *debugfs;
};

/**
 * struct pviommu_hgroup - an IOMMU group in a pviommu VFIO container
 * @node: in @container->groups (pviommu_link_lock)
 * @container: the container
 * @group: the group, referenced
 * @dev: a device of the group to allocate host domains for, referenced
 * @nr_devs: its devices a VMM attaches: all but PCI bridges
 * @dying: it is leaving the container; no new attach (pviommu_link_lock)
 * @cur: the host domain the group is attached to, NULL while blocked
 *	(the lock of the context linked to @container)
 * @aperture_end: the last IOVA the host IOMMU maps for the group
 * @resv: host reserved IOVA ranges of the group, first and last IOVA
 * @nr_resv: entries in @resv
 *
 * VFIO owns the group's DMA (it claimed it when the group joined the
 * container, which put the group on the blocking domain); pviommu attaches
 * its host domains to it and blocks it again.
 */
struct pviommu_hgroup {
	struct list_head node;
	struct pviommu_container *container;
	struct iommu_group *group;
	struct device *dev;
	unsigned int nr_devs;
	bool dying;
	struct iommu_domain *cur;
	u64 aperture_end;
	u64 resv[PVIOMMU_GROUP_RESV][2];
	unsigned int nr_resv;
};

/**
 * struct pviommu_container - a VFIO container of pviommu's type (VFIO's
 * iommu_data for it)
 * @groups: its struct pviommu_hgroup (pviommu_link_lock)
 * @ctx: the context it is linked to, referenced; NULL before the link and
 *	after the context closed (pviommu_link_lock)
 * @ctx_node: in @ctx->containers (pviommu_link_lock)
 */
struct pviommu_container {
	struct list_head groups;
	struct pviommu_ctx *ctx;
	struct list_head ctx_node;
};

/**
 * struct pviommu_hdev - a host device attached to a context
 * @ctx_node: in the context's hdevs (its lock)
 * @pdev: the device, referenced
 * @hgroup: its group
 * @sid: the source-id the guest sees it at
 */
struct pviommu_hdev {
	struct list_head ctx_node;
	struct pci_dev *pdev;
	struct pviommu_hgroup *hgroup;
	u16 sid;
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

int pviommu_ctx_init(struct pviommu_ctx *ctx);
int pviommu_ctx_bind(struct pviommu_ctx *ctx);
void pviommu_ctx_close(struct pviommu_ctx *ctx);
void pviommu_ctx_put(struct pviommu_ctx *ctx);
void pviommu_ctx_group_gone(struct pviommu_ctx *ctx,
			    struct pviommu_hgroup *hg);
struct pviommu_ctx *pviommu_ctx_from_file(struct file *file);
int pviommu_ctx_set_caps(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_set_root(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_set_translation(struct pviommu_ctx *ctx,
				struct pviommu_ucmd *ucmd);
int pviommu_ctx_ram_add(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_ram_remove(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_attach(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_detach(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_invalidate(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_set_eventfd(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_get_faults(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_get_stats(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_query(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);
int pviommu_ctx_test_floor(struct pviommu_ctx *ctx, struct pviommu_ucmd *ucmd);

extern const struct pviommu_host_ops pviommu_host_ops;
u64 pviommu_host_pinned(void);
extern bool pviommu_fi_no_isolated_msi;

void pviommu_debugfs_init(void);
void pviommu_debugfs_exit(void);
void pviommu_debugfs_ctx_add(struct pviommu_ctx *ctx);
void pviommu_debugfs_ctx_remove(struct pviommu_ctx *ctx);
int pviommu_hgroup_init(struct pviommu_hgroup *hg,
			struct iommu_group *group);
void pviommu_hgroup_destroy(struct pviommu_hgroup *hg);
struct pci_dev *pviommu_hgroup_find(struct pviommu_hgroup *hg, u32 bdf);

int pviommu_vfio_init(void);
void pviommu_vfio_exit(void);

void pviommu_link_init(struct pviommu_container *c);
int pviommu_link(struct pviommu_container *c, struct pviommu_ctx *ctx);
struct pviommu_ctx *pviommu_unlink(struct pviommu_container *c);
unsigned int pviommu_unlink_all(struct pviommu_ctx *ctx);
void pviommu_link_add_group(struct pviommu_container *c,
			    struct pviommu_hgroup *hg);
struct pviommu_hgroup *pviommu_link_group_leave(struct pviommu_container *c,
						struct iommu_group *group,
						struct pviommu_ctx **ctx);
void pviommu_link_del_group(struct pviommu_hgroup *hg);
struct pviommu_hgroup *pviommu_link_find(struct pviommu_ctx *ctx, u32 bdf,
					 struct pci_dev **pdev);

int pviommu_chardev_init(void);
void pviommu_chardev_exit(void);

#endif /* _PVIOMMU_H */
