// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the shadow engine (shadow*.c) over a fake guest and a
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
	u32 reason;
};

struct st {
	struct kunit *test;
	struct fake_mem *m;
	struct pviommu_host *fh;
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

static void st_fault(void *priv, u16 sid, u64 iova, u32 reason)
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
	KUNIT_ASSERT_EQ(test, pviommu_engine_set_translation(&st->e, true), 0);
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

/* A fixture with device 0 attached to guest domain 1, rooted at *@root. */
static struct st *st_new_dev0(struct kunit *test, u64 *root)
{
	struct st *st = st_new(test);

	*root = fg_table(st->m);
	st_ctx(st, 0, 1, *root, 0);
	st_attach(st, 0);
	return st;
}

/* Decode and apply one 128- or (@wide) 256-bit descriptor, ample budget. */
static int st_apply_desc(struct st *st, u64 qw0, u64 qw1, bool wide)
{
	u64 d[4] = { qw0, qw1 };
	struct pviommu_qi_action act;

	KUNIT_EXPECT_EQ(st->test, pviommu_qi_decode(&st->caps, d, wide, &act),
			PVIOMMU_QI_OK);
	st->e.budget = 1 << 24;
	return pviommu_engine_apply(&st->e, &act, false);
}

static int st_apply(struct st *st, u64 qw0, u64 qw1)
{
	return st_apply_desc(st, qw0, qw1, false);
}

/* The same, 256 bits wide (scalable mode). */
static int st_apply_wide(struct st *st, u64 qw0, u64 qw1)
{
	return st_apply_desc(st, qw0, qw1, true);
}

#define PSI(did, iova, am)	st_apply(st, IOTLB(3, did), PSI1(iova, 0, am))
#define PSI_IH(did, iova, am)	st_apply(st, IOTLB(3, did), PSI1(iova, 1, am))
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

/*
 * Whether @dom maps leaf @l (@size bytes) as the guest asks: to the host
 * pages behind @slot with the leaf's permissions, in host pages that lie
 * within the leaf, or not at all when @slot is NULL (not guest RAM).
 */
static bool st_check_leaf(struct st *st, struct pviommu_hdom *dom,
			  const struct pviommu_leaf *l, u64 size,
			  const struct pviommu_ram_slot *slot)
{
	u64 covered = 0;
	unsigned int j;

	for (j = 0; j < dom->nr_maps; j++) {
		struct fh_map *m = &dom->maps[j];
		u64 off = m->iova - l->iova;

		if (m->iova + m->size <= l->iova || m->iova >= l->iova + size)
			continue;
		if (!slot || m->iova < l->iova || off + m->size > size ||
		    m->prot != l->perm ||
		    m->pa != fh_pa(st->fh, slot->uaddr + (l->gpa - slot->gpa) +
				   off))
			return false;
		covered += m->size;
	}
	return covered == (slot ? size : 0);
}

/* Device @i's host domain must map exactly what its guest context says. */
static void st_check_dev(struct st *st, int i)
{
	struct kunit *test = st->test;
	struct pviommu_hdom *dom = st->fh->devs[i].dom;
	unsigned int k, nr_expect = 0;
	struct pviommu_context c;
	struct st_walk *sw;
	u64 expect = 0;

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

		slot = pviommu_gmem_lookup(&st->gmem, l->gpa, size);
		if (!st_check_leaf(st, dom, l, size, slot)) {
			KUNIT_FAIL(test, "dev %d: leaf %llx+%llx (gpa %llx, perm %u) %s",
				   i, l->iova, size, l->gpa, l->perm,
				   "not mapped as the guest says");
			break;
		}
		if (slot) {
			expect += size;
			nr_expect++;
		}
	}
	KUNIT_EXPECT_EQ_MSG(test, fh_mapped_bytes(dom), expect, "device %d",
			    i);
	/* Unscrambled, each guest page is exactly one host page. */
	if (!st->fh->scramble && !c.pass_through)
		KUNIT_EXPECT_EQ_MSG(test, dom->nr_maps, nr_expect, "device %d",
				    i);
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

/*
 * The reference: second-level translation of one IOVA as the VT-d
 * specification states it, from the root down, each level's R and W ANDed,
 * a level-2 or level-3 entry with PS set ending the walk. Stores the
 * translation in @gpa and, in @span, the size of the leaf or of the
 * not-present entry that decided it. Return: the permissions, 0 for none.
 */
static u8 ref_translate(struct fake_mem *m, u64 root, u8 levels, u8 haw,
			u64 iova, u64 *gpa, u64 *span)
{
	u64 table = root;
	u8 perm = RW;
	u8 level;

	for (level = levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 pte = fg_get(m, table, (iova >> shift) & 511);

		*span = BIT_ULL(shift);
		perm &= pte;
		if (!(pte & RW))
			return 0;
		if (level == 1 || (pte & VTD_SL_PS)) {
			*gpa = (pte & GENMASK_ULL(haw - 1, shift)) +
			       (iova & (*span - 1));
			return perm;
		}
		table = pte & GENMASK_ULL(haw - 1, 12);
	}
	return 0;
}

/*
 * @dom against the reference over the tables at @root: every host page
 * translates as the reference does, with its permissions, and lies in one
 * guest leaf (so the host maps nothing the guest does not). With @end,
 * also the other way: the host maps exactly as many bytes as the
 * reference translates into guest RAM below @end (the fake host refuses
 * overlaps), so the two agree on every IOVA there.
 */
static void st_check_ref(struct st *st, struct pviommu_hdom *dom, u64 root,
			 u64 end, int i)
{
	u64 iova, gpa, span, expect = 0;
	unsigned int k;
	u8 perm;

	for (iova = 0; iova < end; iova += span) {
		perm = ref_translate(st->m, root, LEVELS, st->caps.haw, iova,
				     &gpa, &span);
		if (perm && gpa + span <= RAM_LEN)
			expect += span;
	}
	if (end)
		KUNIT_EXPECT_EQ_MSG(st->test, fh_mapped_bytes(dom), expect,
				    "device %d", i);
	for (k = 0; k < dom->nr_maps; k++) {
		struct fh_map *h = &dom->maps[k];

		perm = ref_translate(st->m, root, LEVELS, st->caps.haw,
				     h->iova, &gpa, &span);
		if (perm != h->prot || gpa + h->size > RAM_LEN ||
		    h->pa != fh_pa(st->fh, RAM_UADDR + gpa) ||
		    h->size > span - (h->iova & (span - 1))) {
			KUNIT_FAIL(st->test,
				   "device %d: host %llx+%llx -> %llx prot %d, reference %llx perm %u",
				   i, h->iova, h->size, h->pa, h->prot,
				   perm ? gpa : 0, perm);
			return;
		}
	}
}

/* The fake host itself catches what it claims to catch. */
static void shadow_test_fake_host(struct kunit *test)
{
	struct pviommu_host *fh = fh_new(test);
	void *dom = fh_ops.domain_alloc(fh, &fh->devs[0]);
	unsigned int errors;
	u64 *pa;

#define FH_EXPECT_ERROR(call)					\
	do {							\
		errors = fh->errors;				\
		call;						\
		KUNIT_EXPECT_GT_MSG(test, fh->errors, errors, #call); \
	} while (0)

	pa = kunit_kcalloc(test, 512, sizeof(*pa), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pa);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dom));
	KUNIT_ASSERT_EQ(test, fh_ops.pin(fh, RAM_UADDR, 512, true, pa), 0);
	/* One call of two 4K pages: each page can be unmapped alone. */
	KUNIT_ASSERT_EQ(test, fh_ops.map(fh, dom, 0, pa[0], SZ_8K, 3), 0);
	KUNIT_EXPECT_EQ(test, fh_ops.unmap(fh, dom, SZ_4K, SZ_4K), SZ_4K);
	/* Aligned and contiguous: one 2M page, which no unmap may cut. */
	KUNIT_ASSERT_EQ(test, fh_ops.map(fh, dom, SZ_2M, pa[0], SZ_2M, 3), 0);
	KUNIT_EXPECT_EQ(test, fh->errors, 0);
	FH_EXPECT_ERROR(fh_ops.map(fh, dom, 0, pa[1], SZ_4K, 3));
	FH_EXPECT_ERROR(fh_ops.unmap(fh, dom, SZ_2M + SZ_4K, SZ_4K));
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
	struct st *st;
	u64 root;

	st = st_new_dev0(test, &root);
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
	KUNIT_ASSERT_EQ(test, PSI_IH(1, 0x10000, 0), 0);
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
	struct st *st;
	u64 root;

	st = st_new_dev0(test, &root);
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
	struct st *st;
	u64 root;
	unsigned int reads;
	u64 walks;

	st = st_new_dev0(test, &root);
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

	/*
	 * The host cannot attach the new shadow: the device is blocked, not
	 * left in the old one, with a host fault; the same invalidation
	 * sent again attaches it.
	 */
	st_ctx(st, 1, 2, root2, 0);
	st->fh->fail_attach = true;
	st->e.failed = 0;
	KUNIT_ASSERT_EQ(test, CC_DEV(1), 0);
	KUNIT_EXPECT_EQ(test, st->e.failed, 1);
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[1].dom, NULL);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].sid, SID(1));
	KUNIT_EXPECT_EQ(test, st->faults[0].reason, PVIOMMU_FR_HOST_ATTACH);
	st->fh->fail_attach = false;
	KUNIT_ASSERT_EQ(test, CC_DEV(1), 0);
	KUNIT_EXPECT_NOT_NULL(test, st->fh->devs[1].dom);
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
	/* Not present is no fault. */
	KUNIT_EXPECT_EQ(test, st->nr_faults, 0);

	/*
	 * Not present to present, invalidated domain-selectively with DID 0:
	 * the domain caching-mode units cache not-present entries under.
	 */
	st_ctx(st, 0, 1, root, 0);
	KUNIT_ASSERT_EQ(test, st_apply(st, CC(2, 1, 0, 0), 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[0].dom, NULL);
	KUNIT_ASSERT_EQ(test, st_apply(st, CC(2, 0, 0, 0), 0), 0);
	KUNIT_EXPECT_NOT_NULL(test, st->fh->devs[0].dom);
	st_check(st);

	/* An erroneous context entry: blocked, with one fault record. */
	fg_set(st->m, st->ctp, 2 * (SID(0) & 0xff) + 1, AW | 1ULL << 7);
	KUNIT_ASSERT_EQ(test, CC_DEV(0), 0);
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[0].dom, NULL);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].sid, SID(0));
	KUNIT_EXPECT_EQ(test, st->faults[0].reason, VTD_FR_CONTEXT_ENTRY_RSVD);
	KUNIT_ASSERT_EQ(test, CC_DEV(0), 0);
	KUNIT_EXPECT_EQ(test, st->nr_faults, 1);
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

/*
 * Translation Enable: while it is clear, devices reach guest physical
 * addresses over all guest RAM, whatever their context entries say (none
 * here, or one that maps a single page); set, they translate through the
 * context entry; cleared again (kexec), untranslated again.
 */
