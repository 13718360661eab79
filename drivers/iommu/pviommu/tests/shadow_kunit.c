// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the shadow engine (shadow.c) over a fake guest and a
 * fake host that flags every double map, partial unmap and unpin before
 * sync. After each scenario the host's page tables are compared with a
 * fresh walk of the guest's tables for every device (st_check()).
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/prandom.h>
#include <linux/uaccess.h>

#include "../shadow.h"
#include "fake_guest.h"
#include "fake_host.h"

#define CAP_T		(VTD_CAP_CM | SAGAW(0x6) | MGAW(48) |		\
			 VTD_CAP_SLLPS_2M | VTD_CAP_SLLPS_1G | VTD_CAP_PSI | \
			 MAMV(18) | 6)
#define ECAP_T		(VTD_ECAP_QI | VTD_ECAP_DT | VTD_ECAP_PT)

/* Guest RAM: one slot at GPA 0 backed by (fake) VMM memory at RAM_UADDR. */
#define RAM_LEN		(256ULL << 20)
#define RAM_UADDR	0x10000000ULL
#define NR_DEVS		4
#define SID(i)		(0x0008 + 8 * (i))	/* bus 0, devices 1.. */
#define LEVELS		4
#define AW		2			/* 4 levels */

struct st_fault {
	u16 sid;
	u64 iova;
	u8 reason;
};

struct st {
	struct kunit *test;
	struct fake_mem *m;
	struct fake_host *fh;
	struct pviommu_caps caps;
	struct pviommu_gmem gmem;
	struct pviommu_engine e;
	u64 rta;
	u64 ctp;
	bool attached[NR_DEVS];
	struct st_fault faults[16];
	unsigned int nr_faults;
	struct pviommu_leaf *leaves;	/* scratch for st_check() */
};

static void st_fault(void *priv, u16 sid, u64 iova, u8 reason)
{
	struct st *st = priv;

	if (st->nr_faults < ARRAY_SIZE(st->faults))
		st->faults[st->nr_faults] = (struct st_fault){ sid, iova,
							       reason };
	st->nr_faults++;
}

static void st_exit(void *data)
{
	struct st *st = data;

	pviommu_engine_destroy(&st->e);
	pviommu_gmem_destroy(&st->gmem);
}

static struct st *st_new_caps(struct kunit *test, u64 cap, u64 ecap)
{
	struct st *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->test = test;
	st->m = fg_mem_new(test);
	st->fh = fh_new(test);
	st->leaves = kunit_kcalloc(test, 4096, sizeof(*st->leaves),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st->leaves);
	KUNIT_ASSERT_EQ(test, pviommu_caps_init(&st->caps, cap, ecap, 48), 0);
	pviommu_gmem_init(&st->gmem);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&st->gmem, 0, RAM_LEN,
					       RAM_UADDR, false, 16), 0);

	st->e.ops = &fh_ops;
	st->e.host = st->fh;
	st->e.caps = &st->caps;
	st->e.gmem = &st->gmem;
	st->e.read = fg_read;
	st->e.read_priv = st->m;
	st->e.fault = st_fault;
	st->e.fault_priv = st;
	st->e.max_entries = 1 << 20;
	KUNIT_ASSERT_EQ(test, pviommu_engine_init(&st->e), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, st_exit, st), 0);

	/* Bus 0's root entry; the root table is set, context entries empty. */
	st->m->next_table = RAM_LEN;	/* tables above guest RAM */
	st->rta = fg_table(st->m);
	st->ctp = fg_table(st->m);
	fg_set(st->m, st->rta, 0, st->ctp | VTD_RE_P);
	pviommu_engine_set_root(&st->e, st->rta);
	return st;
}

static struct st *st_new(struct kunit *test)
{
	return st_new_caps(test, CAP_T, ECAP_T);
}

/* Point device @i's context entry at @root (0: not present). */
static void st_ctx(struct st *st, int i, u16 did, u64 root, u8 tt)
{
	unsigned int devfn = SID(i) & 0xff;

	if (!root && tt != VTD_TT_PASS_THROUGH) {
		fg_set(st->m, st->ctp, 2 * devfn, 0);
		fg_set(st->m, st->ctp, 2 * devfn + 1, 0);
		return;
	}
	fg_set(st->m, st->ctp, 2 * devfn, root | (u64)tt << 2 | VTD_CE_P);
	fg_set(st->m, st->ctp, 2 * devfn + 1, AW | (u64)did << 8);
}

static void st_attach(struct st *st, int i)
{
	st->e.budget = 1 << 24;
	KUNIT_ASSERT_EQ(st->test, pviommu_engine_attach(&st->e, SID(i),
							&st->fh->devs[i]), 0);
	st->attached[i] = true;
}

