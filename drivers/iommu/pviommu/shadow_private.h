/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the rooms of the shadow engine (see shadow.c): what each offers
 * the rooms above it, from the bottom up. Nothing outside the engine
 * includes this; the engine's users have shadow.h.
 */
#ifndef _PVIOMMU_SHADOW_PRIVATE_H
#define _PVIOMMU_SHADOW_PRIVATE_H

#include <linux/errno.h>
#include <linux/sizes.h>

#include "shadow.h"
#include "vtd.h"

#define PG_SIZE		VTD_PAGE_SIZE
/* 4K leaves in a 2M block: at most one map batch, one pin call. */
#define BATCH_MAX	(SZ_2M / PG_SIZE)

/* Whether an error ends the call: the VMM is being killed. */
static inline bool pviommu_engine_fatal(int err)
{
	return err == -EINTR || err == -ERESTARTSYS;
}

/* shadow_fault.c: fault records, fault injection */
bool pviommu_engine_fail(struct pviommu_engine *e);
void *pviommu_engine_zalloc(struct pviommu_engine *e, size_t size);
void pviommu_engine_reader(struct pviommu_engine *e, pviommu_read_fn *read,
			   void **priv);
void pviommu_engine_fault(struct pviommu_engine *e, struct pviommu_shadow *s,
			  struct pviommu_sdev *d, u64 iova, u32 reason);

/* shadow_entries.c: the entry tree and the host calls under it */
struct pviommu_entry *pviommu_entry_first(struct pviommu_shadow *s, u64 start,
					  u64 last);
struct pviommu_entry *pviommu_entry_next(struct pviommu_entry *ent, u64 start,
					 u64 last);
void pviommu_entry_remove(struct pviommu_engine *e, struct pviommu_shadow *s,
			  struct pviommu_entry *ent);
void pviommu_shadow_remove_range(struct pviommu_engine *e,
				 struct pviommu_shadow *s, u64 start, u64 last);
void pviommu_shadow_remove_gpa(struct pviommu_engine *e,
			       struct pviommu_shadow *s, u64 gpa, u64 last);
int pviommu_shadow_map(struct pviommu_engine *e, struct pviommu_shadow *s,
		       u64 iova, u64 gpa, u64 size, u8 perm);
int pviommu_shadow_map_batch(struct pviommu_engine *e,
			     struct pviommu_shadow *s, u64 iova, u64 gpa,
			     unsigned int n, u8 perm);
int pviommu_shadow_map_all_ram(struct pviommu_engine *e,
			       struct pviommu_shadow *s);
void pviommu_shadow_read_pgsizes(struct pviommu_engine *e,
				 struct pviommu_shadow *s);
void pviommu_engine_release_held(struct pviommu_engine *e);

/* shadow_reconcile.c: a shadow made equal to the guest's tables */
int pviommu_shadow_reconcile(struct pviommu_engine *e,
			     struct pviommu_shadow *s, struct pviommu_sdev *dev,
			     u64 start, u64 last, bool ih);
void pviommu_pde_clear(struct pviommu_shadow *s);

/* shadow_devices.c: shadows' lifecycle, devices, groups */
int pviommu_dev_update(struct pviommu_engine *e, struct pviommu_sdev *d);
int pviommu_dev_update_bounded(struct pviommu_engine *e,
			       struct pviommu_sdev *d);
void pviommu_dev_remove(struct pviommu_engine *e, struct pviommu_sdev *d);
void pviommu_cur_reset(struct pviommu_engine *e);

#endif /* _PVIOMMU_SHADOW_PRIVATE_H */