static void shadow_test_translation_enable(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);
	struct pviommu_hdom *dom;

	KUNIT_ASSERT_EQ(test, pviommu_engine_set_translation(&st->e, false),
			0);
	st_attach(st, 0);
	st_attach(st, 1);
	dom = st->fh->devs[0].dom;
	KUNIT_ASSERT_NOT_NULL(test, dom);
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[1].dom, dom);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x123000, NULL),
			fh_pa(st->fh, RAM_UADDR + 0x123000));
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, RAM_LEN / SZ_4K_);

	/* Enabled: device 0 through its tables, device 1 not present. */
	fg_map_4k(st->m, root, LEVELS, SZ_2M_, 0x5000, RW);
	st_ctx(st, 0, 1, root, 0);
	KUNIT_EXPECT_EQ(test, pviommu_engine_set_translation(&st->e, true), 0);
	KUNIT_EXPECT_EQ(test, st->e.failed, 0);
	dom = st->fh->devs[0].dom;
	KUNIT_ASSERT_NOT_NULL(test, dom);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x123000, NULL), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, SZ_2M_, NULL),
			fh_pa(st->fh, RAM_UADDR + 0x5000));
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[1].dom, NULL);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 1);
	st_check(st);

	/* Disabled again: both untranslated, nothing of the tables left. */
	KUNIT_EXPECT_EQ(test, pviommu_engine_set_translation(&st->e, false),
			0);
	dom = st->fh->devs[1].dom;
	KUNIT_ASSERT_NOT_NULL(test, dom);
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[0].dom, dom);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, SZ_2M_, NULL),
			fh_pa(st->fh, RAM_UADDR + SZ_2M_));
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, RAM_LEN / SZ_4K_);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 1);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
	KUNIT_EXPECT_EQ(test, pviommu_engine_set_translation(&st->e, true), 0);
}

/*
 * Device 0 in scalable mode: its context entry names PASID directory
 * @pdt, whose entry 0 names PASID table @ptt, whose entry 0 (PASID 0,
 * DID 5) is @qw0 and @qw2; the root table is set and the device attached.
 * Returns the device's host domain.
 */
static struct pviommu_hdom *sm_attach(struct st *st, u64 sctp, u64 pdt,
				      u64 ptt, u64 qw0, u64 qw2)
{
	struct kunit *test = st->test;

	fg_set(st->m, st->rta, 0, sctp | VTD_SRE_P);
	fg_set(st->m, sctp, 4 * (SID(0) & 0xff), pdt | VTD_SCE_P);
	fg_set(st->m, pdt, 0, ptt | VTD_PDE_P);
	fg_set(st->m, ptt, 0, qw0);
	fg_set(st->m, ptt, 1, 5);
	fg_set(st->m, ptt, 2, qw2);
	KUNIT_ASSERT_EQ(test, pviommu_engine_set_root(&st->e, st->rta |
					(u64)VTD_TTM_SCALABLE << 10), 0);
	st->e.budget = 1 << 24;
	KUNIT_ASSERT_EQ(test, pviommu_engine_attach(&st->e, SID(0),
						    &st->fh->devs[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, st->fh->devs[0].dom);
	return st->fh->devs[0].dom;
}

#define SM_PTE(root, pgtt)	((root) | 2ULL << 2 | (u64)(pgtt) << 6 | \
				 VTD_PTE_P)

/*
 * Scalable mode: device 0's DMA without PASID translates through its
 * RID_PASID entry (PASID 0, DID 5): second stage, through the same
 * reconcile as legacy mode; PASID-based IOTLB invalidations map and
 * unmap; a PASID-cache invalidation of its PASID (not of another)
 * switches it to pass-through and, domain-selective, back; the SM fault
 * reasons are used; a PASID entry that is merely absent blocks the device
 * without a fault record.
 */
static void shadow_test_scalable(struct kunit *test)
{
	struct st *st = st_new_caps(test, CAP_T, ECAP_T | VTD_ECAP_SMTS |
				    VTD_ECAP_SLTS);
	u64 root = fg_table(st->m), sctp = fg_table(st->m);
	u64 pdt = fg_table(st->m), ptt = fg_table(st->m);
	struct pviommu_hdom *dom;

	fg_map_4k(st->m, root, LEVELS, 0x10000, 0x3000, RW);
	dom = sm_attach(st, sctp, pdt, ptt, SM_PTE(root, VTD_PGTT_SS), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x10000, NULL),
			fh_pa(st->fh, RAM_UADDR + 0x3000));

	/* PASID-based IOTLB, page-selective: a new leaf, a bad one. */
	fg_map_4k(st->m, root, LEVELS, 0x11000, 0x4000, RW);
	fg_map_4k(st->m, root, LEVELS, 0x12000, BIT_ULL(50) | 0x5000, RW);
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, PIOTLB(3, 5, 0),
					    PSI1(0x10000, 0, 2)), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x11000, NULL),
			fh_pa(st->fh, RAM_UADDR + 0x4000));
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x12000, NULL), 0);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].reason, VTD_FR_SM_SL_ENTRY_RSVD);
	fg_map_4k(st->m, root, LEVELS, 0x12000, 0, 0);
	/* PASID-selective: another domain's leaves it; this one's not. */
	fg_map_4k(st->m, root, LEVELS, 0x10000, 0, 0);
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, PIOTLB(2, 6, 0), 0), 0);
	KUNIT_EXPECT_NE(test, fh_lookup(dom, 0x10000, NULL), 0);
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, PIOTLB(2, 5, 0), 0), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x10000, NULL), 0);
	fg_map_4k(st->m, root, LEVELS, 0x10000, 0x3000, RW);
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, PIOTLB(2, 5, 0), 0), 0);
	/* Legacy IOTLB invalidations act on the domain in scalable mode. */
	fg_map_4k(st->m, root, LEVELS, 0x11000, 0, 0);
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, IOTLB(2, 5), 0), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x11000, NULL), 0);

	/* PGTT 4; a PASID-cache invalidation of another PASID: no change. */
	fg_set(st->m, ptt, 0, SM_PTE(0, VTD_PGTT_PT));
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, PC(1, 5, 1), 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 1);
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, PC(1, 5, 0), 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, RAM_LEN / SZ_4K_);
	KUNIT_EXPECT_EQ(test, fh_lookup(st->fh->devs[0].dom, 0x123000, NULL),
			fh_pa(st->fh, RAM_UADDR + 0x123000));

	/* Back to second stage, domain-selective. */
	fg_set(st->m, ptt, 0, SM_PTE(root, VTD_PGTT_SS));
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, PC(0, 5, 0), 0), 0);
	dom = st->fh->devs[0].dom;
	KUNIT_ASSERT_NOT_NULL(test, dom);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 1);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x10000, NULL),
			fh_pa(st->fh, RAM_UADDR + 0x3000));

	/*
	 * PASIDE: requests with PASID are not shadowed; one host record
	 * when the guest enables them, none while it stays.
	 */
	fg_set(st->m, sctp, 4 * (SID(0) & 0xff), pdt | VTD_SCE_P |
	       VTD_SCE_PASIDE);
	KUNIT_ASSERT_EQ(test, CC_DEV(0), 0);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 2);
	KUNIT_EXPECT_EQ(test, st->faults[1].reason, PVIOMMU_FR_HOST_PASID);
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, PC(3, 0, 0), 0), 0);
	KUNIT_EXPECT_EQ(test, st->nr_faults, 2);
	KUNIT_EXPECT_NOT_NULL(test, st->fh->devs[0].dom);
	st->nr_faults = 1;

	/* Absent: blocked, no record; first stage: refused, one record. */
	fg_set(st->m, ptt, 0, 0);
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, PC(3, 0, 0), 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[0].dom, NULL);
	KUNIT_EXPECT_EQ(test, st->nr_faults, 1);
	fg_set(st->m, ptt, 0, SM_PTE(root, VTD_PGTT_FS));
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, PC(1, 5, 0), 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, st->fh->devs[0].dom, NULL);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 2);
	KUNIT_EXPECT_EQ(test, st->faults[1].reason, VTD_FR_SM_PTE_BAD);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * First stage (PGTT 1): DMA without PASID is user-privileged, so a leaf
 * needs U/S at every level, and R/W for writes; the host maps what that
 * leaves; reserved bits fault with the first-stage SM reason; a change of
 * a leaf's permission follows a PASID-based IOTLB invalidation.
 */
static void shadow_test_first_stage(struct kunit *test)
{
	struct st *st = st_new_caps(test, CAP_T, ECAP_T | VTD_ECAP_SMTS |
				    VTD_ECAP_FLTS);
	u64 root = fg_table(st->m), sctp = fg_table(st->m);
	u64 pdt = fg_table(st->m), ptt = fg_table(st->m);
	u64 pt = fg_table(st->m), pd = fg_table(st->m), pdp = fg_table(st->m);
	const u64 dir = VTD_FS_P | VTD_FS_RW | VTD_FS_US;
	struct pviommu_hdom *dom;
	int prot;

	/* IOVA 0x10000-0x13fff in one last-level table. */
	fg_set(st->m, root, 0, pdp | dir);
	fg_set(st->m, pdp, 0, pd | dir);
	fg_set(st->m, pd, 0, pt | dir);
	fg_set(st->m, pt, 0x10, 0x3000 | dir);
	fg_set(st->m, pt, 0x11, 0x4000 | VTD_FS_P | VTD_FS_US);
	fg_set(st->m, pt, 0x12, 0x5000 | VTD_FS_P | VTD_FS_RW);
	fg_set(st->m, pt, 0x13, 0x6000 | dir | BIT_ULL(50));
	/* FLPM 0 in qw2: 4 levels. */
	dom = sm_attach(st, sctp, pdt, ptt, (u64)VTD_PGTT_FS << 6 | VTD_PTE_P,
			root);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x10000, &prot),
			fh_pa(st->fh, RAM_UADDR + 0x3000));
	KUNIT_EXPECT_EQ(test, prot, RW);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x11000, &prot),
			fh_pa(st->fh, RAM_UADDR + 0x4000));
	KUNIT_EXPECT_EQ(test, prot, VTD_SL_R);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x12000, NULL), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x13000, NULL), 0);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].reason, VTD_FR_SM_FS_ENTRY_RSVD);
	KUNIT_EXPECT_EQ(test, st->faults[0].iova, 0x13000);

	/* Write allowed now, and U/S given: both follow a PIOTLB flush. */
	fg_set(st->m, pt, 0x11, 0x4000 | dir);
	fg_set(st->m, pt, 0x12, 0x5000 | dir);
	KUNIT_ASSERT_EQ(test, st_apply_wide(st, PIOTLB(3, 5, 0),
					    PSI1(0x10000, 0, 2)), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x11000, &prot),
			fh_pa(st->fh, RAM_UADDR + 0x4000));
	KUNIT_EXPECT_EQ(test, prot, RW);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 0x12000, NULL),
			fh_pa(st->fh, RAM_UADDR + 0x5000));
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * A 2M leaf is one host mapping; split into 4K entries it is unmapped
 * whole and what is still valid is re-mapped; merged back, the 4K entries
 * go and one 2M mapping returns.
 */
static void shadow_test_split_merge(struct kunit *test)
{
	struct st *st;
	u64 root;
	u64 pd, pt;
	int i;

	st = st_new_dev0(test, &root);
	pd = fg_map(st->m, root, LEVELS, SZ_1G_, 2, 0x400000 | VTD_SL_PS | RW);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_1G_, 9), 0);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 1);
	KUNIT_EXPECT_EQ(test, st->fh->doms[0].maps[0].size, SZ_2M_);
	st_check(st);

	/* Split: a 4K table with three of the 512 pages still mapped. */
	pt = fg_table(st->m);
	for (i = 0; i < 3; i++)
		fg_set(st->m, pt, i * 7, (0x400000 + i * 7 * SZ_4K_) | RW);
	fg_set(st->m, pd, fg_index(SZ_1G_, 2), pt | RW);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_1G_ + 7 * SZ_4K_, 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 1);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 1 + 3);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 3);
	st_check(st);

	/* Merge back into one 2M leaf. */
	fg_set(st->m, pd, fg_index(SZ_1G_, 2), 0x400000 | VTD_SL_PS | RW);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_1G_, 9), 0);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 1 + 3);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 1 + 3 + 1);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 1);
	st_check(st);
}