/* Decode and apply one descriptor with an ample budget. */
static int st_apply(struct st *st, u64 qw0, u64 qw1)
{
	u64 d[2] = { qw0, qw1 };
	struct pviommu_qi_action act;

	KUNIT_EXPECT_EQ(st->test, pviommu_qi_decode(&st->caps, d, false, &act),
			PVIOMMU_QI_OK);
	st->e.budget = 1 << 24;
	return pviommu_engine_apply(&st->e, &act, false);
}

#define PSI(did, iova, am)	st_apply(st, IOTLB(3, did), PSI1(iova, 0, am))
#define DSI(did)		st_apply(st, IOTLB(2, did), 0)
#define CC_DEV(i)		st_apply(st, CC(3, 0, SID(i), 0), 0)

struct st_walk {
	struct pviommu_walk w;
	struct pviommu_leaf *leaves;
	unsigned int nr;
};

static int st_walk_leaf(struct pviommu_walk *w, const struct pviommu_leaf *l)
{
	struct st_walk *sw = container_of(w, struct st_walk, w);

	if (sw->nr == 4096)
		return -ENOSPC;
	sw->leaves[sw->nr++] = *l;
	return 0;
}

static const struct pviommu_walk_ops st_walk_ops = {
	.leaf = st_walk_leaf,
};

/* Device @i's host domain must map exactly what its guest context says. */
static void st_check_dev(struct st *st, int i)
{
	struct kunit *test = st->test;
	struct fh_dom *dom = st->fh->devs[i].dom;
	struct pviommu_context c;
	struct st_walk *sw;
	u64 expect = 0;
	unsigned int k;

	pviommu_read_context(&st->caps, fg_read, st->m, st->rta, SID(i), &c);
	if (c.fault) {
		KUNIT_EXPECT_PTR_EQ_MSG(test, dom, NULL, "device %d", i);
		return;
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, dom, "device %d blocked", i);

	sw = kzalloc(sizeof(*sw), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sw);
	sw->leaves = st->leaves;
	if (c.pass_through) {
		sw->leaves[0] = (struct pviommu_leaf){ .iova = 0, .gpa = 0,
						       .perm = RW };
		sw->nr = 1;
	} else {
		sw->w.caps = &st->caps;
		sw->w.read = fg_read;
		sw->w.priv = st->m;
		sw->w.ops = &st_walk_ops;
		sw->w.root = c.root;
		sw->w.levels = c.levels;
		sw->w.start = 0;
		sw->w.last = U64_MAX;
		sw->w.budget = U64_MAX;
		KUNIT_ASSERT_EQ(test, pviommu_walk(&sw->w), 0);
	}

	for (k = 0; k < sw->nr; k++) {
		struct pviommu_leaf *l = &sw->leaves[k];
		u64 size = c.pass_through ? RAM_LEN : BIT_ULL(l->shift);
		const struct pviommu_ram_slot *slot;
		u64 off;

		slot = pviommu_gmem_lookup(&st->gmem, l->gpa, size);
		for (off = 0; off < size; off += SZ_4K_) {
			int prot = -1;
			u64 pa = fh_lookup(dom, l->iova + off, &prot);
			u64 want = slot ? fh_pa(st->fh, slot->uaddr +
						(l->gpa - slot->gpa) + off) : 0;

			if (pa != want || (slot && prot != l->perm)) {
				KUNIT_FAIL(test,
					   "dev %d iova %llx: pa %llx prot %d, want %llx prot %d",
					   i, l->iova + off, pa, prot, want,
					   l->perm);
				goto out;
			}
		}
		if (slot)
			expect += size;
	}
	KUNIT_EXPECT_EQ_MSG(test, fh_mapped_bytes(dom), expect, "device %d",
			    i);
out:
	kfree(sw);
}

/* Every attached device's domain equals the guest; no host rule broken. */
static void st_check(struct st *st)
{
	int i;

	for (i = 0; i < NR_DEVS; i++)
		if (st->attached[i])
			st_check_dev(st, i);
	KUNIT_EXPECT_EQ(st->test, st->fh->errors, 0);
}

