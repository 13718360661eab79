/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake guest for KUnit: guest memory as 4 KiB pages in an xarray, whose
 * reads are counted, and a builder for VT-d second-level tables in it.
 */
#ifndef _PVIOMMU_FAKE_GUEST_H
#define _PVIOMMU_FAKE_GUEST_H

#include <kunit/test.h>
#include <linux/xarray.h>

#include "../vtd.h"

#define SZ_4K_		BIT_ULL(12)
#define SZ_2M_		BIT_ULL(21)
#define SZ_1G_		BIT_ULL(30)
#define RW		(VTD_SL_R | VTD_SL_W)

#define SAGAW(v)	((u64)(v) << 8)
#define MGAW(bits)	((u64)((bits) - 1) << 16)
#define MAMV(v)		((u64)(v) << 48)

/* Invalidation descriptor builders (qw0 unless noted). */
#define CC(g, did, sid, fm)	(VTD_QI_CC | (u64)(g) << 4 |		\
				 (u64)(did) << 16 | (u64)(sid) << 32 |	\
				 (u64)(fm) << 48)
#define IOTLB(g, did)		(VTD_QI_IOTLB | (u64)(g) << 4 |		\
				 VTD_QI_IOTLB_DR | VTD_QI_IOTLB_DW |	\
				 (u64)(did) << 16)
#define PSI1(addr, ih, am)	((u64)(addr) | (u64)(ih) << 6 | (am))
#define DEVTLB(sid, pfsid, qdep) (VTD_QI_DEV_TLB | (u64)(qdep) << 16 |	\
				 ((u64)(pfsid) & 0xf) << 12 |		\
				 ((u64)(pfsid) >> 4) << 52 |		\
				 (u64)(sid) << 32)
#define IEC(g, im, idx)		(VTD_QI_IEC | (u64)(g) << 4 |		\
				 (u64)(im) << 27 | (u64)(idx) << 32)
#define WAIT(f, data)		(VTD_QI_WAIT | (f) | (u64)(data) << 32)
#define PIOTLB(g, did, pasid)	(VTD_QI_PIOTLB | (u64)(g) << 4 |	\
				 (u64)(did) << 16 | (u64)(pasid) << 32)
#define PC(g, did, pasid)	(VTD_QI_PC | (u64)(g) << 4 |		\
				 (u64)(did) << 16 | (u64)(pasid) << 32)
#define PDEVTLB(sid, pasid)	(VTD_QI_PDEV_TLB | (u64)(sid) << 16 |	\
				 (u64)(pasid) << 32)

/**
 * struct fake_mem - guest memory
 * @test: the test, for allocations and expectations
 * @pages: 4 KiB pages by frame number; a missing page is not guest RAM
 * @next_table: where fg_table() allocates the next table page
 * @reads: reads so far
 */
struct fake_mem {
	struct kunit *test;
	struct xarray pages;
	u64 next_table;
	unsigned int reads;
};

struct fake_mem *fg_mem_new(struct kunit *test);
__le64 *fg_page(struct fake_mem *m, u64 gpa);
int fg_read(void *priv, u64 gpa, void *buf, size_t len);
u64 fg_table(struct fake_mem *m);
void fg_set(struct fake_mem *m, u64 table, unsigned int idx, u64 v);
u64 fg_get(struct fake_mem *m, u64 table, unsigned int idx);
unsigned int fg_index(u64 iova, u8 level);
u64 fg_map_dir(struct fake_mem *m, u64 root, u8 levels, u64 iova,
	       u8 leaf_level, u64 pte_val, u64 dir);
u64 fg_map(struct fake_mem *m, u64 root, u8 levels, u64 iova,
	   u8 leaf_level, u64 pte_val);
u64 fg_map_4k(struct fake_mem *m, u64 root, u8 levels, u64 iova, u64 gpa,
	      u8 perm);

#endif /* _PVIOMMU_FAKE_GUEST_H */