/* R -> RW on a live leaf: replaced, with the new permissions. */
static void shadow_test_perm_change(struct kunit *test)
{
	struct st *st;
	u64 root;
	int prot = 0;

	st = st_new_dev0(test, &root);
	fg_map_4k(st->m, root, LEVELS, 0x3000, 0x7000, VTD_SL_R);
	KUNIT_ASSERT_EQ(test, PSI(1, 0x3000, 0), 0);
	fh_lookup(st->fh->devs[0].dom, 0x3000, &prot);
	KUNIT_EXPECT_EQ(test, prot, PVIOMMU_PERM_R);

	fg_map_4k(st->m, root, LEVELS, 0x3000, 0x7000, RW);
	KUNIT_ASSERT_EQ(test, PSI(1, 0x3000, 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 1);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 2);
	fh_lookup(st->fh->devs[0].dom, 0x3000, &prot);
	KUNIT_EXPECT_EQ(test, prot, PVIOMMU_PERM_R | PVIOMMU_PERM_W);
	st_check(st);
}

/* One guest page at two IOVAs: pinned twice, released one at a time. */
static void shadow_test_same_gpa(struct kunit *test)
{
	struct st *st;
	u64 root;

	st = st_new_dev0(test, &root);
	fg_map_4k(st->m, root, LEVELS, 0x1000, 0x8000, RW);
	fg_map_4k(st->m, root, LEVELS, 0x9000000, 0x8000, VTD_SL_R);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 2);
	st_check(st);

	fg_map_4k(st->m, root, LEVELS, 0x1000, 0, 0);
	KUNIT_ASSERT_EQ(test, PSI(1, 0x1000, 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 1);
	st_check(st);
}

/* Guest RAM at 1 GiB..2 GiB, for 1G leaves. */
static void st_add_1g(struct st *st)
{
	KUNIT_ASSERT_EQ(st->test, pviommu_gmem_add(&st->gmem, SZ_1G_, SZ_1G_,
						   0x80000000, false, 16), 0);
}

/* Physically contiguous 2M and 1G guest leaves are one host mapping each. */
static void shadow_test_largest_pages(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);
	struct pviommu_hdom *dom;

	st_add_1g(st);
	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	fg_map(st->m, root, LEVELS, SZ_2M_, 2, 0xa00000 | VTD_SL_PS | RW);
	fg_map(st->m, root, LEVELS, SZ_1G_, 3, SZ_1G_ | VTD_SL_PS | VTD_SL_R);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	dom = st->fh->devs[0].dom;
	KUNIT_ASSERT_EQ(test, dom->nr_maps, 2);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 2);
	KUNIT_EXPECT_EQ(test, fh_mapped_bytes(dom), SZ_2M_ + SZ_1G_);
	st_check(st);
}

/*
 * Scrambled host pages: a 2M leaf becomes one host mapping per page, and
 * is unmapped run by run, never in part.
 */
static void shadow_test_scattered(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);

	st->fh->scramble = true;
	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	fg_map(st->m, root, LEVELS, SZ_2M_, 2, 0xa00000 | VTD_SL_PS | RW);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_2M_, 9), 0);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 512);
	st_check(st);
	fg_map(st->m, root, LEVELS, SZ_2M_, 2, 0);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_2M_, 9), 0);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 512);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	st_check(st);
}

/* Map 4K leaves @iova..+@n pages to @gpa.. and invalidate them. */
static int st_map_leaves(struct st *st, u64 root, u64 iova, u64 gpa,
			 unsigned int n, u8 perm)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		fg_map_4k(st->m, root, LEVELS, iova + i * SZ_4K_,
			  perm ? gpa + i * SZ_4K_ : 0, perm);
	return PSI(1, round_down(iova, SZ_2M_), 9) ?:
	       PSI(1, round_down(iova + n * SZ_4K_ - 1, SZ_2M_), 9);
}

/* Tree nodes over every shadow of @st. */
static unsigned int st_nodes(struct st *st)
{
	struct pviommu_shadow *s;
	struct rb_node *rb;
	unsigned int n = 0;

	list_for_each_entry(s, &st->e.shadows, node)
		for (rb = rb_first_cached(&s->tree); rb; rb = rb_next(rb))
			n++;
	return n;
}

/*
 * Entries as runs: the 4K leaves mapped by one batch are one tree node;
 * unmapping leaves inside it cuts it (in the middle: two nodes), and what
 * stays is what the guest maps. QUERY still answers with the leaf.
 */
static void shadow_test_runs(struct kunit *test)
{
	struct pviommu_entry ent;
	struct st *st;
	u64 root, phys;

	st = st_new_dev0(test, &root);
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_2M_, 0x400000, 320,
					    RW), 0);
	KUNIT_EXPECT_EQ(test, st_nodes(st), 1);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 320);
	KUNIT_ASSERT_EQ(test, pviommu_engine_query(&st->e, SID(0),
						   SZ_2M_ + 7 * SZ_4K_ + 12,
						   &ent, &phys), 0);
	KUNIT_EXPECT_EQ(test, ent.start, SZ_2M_ + 7 * SZ_4K_);
	KUNIT_EXPECT_EQ(test, ent.last, SZ_2M_ + 8 * SZ_4K_ - 1);
	KUNIT_EXPECT_EQ(test, ent.gpa, 0x400000 + 7 * SZ_4K_);
	KUNIT_EXPECT_EQ(test, phys,
			fh_pa(st->fh, RAM_UADDR + 0x400000 + 7 * SZ_4K_ + 12));

	/* The middle: two runs. */
	fg_map_4k(st->m, root, LEVELS, SZ_2M_ + 100 * SZ_4K_, 0, 0);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_2M_ + 100 * SZ_4K_, 0), 0);
	KUNIT_EXPECT_EQ(test, st_nodes(st), 2);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 319);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 319);
	st_check(st);

	/* The first leaf, and the last: each run shrinks. */
	fg_map_4k(st->m, root, LEVELS, SZ_2M_, 0, 0);
	fg_map_4k(st->m, root, LEVELS, SZ_2M_ + 319 * SZ_4K_, 0, 0);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_2M_, 0), 0);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_2M_ + 319 * SZ_4K_, 0), 0);
	KUNIT_EXPECT_EQ(test, st_nodes(st), 2);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 317);
	st_check(st);

	/* A leaf of a run remapped elsewhere: cut out, mapped on its own. */
	fg_map_4k(st->m, root, LEVELS, SZ_2M_ + 50 * SZ_4K_, 0x800000, RW);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_2M_ + 50 * SZ_4K_, 0), 0);
	KUNIT_EXPECT_EQ(test, st_nodes(st), 4);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 317);
	st_check(st);

	/*
	 * A host reserved range from inside a run's first leaf (not page
	 * aligned) to its end: every leaf it touches goes, here all of the
	 * run, and nothing of it stays in the tree.
	 */
	KUNIT_ASSERT_EQ(test, pviommu_engine_reserve(&st->e,
						     SZ_2M_ + 51 * SZ_4K_ + 0x800,
						     SZ_2M_ + 100 * SZ_4K_ - 1),
			0);
	KUNIT_EXPECT_EQ(test, st_nodes(st), 3);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 317 - 49);
	KUNIT_EXPECT_EQ(test, fh_lookup(st->fh->devs[0].dom,
					SZ_2M_ + 51 * SZ_4K_, NULL), 0);
	KUNIT_EXPECT_NE(test, fh_lookup(st->fh->devs[0].dom,
					SZ_2M_ + 101 * SZ_4K_, NULL), 0);

	/* An invalidation over part of a run that changes nothing keeps it. */
	st->fh->unmaps = 0;
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_2M_ + 128 * SZ_4K_, 5), 0);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 0);
	KUNIT_EXPECT_EQ(test, st_nodes(st), 3);

	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_2M_, 0, 320, 0), 0);
	KUNIT_EXPECT_EQ(test, st_nodes(st), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	st_check(st);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * A cut in the middle of a run needs a node, allocated before anything is
 * unmapped. When that fails, the whole run is unmapped (more than the
 * guest asked, never less), with a host fault record, and the guest's next
 * invalidation of the rest maps it again.
 */
static void shadow_test_run_cut_nomem(struct kunit *test)
{
	struct st *st;
	unsigned int n;
	bool seen = false;
	u64 root;
	int k;

	st = st_new_dev0(test, &root);
	for (n = 1; n < 32 && !seen; n++) {
		KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_2M_, 0x400000,
						    8, RW), 0);
		KUNIT_ASSERT_EQ(test, st_nodes(st), 1);
		st->nr_faults = 0;
		st->e.failed = 0;
		fg_map_4k(st->m, root, LEVELS, SZ_2M_ + 3 * SZ_4K_, 0, 0);
		st->e.fail_nth = n;
		PSI(1, SZ_2M_ + 3 * SZ_4K_, 0);
		st->e.fail_nth = 0;
		if (st->nr_faults == 1 &&
		    st->faults[0].reason == PVIOMMU_FR_HOST_MAP) {
			seen = true;
			/* Nothing of the run is left, nothing pinned. */
			for (k = 0; k < 8; k++)
				KUNIT_EXPECT_EQ(test,
						fh_lookup(st->fh->devs[0].dom,
							  SZ_2M_ + k * SZ_4K_,
							  NULL), 0);
			KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
			KUNIT_EXPECT_EQ(test, st->e.nr_entries, 0);
			KUNIT_EXPECT_EQ(test, st->e.failed, 1);
			KUNIT_EXPECT_EQ(test, st->faults[0].sid, SID(0));
		}
		/* The guest's next invalidation maps what it maps. */
		KUNIT_ASSERT_EQ(test, DSI(1), 0);
		st_check(st);
		KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_2M_, 0, 8, 0),
				0);
		KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	}
	KUNIT_EXPECT_TRUE(test, seen);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * A host unmap that comes back short may leave the domain mapping pages
 * the shadow no longer records. The group is blocked at once and stays
 * blocked across the guest's context invalidations, the guest gets one
 * host fault record, nothing more is mapped in that domain, and no page
 * the flush would have unpinned is unpinned until the domain is freed
 * (the fake host counts an unpin of a mapped page as an error). Then
 * every pin goes.
 */
static void shadow_test_short_unmap(struct kunit *test)
{
	struct st *st;
	u64 root;

	st = st_new_dev0(test, &root);
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_2M_, 0x400000, 8,
					    RW), 0);
	KUNIT_ASSERT_EQ(test, st->fh->nr_pinned, 8);
	KUNIT_ASSERT_NOT_NULL(test, st->fh->devs[0].dom);
	st->nr_faults = 0;
	st->fh->short_unmap = 1;
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_2M_, 0, 8, 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->short_unmap, 0);
	KUNIT_EXPECT_NULL(test, st->fh->devs[0].dom);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 8);
	KUNIT_EXPECT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].reason, PVIOMMU_FR_HOST_ATTACH);
	KUNIT_EXPECT_EQ(test, st->faults[0].sid, SID(0));
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);

	/* The guest maps again and invalidates the context: still blocked. */
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_2M_, 0x400000, 2,
					    RW), 0);
	KUNIT_EXPECT_EQ(test, CC_DEV(0), 0);
	KUNIT_EXPECT_NULL(test, st->fh->devs[0].dom);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 8);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);

	/* It moves to another domain: the leaked one goes, its pins too. */
	st_ctx(st, 0, 2, fg_table(st->m), 0);
	KUNIT_EXPECT_EQ(test, CC_DEV(0), 0);
	KUNIT_EXPECT_NOT_NULL(test, st->fh->devs[0].dom);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_EQ(test, st->e.nr_held, 0);
	KUNIT_EXPECT_EQ(test, st->e.nr_leaked, 0);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * Read-only guest RAM: a read-write leaf over it is pinned and mapped
 * read-only, recorded so (QUERY reports it), and unpinned clean; a
 * write-only leaf over it is left unmapped.
 */