/* The fake host itself catches what it claims to catch. */
static void shadow_test_fake_host(struct kunit *test)
{
	struct fake_host *fh = fh_new(test);
	void *dom = fh_ops.domain_alloc(fh);
	unsigned int errors;
	u64 pa[2];

#define FH_EXPECT_ERROR(call)					\
	do {							\
		errors = fh->errors;				\
		call;						\
		KUNIT_EXPECT_GT_MSG(test, fh->errors, errors, #call); \
	} while (0)

	KUNIT_ASSERT_FALSE(test, IS_ERR(dom));
	KUNIT_ASSERT_EQ(test, fh_ops.pin(fh, RAM_UADDR, 2, true, pa), 0);
	KUNIT_ASSERT_EQ(test, fh_ops.map(fh, dom, 0, pa[0], SZ_8K, 3), 0);
	KUNIT_EXPECT_EQ(test, fh->errors, 0);
	FH_EXPECT_ERROR(fh_ops.map(fh, dom, SZ_4K, pa[1], SZ_4K, 3));
	FH_EXPECT_ERROR(fh_ops.unmap(fh, dom, 0, SZ_4K));
	FH_EXPECT_ERROR(fh_ops.unpin(fh, pa[0], 1, false));
	fh_ops.sync(fh, dom);
	FH_EXPECT_ERROR(fh_ops.unpin(fh, pa[0], 1, false));
	FH_EXPECT_ERROR(fh_ops.unmap(fh, dom, SZ_1M, SZ_4K));
	FH_EXPECT_ERROR(fh_ops.map(fh, dom, SZ_1M, SZ_1G, SZ_4K, 3));
	FH_EXPECT_ERROR(fh_ops.domain_free(fh, dom));
#undef FH_EXPECT_ERROR
}

/* Map on PSI, unmap on PSI: one host call each, pins back to zero. */
static void shadow_test_map_unmap(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);

	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 1);

	fg_map_4k(st->m, root, LEVELS, 0x10000, 0x300000, RW);
	KUNIT_ASSERT_EQ(test, PSI(1, 0x10000, 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 1);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 1);
	st_check(st);

	/* The same invalidation again: nothing changes, nothing mapped twice. */
	KUNIT_ASSERT_EQ(test, PSI(1, 0x10000, 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 1);

	fg_map_4k(st->m, root, LEVELS, 0x10000, 0, 0);
	KUNIT_ASSERT_EQ(test, st_apply(st, IOTLB(3, 1), PSI1(0x10000, 1, 0)),
			0);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 1);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	st_check(st);
}

/*
 * Invalidations wider than what is mapped: a PSI over 2M around one page,
 * a DSI, a global, a DSI of another domain. Each unmaps only what the tree
 * holds, once.
 */
static void shadow_test_wide_invalidations(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);

	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	fg_map_4k(st->m, root, LEVELS, 0x201000, 0x5000, RW);
	KUNIT_ASSERT_EQ(test, PSI(1, 0x200000, 9), 0);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 1);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	KUNIT_ASSERT_EQ(test, st_apply(st, IOTLB(1, 0), 0), 0);
	KUNIT_ASSERT_EQ(test, DSI(7), 0);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 1);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 0);

	fg_map_4k(st->m, root, LEVELS, 0x201000, 0, 0);
	KUNIT_ASSERT_EQ(test, PSI(1, 0, 18), 0);	/* 1 GiB around it */
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 1);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 1);
	st_check(st);
}

/* Without CAP.PSI a page-selective invalidation covers the whole domain. */
static void shadow_test_psi_widened(struct kunit *test)
{
	struct st *st = st_new_caps(test, CAP_T & ~VTD_CAP_PSI, ECAP_T);
	u64 root = fg_table(st->m);

	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	fg_map_4k(st->m, root, LEVELS, 0x1000, 0x1000, RW);
	fg_map_4k(st->m, root, LEVELS, 0x7000000, 0x2000, RW);
	/* The address names one page; both are picked up. */
	KUNIT_ASSERT_EQ(test, PSI(1, 0x1000, 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 2);
	st_check(st);
}

/* Two devices, one guest domain: one host domain, one unmap, both stop. */
static void shadow_test_two_devices(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);
	u64 walks;

	st_ctx(st, 0, 1, root, 0);
	st_ctx(st, 1, 1, root, 0);
	st_attach(st, 0);
	st_attach(st, 1);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 1);
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[0].dom, st->fh->devs[1].dom);

	/* One walk per invalidation, not one per device. */
	walks = st->e.stats.walks;
	fg_map_4k(st->m, root, LEVELS, 0x1000, 0x1000, RW);
	KUNIT_ASSERT_EQ(test, PSI(1, 0x1000, 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 1);
	KUNIT_EXPECT_EQ(test, st->e.stats.walks, walks + 1);
	fg_map_4k(st->m, root, LEVELS, 0x1000, 0, 0);
	KUNIT_ASSERT_EQ(test, PSI(1, 0x1000, 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 1);
	KUNIT_EXPECT_EQ(test, st->e.stats.walks, walks + 2);
	st_check(st);
}

/* A device hot-added to a populated domain sees it at once, with no walk. */
static void shadow_test_hot_add(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);
	unsigned int reads;
	u64 walks;

	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	fg_map_4k(st->m, root, LEVELS, 0x1000, 0x1000, RW);
	fg_map(st->m, root, LEVELS, 0x400000, 2, 0x800000 | VTD_SL_PS | RW);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);

	st_ctx(st, 1, 1, root, 0);
	reads = st->m->reads;
	walks = st->e.stats.walks;
	st_attach(st, 1);
	KUNIT_EXPECT_EQ(test, st->e.stats.walks, walks);
	KUNIT_EXPECT_EQ(test, st->m->reads - reads, 2);	/* root + context */
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[1].dom, st->fh->devs[0].dom);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 2);
	st_check(st);
}