static void shadow_test_readonly_ram(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m), phys;
	struct pviommu_entry ent;

	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&st->gmem, 1ULL << 32, SZ_2M_,
					       0x40000000, true, 16), 0);
	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	fg_map_4k(st->m, root, LEVELS, 0x10000, 1ULL << 32, RW);
	fg_map_4k(st->m, root, LEVELS, 0x11000, (1ULL << 32) + SZ_4K_,
		  VTD_SL_W);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	KUNIT_ASSERT_EQ(test, pviommu_engine_query(&st->e, SID(0), 0x10000,
						   &ent, &phys), 0);
	KUNIT_EXPECT_EQ(test, ent.perm, RW);
	KUNIT_EXPECT_EQ(test, ent.prot, PVIOMMU_PERM_R);
	KUNIT_EXPECT_EQ(test, pviommu_engine_query(&st->e, SID(0), 0x11000,
						   &ent, &phys), -ENOENT);
	KUNIT_EXPECT_EQ(test, st->e.failed, 0);
	fg_map_4k(st->m, root, LEVELS, 0x10000, 0, 0);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * A host with 64K pages (AMD-Vi v1 tables have every power-of-two size):
 * 32 consecutive 4K leaves, 64K aligned and contiguous in IOVA, GPA and
 * host memory, still become one host page each, so one of them can be
 * unmapped alone. Without the cut after each 64K-aligned page, the iommu
 * core would map 64K pages over 16 leaves each.
 */
static void shadow_test_pgsize_64k(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);

	st->fh->pgsizes = SZ_4K | SZ_64K | SZ_2M | SZ_1G;
	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_1M, 0x300000, 32,
					    RW), 0);
	KUNIT_EXPECT_EQ(test, st->fh->pin_calls, 1);
	/* [0], [1..16], [17..31]: cut after each 64K-aligned page. */
	KUNIT_EXPECT_EQ(test, st->fh->maps, 3);
	st_check(st);
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_1M + 5 * SZ_4K_,
					    0, 1, 0), 0);
	st_check(st);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 31);
}

/*
 * Two devices of one host IOMMU group: the group translates only while
 * both are attached and resolve to the same shadow; otherwise it is
 * blocked as a whole and the device that blocked it gets a fault record.
 */
static void shadow_test_group(struct kunit *test)
{
	struct st *st = st_new(test);
	struct pviommu_hgroup *grp = &st->fh->devs[0];
	struct pviommu_entry ent;
	u64 root = fg_table(st->m), root2 = fg_table(st->m), phys;

	grp->group_size = 2;
	fg_map_4k(st->m, root, LEVELS, 0x10000, 0x300000, RW);
	fg_map_4k(st->m, root2, LEVELS, 0x10000, 0x400000, RW);
	st_ctx(st, 0, 1, root, 0);
	st_ctx(st, 1, 1, root, 0);

	/* Half of the group: blocked, with a fault for the device. */
	st->e.budget = 1 << 24;
	KUNIT_ASSERT_EQ(test, pviommu_engine_attach(&st->e, SID(0), grp), 0);
	KUNIT_EXPECT_PTR_EQ(test, grp->dom, NULL);
	KUNIT_EXPECT_EQ(test, pviommu_engine_query(&st->e, SID(0), 0x10000,
						   &ent, &phys), -ENOENT);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].sid, SID(0));
	KUNIT_EXPECT_EQ(test, st->faults[0].reason, VTD_FR_CONTEXT_ENTRY_INV);

	/* The whole group, one guest domain: it translates. */
	KUNIT_ASSERT_EQ(test, pviommu_engine_attach(&st->e, SID(1), grp), 0);
	KUNIT_ASSERT_NOT_NULL(test, grp->dom);
	KUNIT_EXPECT_EQ(test, fh_lookup(grp->dom, 0x10000, NULL),
			fh_pa(st->fh, RAM_UADDR + 0x300000));
	KUNIT_EXPECT_EQ(test, pviommu_engine_query(&st->e, SID(1), 0x10000,
						   &ent, &phys), 0);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 1);

	/* The guest splits the group over two domains: blocked again. */
	st_ctx(st, 1, 2, root2, 0);
	KUNIT_ASSERT_EQ(test, CC_DEV(1), 0);
	KUNIT_EXPECT_PTR_EQ(test, grp->dom, NULL);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 2);
	KUNIT_EXPECT_EQ(test, st->faults[1].sid, SID(1));
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 2);

	/* Together again; then one leaves: blocked, its shadow gone. */
	st_ctx(st, 1, 1, root, 0);
	KUNIT_ASSERT_EQ(test, CC_DEV(1), 0);
	KUNIT_EXPECT_NOT_NULL(test, grp->dom);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 1);
	KUNIT_ASSERT_EQ(test, pviommu_engine_detach(&st->e, SID(1)), 0);
	KUNIT_EXPECT_PTR_EQ(test, grp->dom, NULL);
	KUNIT_ASSERT_EQ(test, pviommu_engine_detach(&st->e, SID(0)), 0);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * Host reserved IOVA ranges (the MSI window) are never mapped: a guest leaf
 * over one stays unmapped with a fault record; reserving over a mapping
 * removes it; pass-through maps guest RAM around them.
 */
static void shadow_test_reserved(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);

	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	KUNIT_ASSERT_EQ(test, pviommu_engine_reserve(&st->e, 0xfee00000,
						     0xfeefffff), 0);
	fg_map_4k(st->m, root, LEVELS, 0xfee00000, 0x300000, RW);
	fg_map_4k(st->m, root, LEVELS, 0xfed00000, 0x301000, RW);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(st->fh->devs[0].dom, 0xfee00000, NULL),
			0);
	KUNIT_EXPECT_NE(test, fh_lookup(st->fh->devs[0].dom, 0xfed00000, NULL),
			0);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].iova, 0xfee00000);
	KUNIT_EXPECT_EQ(test, st->faults[0].reason, VTD_FR_INTERRUPT_ADDR);
	KUNIT_EXPECT_EQ(test, st->e.stats.reserved, 1);

	/* Reserved under an existing mapping: it goes. */
	KUNIT_ASSERT_EQ(test, pviommu_engine_reserve(&st->e, 0xfed00800,
						     0xfed00fff), 0);
	KUNIT_EXPECT_EQ(test, fh_mapped_bytes(st->fh->devs[0].dom), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);

	/* Pass-through: RAM around the reserved range, also after adding it. */
	st_ctx(st, 1, 3, 0, VTD_TT_PASS_THROUGH);
	KUNIT_ASSERT_EQ(test, pviommu_engine_reserve(&st->e, 0x200000,
						     0x2fffff), 0);
	st_attach(st, 1);
	st->attached[1] = false;	/* st_check() knows no reserved ranges */
	KUNIT_EXPECT_EQ(test, fh_mapped_bytes(st->fh->devs[1].dom),
			RAM_LEN - SZ_1M);
	KUNIT_EXPECT_EQ(test, fh_lookup(st->fh->devs[1].dom, 0x200000, NULL),
			0);
	KUNIT_EXPECT_EQ(test, pviommu_engine_reserve(&st->e, 0x1000, 0x1fff),
			0);
	KUNIT_EXPECT_EQ(test, fh_mapped_bytes(st->fh->devs[1].dom),
			RAM_LEN - SZ_1M - SZ_4K);
	KUNIT_EXPECT_EQ(test, fh_lookup(st->fh->devs[1].dom, 0x1000, NULL), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(st->fh->devs[1].dom, 0x2000, NULL),
			fh_pa(st->fh, RAM_UADDR + 0x2000));
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 3);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * Consecutive 4K leaves of one 2M block are pinned with one call and mapped
 * with one call per contiguous run, yet stay one host page each: one leaf
 * among them is unmapped alone. Removing adjacent leaves is one unmap
 * call.
 */
static void shadow_test_batched(struct kunit *test)
{
	struct st *st;
	u64 root;

	st = st_new_dev0(test, &root);
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_2M_, 0x400000, 320,
					    RW), 0);
	KUNIT_EXPECT_EQ(test, st->fh->pin_calls, 1);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 1);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 320);
	st_check(st);

	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_2M_ + 100 * SZ_4K_,
					    0, 1, 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 1);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 319);
	st_check(st);

	/* All of them: two runs of adjacent entries, two unmap calls. */
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_2M_, 0, 320, 0), 0);
	KUNIT_EXPECT_EQ(test, st->fh->unmaps, 1 + 2);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 0);
	st_check(st);

	/*
	 * A whole 2M block of 4K leaves, aligned and contiguous in IOVA, GPA
	 * and host memory: two map calls, so that no 2M host page spans
	 * them (st_check() counts one host page per leaf).
	 */
	st->fh->maps = 0;
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, 4 * SZ_2M_, 2 * SZ_2M_,
					    512, RW), 0);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 2);
	st_check(st);
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, 4 * SZ_2M_ + SZ_1M,
					    0, 1, 0), 0);
	st_check(st);

	/* Across a 2M boundary: a batch on each side. */
	st->fh->maps = 0;
	st->fh->pin_calls = 0;
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, 8 * SZ_2M_ - 3 * SZ_4K_,
					    0x800000, 6, RW), 0);
	KUNIT_EXPECT_EQ(test, st->fh->pin_calls, 2);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 2);
	st_check(st);

	/* Changed permissions split a batch; read-only needs no dirtying. */
	st->fh->maps = 0;
	fg_map_4k(st->m, root, LEVELS, 8 * SZ_2M_ - 2 * SZ_4K_,
		  0x800000 + SZ_4K_, VTD_SL_R);
	KUNIT_ASSERT_EQ(test, PSI(1, 7 * SZ_2M_, 9), 0);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 1);
	st_check(st);
}

/*
 * A batch that fails part way is undone and its leaves are mapped one by
 * one, which decides what fails: the result is what mapping leaf by leaf
 * gives.
 */
static void shadow_test_batch_failure(struct kunit *test)
{
	struct st *st;
	u64 root;

	st = st_new_dev0(test, &root);
	st->fh->scramble = true;	/* every page its own map call */

	/* The third map call fails: the leaves map one by one instead. */
	st->fh->fail_map = 3;
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, SZ_2M_, 0x400000, 8,
					    RW), 0);
	KUNIT_EXPECT_EQ(test, st->fh->maps, 2 + 8);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 8);
	st_check(st);

	/*
	 * The pin fails, then the third leaf's own map: that leaf is left
	 * unmapped (fails closed, one fault), the others map; the second
	 * invalidation st_map_leaves() sends over the block maps it.
	 */
	st->fh->fail_pin = 1;
	st->fh->fail_map = 3;
	st->e.failed = 0;
	KUNIT_EXPECT_EQ(test, st_map_leaves(st, root, 2 * SZ_2M_, 0x400000, 8,
					    RW), 0);
	KUNIT_EXPECT_EQ(test, st->e.failed, 1);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 8 + 8);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 8 + 8);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].iova, 2 * SZ_2M_ + 2 * SZ_4K_);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
	KUNIT_ASSERT_EQ(test, st_map_leaves(st, root, 2 * SZ_2M_, 0x400000, 8,
					    RW), 0);
	st_check(st);

	/*
	 * Near the entry limit: as many leaves as fit, a fault for each
	 * other, in each of the two invalidations.
	 */
	st->e.max_entries = 16 + 3;
	st->e.failed = 0;
	st->nr_faults = 0;
	KUNIT_EXPECT_EQ(test, st_map_leaves(st, root, 3 * SZ_2M_, 0x400000, 8,
					    RW), 0);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 16 + 3);
	KUNIT_EXPECT_EQ(test, st->e.failed, 2 * 5);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 2 * 5);
	KUNIT_EXPECT_EQ(test, st->faults[0].iova, 3 * SZ_2M_ + 3 * SZ_4K_);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * Page-selective invalidations with IH (only leaves changed) walk the
 * cached last-level table alone; every other keeps the cache in step with
 * the guest's directories.
 */
static void shadow_test_pde_cache(struct kunit *test)
{
	struct pviommu_hdom *dom;
	u64 root, pt, pt2, reads;
	struct st *st;

	st = st_new_dev0(test, &root);
	dom = st->fh->devs[0].dom;
	pt = fg_map_4k(st->m, root, LEVELS, SZ_2M_, 0x300000, RW);
	reads = st->e.stats.tables_read;
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_2M_, 0), 0);
	KUNIT_EXPECT_EQ(test, st->e.stats.tables_read, reads + LEVELS);
	reads = st->e.stats.tables_read;

	fg_map_4k(st->m, root, LEVELS, SZ_2M_ + SZ_4K_, 0x301000, RW);
	KUNIT_ASSERT_EQ(test, PSI_IH(1, SZ_2M_ + SZ_4K_, 0), 0);
	KUNIT_EXPECT_EQ(test, st->e.stats.tables_read, reads + 1);
	st_check(st);
	fg_map_4k(st->m, root, LEVELS, SZ_2M_, 0, 0);
	KUNIT_ASSERT_EQ(test, PSI_IH(1, SZ_2M_, 0), 0);
	KUNIT_EXPECT_EQ(test, st->e.stats.tables_read, reads + 2);
	st_check(st);

	/* A new last-level table, invalidated without IH: a full walk. */
	pt2 = fg_table(st->m);
	fg_set(st->m, pt2, 5, 0x500000 | RW);
	fg_map(st->m, root, LEVELS, SZ_2M_, 2, pt2 | RW);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_2M_, 9), 0);
	KUNIT_EXPECT_EQ(test, st->e.stats.tables_read, reads + 2 + LEVELS);
	st_check(st);
	/* Hinted invalidations now read the new table. */
	fg_set(st->m, pt2, 6, 0x600000 | RW);
	KUNIT_ASSERT_EQ(test, PSI_IH(1, SZ_2M_ + 6 * SZ_4K_, 0), 0);
	KUNIT_EXPECT_EQ(test, st->e.stats.tables_read, reads + 3 + LEVELS);
	st_check(st);

	/* A hint over two 2M, or where nothing is cached: a full walk. */
	reads = st->e.stats.tables_read;
	KUNIT_ASSERT_EQ(test, PSI_IH(1, 0, 10), 0);
	KUNIT_EXPECT_GT(test, st->e.stats.tables_read, reads + 1);
	reads = st->e.stats.tables_read;
	KUNIT_ASSERT_EQ(test, PSI_IH(1, 8 * SZ_2M_, 0), 0);
	KUNIT_EXPECT_GT(test, st->e.stats.tables_read, reads + 1);

	/*
	 * A guest that sets IH after changing a directory gets its stale
	 * table, as from hardware, until an invalidation without IH.
	 */
	fg_map(st->m, root, LEVELS, SZ_2M_, 2, pt | RW);
	KUNIT_ASSERT_EQ(test, PSI_IH(1, SZ_2M_, 9), 0);
	KUNIT_EXPECT_NE(test, fh_lookup(dom, SZ_2M_ + 6 * SZ_4K_, NULL), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, SZ_2M_ + SZ_4K_, NULL), 0);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	st_check(st);
	KUNIT_EXPECT_NE(test, fh_lookup(dom, SZ_2M_ + SZ_4K_, NULL), 0);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * A map failure in the middle of a domain fails closed: the failing leaf
 * is left unmapped (not recorded, nothing half mapped), the walk goes on,
 * the invalidation completes, and the same invalidation once the cause is
 * gone converges.
 */
static void shadow_test_map_failure(struct kunit *test)
{
	struct st *st;
	u64 root;
	struct pviommu_hdom *dom;
	int i;

	st = st_new_dev0(test, &root);
	for (i = 0; i < 4; i++)
		fg_map_4k(st->m, root, LEVELS, (i + 1) * SZ_2M_, i * SZ_4K_,
			  RW);
	st->fh->fail_map = 3;
	KUNIT_EXPECT_EQ(test, DSI(1), 0);
	KUNIT_EXPECT_EQ(test, st->e.failed, 1);
	/* The guest did nothing wrong: not a VT-d reason. */
	KUNIT_ASSERT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].reason, PVIOMMU_FR_HOST_MAP);
	KUNIT_EXPECT_EQ(test, st->faults[0].iova, 3 * SZ_2M_);
	dom = st->fh->devs[0].dom;
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 3);
	KUNIT_EXPECT_EQ(test, fh_mapped_bytes(dom), 3 * SZ_4K_);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 3 * SZ_2M_, NULL), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 3);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);

	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	st_check(st);

	/* A pin failure: nothing pinned or mapped for the leaf. */
	fg_map_4k(st->m, root, LEVELS, 9 * SZ_2M_, 0x100000, RW);
	st->fh->fail_pin = 1;
	st->e.failed = 0;
	KUNIT_EXPECT_EQ(test, PSI(1, 9 * SZ_2M_, 0), 0);
	KUNIT_EXPECT_EQ(test, st->e.failed, 1);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 4);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 4);
	KUNIT_ASSERT_EQ(test, PSI(1, 9 * SZ_2M_, 0), 0);
	st_check(st);

	/*
	 * Removal never depends on mapping: one invalidation that unmaps a
	 * leaf and fails to map another still unmaps the first.
	 */
	fg_map_4k(st->m, root, LEVELS, SZ_2M_, 0, 0);
	fg_map_4k(st->m, root, LEVELS, 10 * SZ_2M_, 0x200000, RW);
	st->fh->fail_pin = 1;
	KUNIT_EXPECT_EQ(test, DSI(1), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, SZ_2M_, NULL), 0);
	KUNIT_EXPECT_EQ(test, fh_lookup(dom, 10 * SZ_2M_, NULL), 0);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 4);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * Failures inside one leaf made of many host runs: the runs mapped so far
 * are unmapped exactly, everything pinned is unpinned.
 */
static void shadow_test_failure_mid_leaf(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);

	st_add_1g(st);
	st->fh->scramble = true;
	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	fg_map(st->m, root, LEVELS, SZ_1G_, 3, SZ_1G_ | VTD_SL_PS | RW);

	st->fh->fail_map = 100;		/* within the first pin batch */
	KUNIT_EXPECT_EQ(test, PSI(1, SZ_1G_, 18), 0);
	KUNIT_EXPECT_EQ(test, st->e.failed, 1);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_EQ(test, fh_mapped_bytes(st->fh->devs[0].dom), 0);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);

	st->fh->fail_pin = 3;		/* the third batch of 512 pages */
	KUNIT_EXPECT_EQ(test, PSI(1, SZ_1G_, 18), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_EQ(test, fh_mapped_bytes(st->fh->devs[0].dom), 0);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 0);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/* Removing a RAM slot unmaps and unpins what points into it. */
static void shadow_test_slot_removal(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);

	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&st->gmem, 1ULL << 32, SZ_2M_,
					       0x40000000, false, 16), 0);
	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	fg_map_4k(st->m, root, LEVELS, 0x1000, 0x3000, RW);
	fg_map_4k(st->m, root, LEVELS, 0x2000, (1ULL << 32) + 0x5000, RW);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 2);

	pviommu_engine_remove_slot(&st->e, 1ULL << 32, SZ_2M_);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_remove(&st->gmem, 1ULL << 32,
						  SZ_2M_), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 1);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 1);
	st_check(st);	/* the leaf into removed RAM is expected unmapped */

	/* Invalidating again maps nothing there: it is not RAM. */
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	KUNIT_EXPECT_EQ(test, st->e.stats.unmappable, 1);
	st_check(st);
}

/*
 * At the entry limit: the leaf left unmapped, a fault for the guest, a
 * consistent tree, the invalidation completed.
 */
static void shadow_test_entry_cap(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);
	int i;

	st->e.max_entries = 2;
	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	for (i = 0; i < 3; i++)
		fg_map_4k(st->m, root, LEVELS, (i + 1) * SZ_4K_, i * SZ_4K_,
			  RW);
	KUNIT_EXPECT_EQ(test, DSI(1), 0);
	KUNIT_EXPECT_EQ(test, st->e.failed, 1);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 2);
	KUNIT_EXPECT_EQ(test, fh_mapped_bytes(st->fh->devs[0].dom),
			2 * SZ_4K_);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].sid, SID(0));
	KUNIT_EXPECT_EQ(test, st->faults[0].iova, 3 * SZ_4K_);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);

	st->e.max_entries = 3;
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	st_check(st);
}

/* 40 4K leaves 6M apart under @root: a walk through many tables. */
static void st_map_spread(struct st *st, u64 root)
{
	int i;

	for (i = 0; i < 40; i++)
		fg_map_4k(st->m, root, LEVELS, (u64)i * 3 * SZ_2M_,
			  i * SZ_4K_, RW);
}

/*
 * Apply @act with a budget of 64 entries per call, continuing (@resume
 * from the first call on) while it returns -EAGAIN. Return: the calls
 * made; the last call's result in @ret.
 */
static int st_apply_budgeted(struct st *st, const struct pviommu_qi_action *act,
			     bool resume, int *ret)
{
	int calls = 0;

	do {
		st->e.budget = 64;
		*ret = pviommu_engine_apply(&st->e, act, resume || calls > 0);
	} while (*ret == -EAGAIN && ++calls < 1000);
	return calls + 1;
}

/*
 * A small budget: -EAGAIN, and resuming converges to the same result as
 * one big call, for an IOTLB invalidation and for a replay at attach.
 */
static void shadow_test_budget(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 d[2] = { IOTLB(2, 1), 0 };
	struct pviommu_qi_action act;
	u64 root = fg_table(st->m);
	int calls, ret;

	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	st_map_spread(st, root);
	KUNIT_ASSERT_EQ(test, pviommu_qi_decode(&st->caps, d, false, &act),
			PVIOMMU_QI_OK);
	calls = st_apply_budgeted(st, &act, false, &ret);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_GT(test, calls, 5);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 40);
	st_check(st);

	/*
	 * A second device in a new domain with the same tables' shape: an
	 * attach builds its shadow to the end whatever the call's budget
	 * (within the build budget), and leaves nothing to continue.
	 */
	st_ctx(st, 1, 2, root, 0);
	st->e.budget = 64;
	KUNIT_EXPECT_EQ(test, pviommu_engine_attach(&st->e, SID(1),
						    &st->fh->devs[1]), 0);
	KUNIT_EXPECT_FALSE(test, st->e.cur.active);
	st->attached[1] = true;
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 2);
	st_check(st);

	/*
	 * A move into a third domain that runs out of budget, then abandoned
	 * for another action: the half-built shadow is torn down, the device
	 * stays where it was until the move is invalidated again.
	 */
	st_ctx(st, 1, 3, root, 0);
	d[0] = CC(3, 0, SID(1), 0);
	KUNIT_ASSERT_EQ(test, pviommu_qi_decode(&st->caps, d, false, &act),
			PVIOMMU_QI_OK);
	st->e.budget = 64;
	KUNIT_ASSERT_EQ(test, pviommu_engine_apply(&st->e, &act, false),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 3);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 2);
	KUNIT_EXPECT_FALSE(test, st->e.cur.active);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 80);
	KUNIT_ASSERT_EQ(test, CC_DEV(1), 0);
	st_check(st);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 80);
}