/*
 * A device moves to another domain (a new shadow, built by a walk before
 * it is attached), and back (joining the first; the second is torn down).
 */
static void shadow_test_move(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root1 = fg_table(st->m), root2 = fg_table(st->m);

	st_ctx(st, 0, 1, root1, 0);
	st_ctx(st, 1, 1, root1, 0);
	st_attach(st, 0);
	st_attach(st, 1);
	fg_map_4k(st->m, root1, LEVELS, 0x1000, 0x1000, RW);
	fg_map_4k(st->m, root2, LEVELS, 0x1000, 0x9000, VTD_SL_R);
	fg_map_4k(st->m, root2, LEVELS, 0x2000, 0xa000, RW);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);

	st_ctx(st, 1, 2, root2, 0);
	KUNIT_ASSERT_EQ(test, CC_DEV(1), 0);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 2);
	KUNIT_EXPECT_PTR_NE(test, st->fh->devs[0].dom, st->fh->devs[1].dom);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 0);
	st_check(st);

	st_ctx(st, 1, 1, root1, 0);
	KUNIT_ASSERT_EQ(test, CC_DEV(1), 0);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 1);
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[0].dom, st->fh->devs[1].dom);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 1);
	st_check(st);
}

/* Context not present: the device is blocked; its last shadow goes away. */
static void shadow_test_block(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);

	/* Attached before the guest programs its context entry: blocked. */
	st_attach(st, 0);
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[0].dom, NULL);

	st_ctx(st, 0, 1, root, 0);
	fg_map_4k(st->m, root, LEVELS, 0x1000, 0x1000, RW);
	KUNIT_ASSERT_EQ(test, CC_DEV(0), 0);
	KUNIT_EXPECT_NOT_NULL(test, st->fh->devs[0].dom);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 1);
	st_check(st);

	st_ctx(st, 0, 0, 0, 0);
	KUNIT_ASSERT_EQ(test, st_apply(st, CC(1, 0, 0, 0), 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[0].dom, NULL);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	st_check(st);
}

/* Pass-through maps all guest RAM at IOVA = GPA, following slot changes. */
static void shadow_test_pass_through(struct kunit *test)
{
	struct st *st = st_new(test);
	const struct pviommu_ram_slot *slot;

	st_ctx(st, 0, 3, 0, VTD_TT_PASS_THROUGH);
	st_attach(st, 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, RAM_LEN / SZ_4K_);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 1);
	st_check(st);

	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&st->gmem, 1ULL << 32, SZ_2M_,
					       0x40000000, false, 16), 0);
	slot = pviommu_gmem_lookup(&st->gmem, 1ULL << 32, SZ_2M_);
	KUNIT_ASSERT_EQ(test, pviommu_engine_add_slot(&st->e, slot), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(st->fh->devs[0].dom, (1ULL << 32) + 8,
					NULL), fh_pa(st->fh, 0x40000008));

	pviommu_engine_remove_slot(&st->e, 1ULL << 32, SZ_2M_);
	KUNIT_EXPECT_EQ(test, fh_lookup(st->fh->devs[0].dom, 1ULL << 32,
					NULL), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, RAM_LEN / SZ_4K_);
	KUNIT_EXPECT_EQ(test, pviommu_engine_detach(&st->e, SID(0)), 0);
	st->attached[0] = false;
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 0);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

static struct kunit_case shadow_test_cases[] = {
	KUNIT_CASE(shadow_test_fake_host),
	KUNIT_CASE(shadow_test_map_unmap),
	KUNIT_CASE(shadow_test_wide_invalidations),
	KUNIT_CASE(shadow_test_psi_widened),
	KUNIT_CASE(shadow_test_two_devices),
	KUNIT_CASE(shadow_test_hot_add),
	KUNIT_CASE(shadow_test_move),
	KUNIT_CASE(shadow_test_block),
	KUNIT_CASE(shadow_test_pass_through),
	{}
};

static struct kunit_suite shadow_test_suite = {
	.name = "pviommu_shadow",
	.test_cases = shadow_test_cases,
};

kunit_test_suite(shadow_test_suite);