/*
 * A host whose domains offer 4K pages only until their first attach, as
 * VT-d's do on 6.1 to 6.12: the shadow's batches are cut where the host's
 * large pages could start once it is attached, so 512 aligned, contiguous
 * 4K leaves do not go out as one 2M host page, and unmapping one of them
 * unmaps that one only.
 */
static void shadow_test_pgsizes_at_attach(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);
	struct pviommu_hdom *dom;
	int i;

	st->fh->unsettled = true;
	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	dom = st->fh->devs[0].dom;
	KUNIT_ASSERT_NOT_NULL(test, dom);
	for (i = 0; i < 512; i++)
		fg_map_4k(st->m, root, LEVELS, SZ_2M_ + i * SZ_4K_,
			  SZ_2M_ + i * SZ_4K_, RW);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_2M_, 9), 0);
	st_check(st);
	for (i = 0; i < dom->nr_maps; i++)
		KUNIT_EXPECT_LT(test, dom->maps[i].size, SZ_2M_);
	fg_map_4k(st->m, root, LEVELS, SZ_2M_ + 7 * SZ_4K_, 0, 0);
	KUNIT_ASSERT_EQ(test, PSI(1, SZ_2M_ + 7 * SZ_4K_, 0), 0);
	st_check(st);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 511);
}

/*
 * A table whose entries all point at itself: 2^36 leaves at 4 levels. An
 * attach and a translation switch, which cannot be continued, stop
 * building its shadow at the build budget: the device stays attached but
 * blocked, with a host fault record, nothing pinned, nothing left to
 * continue.
 */
static void shadow_test_build_budget(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 t = fg_table(st->m);
	int i;

	for (i = 0; i < 512; i++)
		fg_set(st->m, t, i, t | RW);
	st->e.build_budget = 4096;
	st_ctx(st, 0, 1, t, 0);
	st_attach(st, 0);
	KUNIT_EXPECT_NULL(test, st->fh->devs[0].dom);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].reason, PVIOMMU_FR_HOST_ATTACH);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_FALSE(test, st->e.cur.active);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 0);

	/* Off: all of guest RAM; on again: blocked again. */
	KUNIT_EXPECT_EQ(test, pviommu_engine_set_translation(&st->e, false), 0);
	KUNIT_EXPECT_NOT_NULL(test, st->fh->devs[0].dom);
	KUNIT_EXPECT_EQ(test, pviommu_engine_set_translation(&st->e, true), 0);
	KUNIT_EXPECT_NULL(test, st->fh->devs[0].dom);
	KUNIT_EXPECT_EQ(test, st->nr_faults, 2);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_FALSE(test, st->e.cur.active);
}

/*
 * A domain-selective context-cache invalidation moves a device to a new
 * domain on the same tables; the new shadow's walk runs out of budget. The
 * continuation moves the device (though its context entry no longer
 * matches the invalidated DID), and it then follows the new domain's
 * invalidations. The same for the DID-0 form: a context entry that became
 * present.
 */
static void shadow_test_cc_resume(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 d[2] = { CC(2, 9, 0, 0), 0 };
	struct pviommu_qi_action act;
	struct pviommu_sdev *dev0;
	u64 root = fg_table(st->m);
	int ret;

	st_ctx(st, 0, 9, root, 0);
	st_attach(st, 0);
	st_map_spread(st, root);
	KUNIT_ASSERT_EQ(test, DSI(9), 0);
	st_check(st);

	dev0 = list_first_entry(&st->e.devs, struct pviommu_sdev, node);
	st_ctx(st, 0, 0x1a, root, 0);
	KUNIT_ASSERT_EQ(test, pviommu_qi_decode(&st->caps, d, false, &act),
			PVIOMMU_QI_OK);
	st->e.budget = 64;
	KUNIT_ASSERT_EQ(test, pviommu_engine_apply(&st->e, &act, false),
			-EAGAIN);
	/* Until the move completes, invalidations of its old domain reach it. */
	KUNIT_EXPECT_EQ(test, dev0->ctx.did, 9);
	KUNIT_EXPECT_GT(test, st_apply_budgeted(st, &act, true, &ret), 1);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_FALSE(test, st->e.cur.active);
	/* An unmap flushed in the new domain leaves the IOVA unmapped. */
	fg_map_4k(st->m, root, LEVELS, 0, 0, 0);
	KUNIT_ASSERT_EQ(test, DSI(0x1a), 0);
	st_check(st);

	/* Not present, then present under DID 0x2b: the DID-0 form. */
	st_ctx(st, 0, 0, 0, 0);
	KUNIT_ASSERT_EQ(test, CC_DEV(0), 0);
	st_ctx(st, 0, 0x2b, root, 0);
	d[0] = CC(2, 0, 0, 0);
	KUNIT_ASSERT_EQ(test, pviommu_qi_decode(&st->caps, d, false, &act),
			PVIOMMU_QI_OK);
	KUNIT_EXPECT_GT(test, st_apply_budgeted(st, &act, false, &ret), 2);
	KUNIT_ASSERT_EQ(test, ret, 0);
	fg_map_4k(st->m, root, LEVELS, 3 * SZ_2M_, 0, 0);
	KUNIT_ASSERT_EQ(test, DSI(0x2b), 0);
	st_check(st);
}

/* A wait syncs and unpins everything before it, then writes its status. */
static void shadow_test_wait(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 root = fg_table(st->m);
	u64 uaddr;
	u32 status = 0;

	uaddr = kunit_vm_mmap(test, NULL, 0, SZ_4K, PROT_READ | PROT_WRITE,
			      MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, uaddr, 0);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&st->gmem, 1ULL << 33, SZ_4K,
					       uaddr, false, 16), 0);
	st_ctx(st, 0, 1, root, 0);
	st_attach(st, 0);
	fg_map_4k(st->m, root, LEVELS, 0x1000, 0x1000, RW);
	KUNIT_ASSERT_EQ(test, PSI(1, 0x1000, 0), 0);
	fg_map_4k(st->m, root, LEVELS, 0x1000, 0, 0);
	KUNIT_ASSERT_EQ(test, PSI(1, 0x1000, 0), 0);

	KUNIT_ASSERT_EQ(test, st_apply(st, WAIT(VTD_QI_WAIT_SW, 2),
				       (1ULL << 33) + 0x40), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_EQ(test, st->fh->doms[0].nr_unsynced, 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&status,
					     u64_to_user_ptr(uaddr + 0x40),
					     sizeof(status)), 0);
	KUNIT_EXPECT_EQ(test, status, 2);

	/* A status address outside guest RAM fails the descriptor. */
	KUNIT_EXPECT_EQ(test, st_apply(st, WAIT(VTD_QI_WAIT_SW, 2),
				       (1ULL << 34)), -EFAULT);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * Invalid guest entries produce faults, unless the context has FPD; what
 * the host could not do is reported whatever the guest set: FPD is the
 * guest's say over its own faults, and the VMM logs host records, it does
 * not give them to the guest.
 */
static void shadow_test_faults(struct kunit *test)
{
	struct st *st;
	u64 root;

	st = st_new_dev0(test, &root);
	fg_map_4k(st->m, root, LEVELS, 0x5000, 0x1000 | BIT_ULL(50), RW);
	KUNIT_ASSERT_EQ(test, PSI(1, 0x5000, 0), 0);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, st->faults[0].sid, SID(0));
	KUNIT_EXPECT_EQ(test, st->faults[0].iova, 0x5000);
	KUNIT_EXPECT_EQ(test, st->faults[0].reason, VTD_FR_PAGING_ENTRY_RSVD);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 0);

	fg_set(st->m, st->ctp, 2 * (SID(0) & 0xff),
	       fg_get(st->m, st->ctp, 2 * (SID(0) & 0xff)) | VTD_CE_FPD);
	KUNIT_ASSERT_EQ(test, CC_DEV(0), 0);
	KUNIT_ASSERT_EQ(test, PSI(1, 0x5000, 0), 0);
	KUNIT_EXPECT_EQ(test, st->nr_faults, 1);

	fg_map_4k(st->m, root, LEVELS, 0x6000, 0x2000, RW);
	st->fh->fail_map = 1;
	KUNIT_ASSERT_EQ(test, PSI(1, 0x6000, 0), 0);
	KUNIT_ASSERT_EQ(test, st->nr_faults, 2);
	KUNIT_EXPECT_EQ(test, st->faults[1].reason, PVIOMMU_FR_HOST_MAP);
	KUNIT_EXPECT_EQ(test, st->faults[1].iova, 0x6000);
	KUNIT_EXPECT_EQ(test, fh_lookup(st->fh->devs[0].dom, 0x6000, NULL), 0);
	/* The guest's next invalidation maps it. */
	KUNIT_ASSERT_EQ(test, PSI(1, 0x6000, 0), 0);
	st_check(st);
}

/* A page of real user memory as guest RAM at 8 GiB, for status writes. */
#define STATUS_GPA	BIT_ULL(33)

static u64 st_status_page(struct st *st)
{
	u64 uaddr = kunit_vm_mmap(st->test, NULL, 0, SZ_4K,
				  PROT_READ | PROT_WRITE,
				  MAP_ANONYMOUS | MAP_PRIVATE, 0);

	KUNIT_ASSERT_NE(st->test, uaddr, 0);
	KUNIT_ASSERT_EQ(st->test, pviommu_gmem_add(&st->gmem, STATUS_GPA,
						   SZ_4K, uaddr, false, 16), 0);
	return uaddr;
}

static u32 st_status(struct st *st, u64 uaddr, unsigned int slot)
{
	u32 v = 0;

	KUNIT_EXPECT_EQ(st->test, copy_from_user(&v, u64_to_user_ptr(uaddr +
								     4 * slot),
						 sizeof(v)), 0);
	return v;
}

static int st_batch(struct st *st, struct pviommu_batch *b, const u64 *q,
		    unsigned int n, bool wide)
{
	__le64 *raw = kunit_kcalloc(st->test, n * (wide ? 4 : 2), sizeof(*raw),
				    GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(st->test, raw);
	for (i = 0; i < n * (wide ? 4 : 2); i++)
		raw[i] = cpu_to_le64(q[i]);
	b->desc = raw;
	b->n = n;
	b->wide = wide;
	st->e.budget = 1 << 24;
	return pviommu_engine_batch(&st->e, b);
}

/*
 * A batch as a guest flush sends it: invalidation then wait. Syncs are
 * batched across descriptors but come before every wait; the status word
 * is written; IF asks for a signal.
 */
static void shadow_test_batch(struct kunit *test)
{
	struct st *st;
	u64 root;
	struct pviommu_batch b = {};
	u64 uaddr;
	int i;

	st = st_new_dev0(test, &root);
	uaddr = st_status_page(st);
	for (i = 0; i < 3; i++)
		fg_map_4k(st->m, root, LEVELS, (i + 1) * SZ_2M_, i * SZ_4K_,
			  RW);
	{
		u64 q[] = { IOTLB(3, 1), PSI1(SZ_2M_, 0, 0),
			    WAIT(VTD_QI_WAIT_SW, 2), STATUS_GPA };

		KUNIT_ASSERT_EQ(test, st_batch(st, &b, q, 2, false), 0);
		KUNIT_EXPECT_EQ(test, b.done, 2);
		KUNIT_EXPECT_FALSE(test, b.signal);
		KUNIT_EXPECT_EQ(test, st_status(st, uaddr, 0), 2);
		KUNIT_EXPECT_EQ(test, st->fh->maps, 1);
	}
	KUNIT_ASSERT_EQ(test, DSI(1), 0);

	/* Three unmaps, one sync. */
	for (i = 0; i < 3; i++)
		fg_map_4k(st->m, root, LEVELS, (i + 1) * SZ_2M_, 0, 0);
	{
		u64 q[] = { IOTLB(3, 1), PSI1(SZ_2M_, 1, 0),
			    IOTLB(3, 1), PSI1(2 * SZ_2M_, 1, 0),
			    IOTLB(3, 1), PSI1(3 * SZ_2M_, 1, 0) };
		unsigned int syncs = st->fh->syncs;

		KUNIT_ASSERT_EQ(test, st_batch(st, &b, q, 3, false), 0);
		KUNIT_EXPECT_EQ(test, st->fh->unmaps, 3);
		KUNIT_EXPECT_EQ(test, st->fh->syncs, syncs + 1);
		KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	}

	/* A wait between two unmaps: a sync before it, another at the end. */
	fg_map_4k(st->m, root, LEVELS, SZ_2M_, 0x1000, RW);
	fg_map_4k(st->m, root, LEVELS, 2 * SZ_2M_, 0x2000, RW);
	KUNIT_ASSERT_EQ(test, DSI(1), 0);
	fg_map_4k(st->m, root, LEVELS, SZ_2M_, 0, 0);
	fg_map_4k(st->m, root, LEVELS, 2 * SZ_2M_, 0, 0);
	{
		u64 q[] = { IOTLB(3, 1), PSI1(SZ_2M_, 1, 0),
			    WAIT(VTD_QI_WAIT_SW | VTD_QI_WAIT_IF, 5),
			    STATUS_GPA + 4,
			    IOTLB(3, 1), PSI1(2 * SZ_2M_, 1, 0) };
		unsigned int syncs = st->fh->syncs;

		KUNIT_ASSERT_EQ(test, st_batch(st, &b, q, 3, false), 0);
		KUNIT_EXPECT_EQ(test, st->fh->syncs, syncs + 2);
		KUNIT_EXPECT_TRUE(test, b.signal);
		KUNIT_EXPECT_EQ(test, st_status(st, uaddr, 1), 5);
	}
	st_check(st);
}

/* The first invalid descriptor stops the batch; nothing after it runs. */
static void shadow_test_batch_invalid(struct kunit *test)
{
	struct pviommu_batch b = {};
	struct st *st;
	u64 root, uaddr;
	u64 q[] = { IOTLB(3, 1), PSI1(0x1000, 0, 0),
		    IOTLB(3, 1) | BIT_ULL(8), PSI1(0x2000, 0, 0),
		    WAIT(VTD_QI_WAIT_SW, 9), STATUS_GPA };
	u64 w[] = { IOTLB(3, 1), PSI1(0x2000, 0, 0), 0, 0,
		    WAIT(VTD_QI_WAIT_SW, 7), STATUS_GPA, 0, 1 };

	st = st_new_dev0(test, &root);
	uaddr = st_status_page(st);
	fg_map_4k(st->m, root, LEVELS, 0x1000, 0x1000, RW);
	fg_map_4k(st->m, root, LEVELS, 0x2000, 0x2000, RW);
	KUNIT_EXPECT_EQ(test, st_batch(st, &b, q, 3, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, b.done, 1);
	KUNIT_EXPECT_EQ(test, b.error, PVIOMMU_QI_BAD_RSVD);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 1);
	KUNIT_EXPECT_EQ(test, st_status(st, uaddr, 0), 0);

	/* 256-bit: the first applies, the wait has qw3 set. */
	KUNIT_EXPECT_EQ(test, st_batch(st, &b, w, 2, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, b.done, 1);
	KUNIT_EXPECT_EQ(test, b.error, PVIOMMU_QI_BAD_WIDE);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 2);
	KUNIT_EXPECT_EQ(test, st_status(st, uaddr, 0), 0);
	st_check(st);
}

/*
 * A batch that runs out of budget stops in a descriptor; submitting the
 * rest of the batch from there continues it, and the wait behind it
 * completes only then.
 */
static void shadow_test_batch_resume(struct kunit *test)
{
	struct st *st;
	u64 root;
	struct pviommu_batch b = {};
	u64 uaddr, next;
	__le64 raw[4];
	int calls = 0, ret;

	st = st_new_dev0(test, &root);
	uaddr = st_status_page(st);
	st_map_spread(st, root);
	raw[0] = cpu_to_le64(IOTLB(2, 1));
	raw[1] = 0;
	raw[2] = cpu_to_le64(WAIT(VTD_QI_WAIT_SW, 3));
	raw[3] = cpu_to_le64(STATUS_GPA);
	b.desc = raw;
	b.n = 2;

	/* Nothing to continue: -ENOENT, nothing applied. */
	b.resume = true;
	KUNIT_EXPECT_EQ(test, pviommu_engine_batch(&st->e, &b), -ENOENT);
	KUNIT_EXPECT_EQ(test, b.done, 0);

	/*
	 * The same descriptor sent again without resume starts over: it is
	 * not taken for a continuation.
	 */
	b.resume = false;
	st->e.budget = 64;
	KUNIT_ASSERT_EQ(test, pviommu_engine_batch(&st->e, &b), -EAGAIN);
	next = st->e.cur.next;
	st->e.budget = 64;
	KUNIT_ASSERT_EQ(test, pviommu_engine_batch(&st->e, &b), -EAGAIN);
	KUNIT_EXPECT_EQ(test, st->e.cur.next, next);

	do {
		b.resume = calls > 0;
		st->e.budget = 64;
		ret = pviommu_engine_batch(&st->e, &b);
		calls++;
		if (ret == -EAGAIN) {
			KUNIT_EXPECT_EQ(test, b.done, 0);
			KUNIT_EXPECT_EQ(test, st_status(st, uaddr, 0), 0);
		}
	} while (ret == -EAGAIN && calls < 1000);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, b.done, 2);
	KUNIT_EXPECT_GT(test, calls, 5);
	KUNIT_EXPECT_EQ(test, st_status(st, uaddr, 0), 3);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 40);
	st_check(st);
}

/*
 * Fail-nth sweep: one flow (two devices attached into one shadow with
 * mappings to replay, map churn, a 2M leaf, a domain-selective
 * invalidation, a context-cache switch of one device to another domain,
 * close) run again and again with its nth fallible step failing (the
 * engine's fault injection), n = 1, 2, ... until the flow no longer
 * reaches n. After each run: no host rule broken, nothing mapped that the
 * guest's tables do not say now (every unmap asked for happened), nothing
 * pinned that is not mapped; global invalidations then bring every host
 * domain to exactly what the guest says; and close leaves nothing pinned.
 */
static void sweep_guest(struct st *st, u64 r1, u64 r2)
{
	int k;

	for (k = 0; k < 9; k++)
		fg_map_4k(st->m, r1, LEVELS, SZ_2M_ + k * SZ_4K_, k * SZ_4K_,
			  k < 8 ? RW : 0);
	fg_map(st->m, r1, LEVELS, 4 * SZ_2M_, 2, 4 * SZ_2M_ | VTD_SL_PS | RW);
	for (k = 0; k < 4; k++)
		fg_map_4k(st->m, r1, LEVELS, 6 * SZ_2M_ + k * SZ_4K_,
			  (0x100 + k) * SZ_4K_, RW);
	fg_map_4k(st->m, r2, LEVELS, 2 * SZ_2M_, 0x300000, RW);
	st_ctx(st, 0, 1, r1, 0);
	st_ctx(st, 1, 1, r1, 0);
}

static int sweep_flow(struct st *st, u64 r1, u64 r2, int *attach)
{
	int k, ret = 0;

	for (k = 0; k < 2; k++)
		attach[k] = pviommu_engine_attach(&st->e, SID(k),
						  &st->fh->devs[k]);
	st->e.budget = U64_MAX;
	fg_map_4k(st->m, r1, LEVELS, SZ_2M_, 0, 0);
	ret |= PSI(1, SZ_2M_, 0);
	fg_map_4k(st->m, r1, LEVELS, SZ_2M_ + 8 * SZ_4K_, 0x80000, RW);
	ret |= PSI(1, SZ_2M_ + 8 * SZ_4K_, 0);
	fg_map(st->m, r1, LEVELS, 4 * SZ_2M_, 2,
	       4 * SZ_2M_ | VTD_SL_PS | VTD_SL_R);
	ret |= PSI(1, 4 * SZ_2M_, 9);
	for (k = 0; k < 4; k += 2)
		fg_map_4k(st->m, r1, LEVELS, 6 * SZ_2M_ + k * SZ_4K_, 0, 0);
	ret |= DSI(1);
	st_ctx(st, 1, 2, r2, 0);
	ret |= CC_DEV(1);
	return ret;
}

static void shadow_test_fail_nth(struct kunit *test)
{
	struct st *st = st_new(test);
	u64 r1 = fg_table(st->m), r2 = fg_table(st->m);
	unsigned int n, j, fired = 0;
	u64 pages;
	int k, attach[2];

	for (n = 1; n < 1000; n++) {
		sweep_guest(st, r1, r2);
		st->e.fail_nth = n;
		KUNIT_EXPECT_EQ_MSG(test, sweep_flow(st, r1, r2, attach), 0,
				    "n %u: an invalidation failed", n);
		if (st->e.fail_nth) {
			st->e.fail_nth = 0;
			break;
		}
		fired++;

		/* Nothing the guest does not map now; pins == mappings. */
		pages = 0;
		for (k = 0; k < 2; k++) {
			struct pviommu_hdom *dom = st->fh->devs[k].dom;

			if (dom && !attach[k])
				st_check_ref(st, dom, k ? r2 : r1, 0, k);
			else
				KUNIT_EXPECT_PTR_EQ_MSG(test, dom, NULL,
							"n %u device %d", n, k);
		}
		for (j = 0; j < FH_MAX_DOMS; j++)
			if (st->fh->doms[j].live)
				pages += fh_mapped_bytes(&st->fh->doms[j]) /
					 SZ_4K_;
		KUNIT_EXPECT_EQ_MSG(test, st->fh->nr_pinned, pages, "n %u", n);

		/* What failed comes back with the guest's next invalidations. */
		for (k = 0; k < 2; k++) {
			if (attach[k])
				st_attach(st, k);
			st->attached[k] = true;
		}
		KUNIT_EXPECT_EQ(test, st_apply(st, CC(1, 0, 0, 0), 0), 0);
		KUNIT_EXPECT_EQ(test, st_apply(st, IOTLB(1, 0), 0), 0);
		st_check(st);

		/* Close. */
		pviommu_engine_destroy(&st->e);
		KUNIT_EXPECT_EQ_MSG(test, st->fh->nr_pinned, 0, "n %u", n);
		KUNIT_EXPECT_EQ_MSG(test, fh_nr_doms(st->fh), 0, "n %u", n);
		KUNIT_ASSERT_EQ(test, pviommu_engine_init(&st->e), 0);
		memset(st->attached, 0, sizeof(st->attached));
		if (test->status == KUNIT_FAILURE) {
			KUNIT_FAIL(test, "first failure with fail_nth %u", n);
			return;
		}
	}
	/* The flow has many fallible steps, and each was made to fail. */
	kunit_info(test, "%u fallible steps, each failed once", fired);
	KUNIT_EXPECT_GT(test, fired, 20);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
}

/*
 * Property test: random guest page-table changes, each followed by an
 * invalidation that covers it (sometimes a much wider one), random device
 * moves with context-cache invalidations, and random spurious
 * invalidations. After every step, every device's host domain must equal a
 * fresh walk of its guest tables (st_check()) and, translation by
 * translation, a reference lookup that shares no code with pviommu_walk()
 * (prop_check_ref()); the fake host must have seen no double map, partial
 * unmap or early unpin. Seeded and reproducible.
 */
#define PROP_STEPS	750
#define PROP_DOMS	3
#define PROP_REGIONS	32	/* 2M regions of IOVA, 64 MiB in all */
#define PROP_DEVS	3

enum { REGION_EMPTY, REGION_TABLE, REGION_LEAF };

struct prop {
	struct st *st;
	struct rnd_state rnd;
	struct {
		u64 root;
		u64 pd;			/* the level-2 table of IOVA 0..1G */
		u64 pt[PROP_REGIONS];
		u64 leaf[PROP_REGIONS];	/* the 2M leaf, for REGION_LEAF */
		u8 kind[PROP_REGIONS];
	} dom[PROP_DOMS];
	int dev_dom[PROP_DEVS];		/* -1: context not present */
};

static u32 prop_rnd(struct prop *p, u32 n)
{
	return prandom_u32_state(&p->rnd) % n;
}

/*
 * Invalidate @iova..+2^am pages of domain @d, or something wider; with
 * @leaves_only (no directory changed), sometimes with IH set.
 */
static int prop_inv(struct prop *p, int d, u64 iova, u8 am, bool leaves_only)
{
	struct st *st = p->st;
	u8 wider;

	switch (prop_rnd(p, 10)) {
	case 0:
		return DSI(d + 1);
	case 1:
		return st_apply(st, IOTLB(1, 0), 0);
	case 2:
		wider = min(am + 1 + prop_rnd(p, 8), 18);
		return PSI(d + 1, iova & ~(BIT_ULL(12 + wider) - 1), wider);
	case 3:
	case 4:
	case 5:
		if (leaves_only)
			return PSI_IH(d + 1, iova, am);
		fallthrough;
	default:
		return PSI(d + 1, iova, am);
	}
}

static u8 prop_perm(struct prop *p)
{
	return prop_rnd(p, 3) + 1;	/* R, W or RW */
}

/* Set or clear one 4K leaf; a 2M leaf there is split first. */
static int prop_step_4k(struct prop *p)
{
	int d = prop_rnd(p, PROP_DOMS), r = prop_rnd(p, PROP_REGIONS);
	unsigned int idx = prop_rnd(p, 512);
	u64 iova = r * SZ_2M_ + idx * SZ_4K_;
	u64 pte = prop_rnd(p, 4) ?
		  (u64)prop_rnd(p, RAM_LEN / SZ_4K_) * SZ_4K_ | prop_perm(p) :
		  0;
	bool split = p->dom[d].kind[r] == REGION_LEAF;
	bool leaves_only = p->dom[d].kind[r] == REGION_TABLE;

	if (p->dom[d].kind[r] != REGION_TABLE) {
		u64 pt = fg_table(p->st->m), leaf = p->dom[d].leaf[r];
		unsigned int k;

		/* A split keeps part of the old mapping, in 4K pages. */
		for (k = 0; split && k < 512; k += 64)
			fg_set(p->st->m, pt, k,
			       ((leaf & ~VTD_SL_PS & ~(SZ_4K_ - 1)) + k * SZ_4K_) |
			       (leaf & RW));
		p->dom[d].pt[r] = pt;
		fg_set(p->st->m, p->dom[d].pd, r, pt | RW);
		p->dom[d].kind[r] = REGION_TABLE;
	}
	fg_set(p->st->m, p->dom[d].pt[r], idx, pte);
	/*
	 * A split may be invalidated at any page inside the old 2M leaf: VT-d
	 * drops a large-page translation that a PSI overlaps.
	 */
	if (split && prop_rnd(p, 2))
		return prop_inv(p, d, r * SZ_2M_, 9, false);
	return prop_inv(p, d, iova, 0, leaves_only);
}

/* Set or clear a 2M leaf, replacing whatever the region held. */
static int prop_step_2m(struct prop *p)
{
	int d = prop_rnd(p, PROP_DOMS), r = prop_rnd(p, PROP_REGIONS);
	/* A 2M leaf is a leaf: only replacing a table changes a directory. */
	bool leaves_only = p->dom[d].kind[r] != REGION_TABLE;
	u64 pte = 0;

	p->dom[d].kind[r] = REGION_EMPTY;
	if (prop_rnd(p, 3)) {
		pte = (u64)prop_rnd(p, RAM_LEN / SZ_2M_) * SZ_2M_ |
		      VTD_SL_PS | prop_perm(p);
		p->dom[d].kind[r] = REGION_LEAF;
		p->dom[d].leaf[r] = pte;
	}
	fg_set(p->st->m, p->dom[d].pd, r, pte);
	return prop_inv(p, d, r * SZ_2M_, 9, leaves_only);
}

/* Move a device to a random domain, or make its context not present. */
static int prop_step_move(struct prop *p)
{
	struct st *st = p->st;
	int i = prop_rnd(p, PROP_DEVS), d = prop_rnd(p, PROP_DOMS);

	if (!prop_rnd(p, 5)) {
		st_ctx(st, i, 0, 0, 0);
		p->dev_dom[i] = -1;
	} else {
		st_ctx(st, i, d + 1, p->dom[d].root, 0);
		p->dev_dom[i] = d;
	}
	if (!prop_rnd(p, 4))
		return st_apply(st, CC(1, 0, 0, 0), 0);
	return CC_DEV(i);
}

/* An invalidation with nothing behind it. */
static int prop_step_spurious(struct prop *p)
{
	struct st *st = p->st;
	u8 am = prop_rnd(p, 10);

	switch (prop_rnd(p, 4)) {
	case 0:
		return DSI(1 + prop_rnd(p, PROP_DOMS + 2));
	case 1:
		return st_apply(st, CC(2, 1 + prop_rnd(p, PROP_DOMS), 0, 0), 0);
	default:
		return PSI(1 + prop_rnd(p, PROP_DOMS + 2),
			   (u64)prop_rnd(p, 1 << 16) << (12 + am), am);
	}
}

/*
 * Device @i's host domain against the reference (st_check_ref()), over
 * all the IOVA the test uses.
 */
static void prop_check_ref(struct prop *p, int i)
{
	struct st *st = p->st;
	struct pviommu_hdom *dom = st->fh->devs[i].dom;
	int d = p->dev_dom[i];

	if (d < 0) {
		KUNIT_EXPECT_PTR_EQ_MSG(st->test, dom, NULL, "device %d", i);
		return;
	}
	if (!dom) {
		KUNIT_FAIL(st->test, "device %d blocked", i);
		return;
	}
	st_check_ref(st, dom, p->dom[d].root, PROP_REGIONS * SZ_2M_, i);
}

static const u32 prop_seeds[] = { 1, 2, 3, 0xc0ffee };

static void prop_seed_desc(const u32 *seed, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "seed %u", *seed);
}

KUNIT_ARRAY_PARAM(prop, prop_seeds, prop_seed_desc);

static void shadow_test_property(struct kunit *test)
{
	const u32 *seed = test->param_value;
	struct prop *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	unsigned int step, d, i;
	struct st *st;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, p);
	st = st_new(test);
	p->st = st;
	prandom_seed_state(&p->rnd, *seed);
	for (d = 0; d < PROP_DOMS; d++) {
		u64 l3 = fg_table(st->m);

		p->dom[d].root = fg_table(st->m);
		p->dom[d].pd = fg_table(st->m);
		fg_set(st->m, p->dom[d].root, 0, l3 | RW);
		fg_set(st->m, l3, 0, p->dom[d].pd | RW);
	}
	for (i = 0; i < PROP_DEVS; i++) {
		d = i % 2;
		st_ctx(st, i, d + 1, p->dom[d].root, 0);
		st_attach(st, i);
		p->dev_dom[i] = d;
	}

	for (step = 0; step < PROP_STEPS; step++) {
		unsigned int errors = st->fh->errors;
		u32 op = prop_rnd(p, 20);

		if (op < 11)
			ret = prop_step_4k(p);
		else if (op < 15)
			ret = prop_step_2m(p);
		else if (op < 18)
			ret = prop_step_move(p);
		else
			ret = prop_step_spurious(p);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "seed %u step %u", *seed,
				    step);
		st_check(st);
		for (i = 0; i < PROP_DEVS; i++)
			prop_check_ref(p, i);
		if (test->status == KUNIT_FAILURE ||
		    st->fh->errors != errors) {
			KUNIT_FAIL(test, "seed %u: first failure at step %u",
				   *seed, step);
			return;
		}
	}

	/* Everything goes away with the devices. */
	for (i = 0; i < PROP_DEVS; i++)
		KUNIT_EXPECT_EQ(test, pviommu_engine_detach(&st->e, SID(i)), 0);
	KUNIT_EXPECT_EQ(test, st->fh->nr_pinned, 0);
	KUNIT_EXPECT_EQ(test, fh_nr_doms(st->fh), 0);
	KUNIT_EXPECT_EQ(test, st->e.nr_entries, 0);
	KUNIT_EXPECT_EQ(test, st->fh->errors, 0);
	memset(st->attached, 0, sizeof(st->attached));
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
	KUNIT_CASE(shadow_test_translation_enable),
	KUNIT_CASE(shadow_test_scalable),
	KUNIT_CASE(shadow_test_first_stage),
	KUNIT_CASE(shadow_test_split_merge),
	KUNIT_CASE(shadow_test_perm_change),
	KUNIT_CASE(shadow_test_same_gpa),
	KUNIT_CASE(shadow_test_largest_pages),
	KUNIT_CASE(shadow_test_scattered),
	KUNIT_CASE(shadow_test_batched),
	KUNIT_CASE(shadow_test_runs),
	KUNIT_CASE(shadow_test_run_cut_nomem),
	KUNIT_CASE(shadow_test_short_unmap),
	KUNIT_CASE(shadow_test_readonly_ram),
	KUNIT_CASE(shadow_test_pgsize_64k),
	KUNIT_CASE(shadow_test_group),
	KUNIT_CASE(shadow_test_reserved),
	KUNIT_CASE(shadow_test_pde_cache),
	KUNIT_CASE(shadow_test_batch_failure),
	KUNIT_CASE(shadow_test_map_failure),
	KUNIT_CASE(shadow_test_failure_mid_leaf),
	KUNIT_CASE(shadow_test_slot_removal),
	KUNIT_CASE(shadow_test_entry_cap),
	KUNIT_CASE(shadow_test_budget),
	KUNIT_CASE(shadow_test_cc_resume),
	KUNIT_CASE(shadow_test_pgsizes_at_attach),
	KUNIT_CASE(shadow_test_build_budget),
	KUNIT_CASE(shadow_test_wait),
	KUNIT_CASE(shadow_test_faults),
	KUNIT_CASE(shadow_test_batch),
	KUNIT_CASE(shadow_test_batch_invalid),
	KUNIT_CASE(shadow_test_batch_resume),
	KUNIT_CASE(shadow_test_fail_nth),
	KUNIT_CASE_PARAM_ATTR(shadow_test_property, prop_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static int shadow_suite_init(struct kunit_suite *suite)
{
	return pviommu_shadow_init();
}

static void shadow_suite_exit(struct kunit_suite *suite)
{
	pviommu_shadow_exit();
}

static struct kunit_suite shadow_test_suite = {
	.name = "pviommu_shadow",
	.suite_init = shadow_suite_init,
	.suite_exit = shadow_suite_exit,
	.test_cases = shadow_test_cases,
};

kunit_test_suite(shadow_test_suite);
