// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for root/context entries and the second-level walk
 * (guest_pt.c), over hand-built tables in a fake guest memory that counts
 * every read.
 */
#include <linux/bitfield.h>

#include "../core.h"
#include "fake_guest.h"

#define CAP_ALL		(VTD_CAP_CM | SAGAW(0xe) | MGAW(57) |		\
			 VTD_CAP_SLLPS_2M | VTD_CAP_SLLPS_1G | VTD_CAP_PSI | 6)
#define ECAP_ALL	(VTD_ECAP_QI | VTD_ECAP_DT | VTD_ECAP_PT)

struct walk_test {
	struct pviommu_walk w;
	struct pviommu_caps caps;
	struct fake_mem *m;
	struct pviommu_leaf leaves[64];
	unsigned int nr_leaves;
	struct {
		u64 iova;
		u64 last;
		u8 reason;
	} faults[16];
	unsigned int nr_faults;
	unsigned int leaf_calls;
	struct {
		u64 iova;
		u64 table;
		u8 perm;
	} last_tables[4];
	unsigned int nr_last_tables;
};

static int wt_leaf(struct pviommu_walk *w, const struct pviommu_leaf *leaf)
{
	struct walk_test *t = container_of(w, struct walk_test, w);

	if (t->nr_leaves < ARRAY_SIZE(t->leaves))
		t->leaves[t->nr_leaves++] = *leaf;
	t->leaf_calls++;
	return 0;
}

static int wt_fault(struct pviommu_walk *w, u64 iova, u64 last, u8 reason)
{
	struct walk_test *t = container_of(w, struct walk_test, w);

	if (t->nr_faults < ARRAY_SIZE(t->faults)) {
		t->faults[t->nr_faults].iova = iova;
		t->faults[t->nr_faults].last = last;
		t->faults[t->nr_faults].reason = reason;
		t->nr_faults++;
	}
	return 0;
}

static void wt_last_table(struct pviommu_walk *w, u64 iova, u64 table,
			  u8 perm)
{
	struct walk_test *t = container_of(w, struct walk_test, w);

	if (t->nr_last_tables < ARRAY_SIZE(t->last_tables)) {
		t->last_tables[t->nr_last_tables].iova = iova;
		t->last_tables[t->nr_last_tables].table = table;
		t->last_tables[t->nr_last_tables].perm = perm;
		t->nr_last_tables++;
	}
}

static const struct pviommu_walk_ops wt_ops = {
	.leaf = wt_leaf,
	.fault = wt_fault,
	.last_table = wt_last_table,
};

static struct walk_test *wt_new(struct kunit *test, u64 cap, u64 ecap,
				u32 haw)
{
	struct walk_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, pviommu_caps_init(&t->caps, cap, ecap, haw), 0);
	t->m = fg_mem_new(test);
	t->w.caps = &t->caps;
	t->w.read = fg_read;
	t->w.priv = t->m;
	t->w.ops = &wt_ops;
	return t;
}

/* Walk @start..@last of @root with a generous budget. */
static int wt_walk(struct walk_test *t, u64 root, u8 levels, u64 start,
		   u64 last)
{
	t->nr_leaves = 0;
	t->nr_faults = 0;
	t->leaf_calls = 0;
	t->m->reads = 0;
	t->w.root = root;
	t->w.levels = levels;
	t->w.start = start;
	t->w.last = last;
	t->w.budget = 1 << 20;
	t->w.tables_read = 0;
	t->w.entries = 0;
	return pviommu_walk(&t->w);
}

#define EXPECT_LEAF(test, l, _iova, _gpa, _shift, _perm)	\
	do {							\
		KUNIT_EXPECT_EQ(test, (l).iova, (u64)(_iova));	\
		KUNIT_EXPECT_EQ(test, (l).gpa, (u64)(_gpa));	\
		KUNIT_EXPECT_EQ(test, (l).shift, _shift);	\
		KUNIT_EXPECT_EQ(test, (l).perm, _perm);		\
	} while (0)

/* One 4K leaf at 3, 4 and 5 levels, near the top of each space. */
static void pt_test_levels(struct kunit *test)
{
	static const u8 levels[] = { 3, 4, 5 };
	int i;

	for (i = 0; i < ARRAY_SIZE(levels); i++) {
		struct walk_test *t = wt_new(test, CAP_ALL, ECAP_ALL, 48);
		u8 lv = levels[i];
		u64 top = (1ULL << (12 + 9 * lv)) - SZ_4K_;
		u64 root = fg_table(t->m);

		fg_map_4k(t->m, root, lv, 0x5000, 0x7654000, RW);
		fg_map_4k(t->m, root, lv, top, 0xabc000, VTD_SL_R);
		KUNIT_ASSERT_EQ(test, wt_walk(t, root, lv, 0, ~0ULL), 0);
		KUNIT_ASSERT_EQ(test, t->nr_leaves, 2);
		EXPECT_LEAF(test, t->leaves[0], 0x5000, 0x7654000, 12, RW);
		EXPECT_LEAF(test, t->leaves[1], top, 0xabc000, 12, VTD_SL_R);
		KUNIT_EXPECT_EQ(test, t->nr_faults, 0);
		/* One root, then two full paths of lv - 1 tables. */
		KUNIT_EXPECT_EQ(test, t->w.tables_read, 1 + 2 * (lv - 1));
		KUNIT_EXPECT_EQ(test, t->m->reads, t->w.tables_read);
	}
}

/*
 * A walk reports each last-level table it reads, with the permissions of
 * the levels above; walking that table alone gives the same leaves.
 */
static void pt_test_walk_last(struct kunit *test)
{
	struct walk_test *t = wt_new(test, CAP_ALL, ECAP_ALL, 48);
	u64 root = fg_table(t->m), pd, pt;

	pt = fg_map_4k(t->m, root, 4, 0x40203000, 0x7000, RW);
	fg_map_4k(t->m, root, 4, 0x40205000, 0x9000, RW);
	fg_map(t->m, root, 4, 0x40400000, 2, 0x800000 | VTD_SL_PS | RW);
	/* Read-only above the table: its leaves are read-only. */
	pd = fg_map(t->m, root, 4, 0x40200000, 2, pt | VTD_SL_R);
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0, ~0ULL), 0);
	KUNIT_ASSERT_EQ(test, t->nr_leaves, 3);
	KUNIT_ASSERT_EQ(test, t->nr_last_tables, 1);
	KUNIT_EXPECT_EQ(test, t->last_tables[0].iova, 0x40200000);
	KUNIT_EXPECT_EQ(test, t->last_tables[0].table, pt);
	KUNIT_EXPECT_EQ(test, t->last_tables[0].perm, VTD_SL_R);
	KUNIT_EXPECT_NE(test, pd, 0);

	t->nr_leaves = 0;
	t->m->reads = 0;
	t->w.start = 0x40204000;
	t->w.last = 0x403fffff;
	KUNIT_ASSERT_EQ(test, pviommu_walk_last(&t->w, pt, VTD_SL_R), 0);
	KUNIT_EXPECT_EQ(test, t->m->reads, 1);
	KUNIT_ASSERT_EQ(test, t->nr_leaves, 1);
	EXPECT_LEAF(test, t->leaves[0], 0x40205000, 0x9000, 12, VTD_SL_R);
}

/* 2M and 1G leaves, with their GPAs, sizes and permissions. */
static void pt_test_large(struct kunit *test)
{
	struct walk_test *t = wt_new(test, CAP_ALL, ECAP_ALL, 48);
	u64 root = fg_table(t->m);

	fg_map(t->m, root, 4, SZ_1G_, 2, 0x80000000ULL | VTD_SL_PS | RW);
	fg_map(t->m, root, 4, 4 * SZ_1G_, 3,
	       0x1c0000000ULL | VTD_SL_PS | VTD_SL_W);
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0, ~0ULL), 0);
	KUNIT_ASSERT_EQ(test, t->nr_leaves, 2);
	EXPECT_LEAF(test, t->leaves[0], SZ_1G_, 0x80000000ULL, 21, RW);
	EXPECT_LEAF(test, t->leaves[1], 4 * SZ_1G_, 0x1c0000000ULL, 30,
		    VTD_SL_W);

	/* A range inside a leaf reports the whole leaf. */
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, SZ_1G_ + 0x3000,
				      SZ_1G_ + 0x3fff), 0);
	KUNIT_ASSERT_EQ(test, t->nr_leaves, 1);
	EXPECT_LEAF(test, t->leaves[0], SZ_1G_, 0x80000000ULL, 21, RW);
}

/* Permissions AND down the levels; no access left means no leaf. */
static void pt_test_perm(struct kunit *test)
{
	struct walk_test *t = wt_new(test, CAP_ALL, ECAP_ALL, 48);
	u64 root = fg_table(t->m);
	u64 l3;

	fg_map_4k(t->m, root, 4, 0x1000, 0x11000, RW);
	fg_map_4k(t->m, root, 4, 0x2000, 0x12000, VTD_SL_W);
	fg_map_4k(t->m, root, 4, SZ_1G_, 0x13000, RW);
	fg_map_4k(t->m, root, 4, SZ_1G_ + 0x1000, 0x14000, VTD_SL_W);
	/* The directory over SZ_1G_ allows reads only. */
	l3 = fg_get(t->m, root, 0) & VTD_SL_ADDR_MAX;
	fg_set(t->m, l3, 1, (fg_get(t->m, l3, 1) & ~RW) | VTD_SL_R);

	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0, ~0ULL), 0);
	KUNIT_ASSERT_EQ(test, t->nr_leaves, 3);
	EXPECT_LEAF(test, t->leaves[0], 0x1000, 0x11000, 12, RW);
	EXPECT_LEAF(test, t->leaves[1], 0x2000, 0x12000, 12, VTD_SL_W);
	EXPECT_LEAF(test, t->leaves[2], SZ_1G_, 0x13000, 12, VTD_SL_R);
	KUNIT_EXPECT_EQ(test, t->nr_faults, 0);
}

/* Holes and range clipping: leaves in order, only those in range. */
static void pt_test_holes_and_range(struct kunit *test)
{
	struct walk_test *t = wt_new(test, CAP_ALL, ECAP_ALL, 48);
	u64 root = fg_table(t->m);
	int i;

	for (i = 1; i <= 5; i += 2)
		fg_map_4k(t->m, root, 4, i * SZ_4K_, 0x40000 + i * SZ_4K_, RW);
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0, ~0ULL), 0);
	KUNIT_ASSERT_EQ(test, t->nr_leaves, 3);
	for (i = 0; i < 3; i++)
		EXPECT_LEAF(test, t->leaves[i], (2 * i + 1) * SZ_4K_,
			    0x40000 + (2 * i + 1) * SZ_4K_, 12, RW);

	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0x3000, 0x3fff), 0);
	KUNIT_ASSERT_EQ(test, t->nr_leaves, 1);
	EXPECT_LEAF(test, t->leaves[0], 0x3000, 0x43000, 12, RW);
	/* Reading the last-level table took one entry, not the page. */
	KUNIT_EXPECT_EQ(test, t->w.entries, 4);

	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0x2000, 0x2fff), 0);
	KUNIT_EXPECT_EQ(test, t->nr_leaves, 0);
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0x6000, 0x5000), 0);
	KUNIT_EXPECT_EQ(test, t->w.tables_read, 0);
}

/*
 * A domain-selective walk over an empty 57-bit space reads one table page;
 * with one leaf in it, one page per level.
 */
static void pt_test_sparse(struct kunit *test)
{
	struct walk_test *t = wt_new(test, CAP_ALL, ECAP_ALL, 48);
	u64 root = fg_table(t->m);

	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 5, 0, ~0ULL), 0);
	KUNIT_EXPECT_EQ(test, t->nr_leaves, 0);
	KUNIT_EXPECT_EQ(test, t->w.tables_read, 1);
	KUNIT_EXPECT_EQ(test, t->m->reads, 1);

	fg_map_4k(t->m, root, 5, 0x1234567000ULL << 12, 0x9000, RW);
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 5, 0, ~0ULL), 0);
	KUNIT_EXPECT_EQ(test, t->nr_leaves, 1);
	KUNIT_EXPECT_EQ(test, t->w.tables_read, 5);
	/* A whole-space walk scans each table it reads once. */
	KUNIT_EXPECT_EQ(test, t->w.entries, 512 * 5);
}

/*
 * A table whose every entry points at itself fans out to 2^36 leaves at 4
 * levels: the budget stops the walk, and it resumes where it stopped.
 */
static void pt_test_self_reference(struct kunit *test)
{
	struct walk_test *t = wt_new(test, CAP_ALL, ECAP_ALL, 48);
	u64 root = fg_table(t->m);
	u64 next;
	int i;

	for (i = 0; i < 512; i++)
		fg_set(t->m, root, i, root | RW);

	t->w.budget = 10000;
	t->w.root = root;
	t->w.levels = 4;
	t->w.start = 0;
	t->w.last = ~0ULL;
	KUNIT_ASSERT_EQ(test, pviommu_walk(&t->w), -EAGAIN);
	KUNIT_EXPECT_EQ(test, t->w.entries, 10000);
	KUNIT_EXPECT_EQ(test, t->w.budget, 0);
	KUNIT_EXPECT_GT(test, t->leaf_calls, 9000);
	KUNIT_EXPECT_LT(test, t->leaf_calls, 10000);
	next = t->w.next;
	KUNIT_EXPECT_EQ(test, next, (u64)t->leaf_calls * SZ_4K_);
	for (i = 0; i < t->nr_leaves; i++)
		EXPECT_LEAF(test, t->leaves[i], i * SZ_4K_, root, 12, RW);

	/* Resume: the first leaf is exactly where the last walk stopped. */
	t->nr_leaves = 0;
	t->w.budget = 100;
	t->w.start = next;
	t->w.last = ~0ULL;
	KUNIT_ASSERT_EQ(test, pviommu_walk(&t->w), -EAGAIN);
	KUNIT_ASSERT_GT(test, t->nr_leaves, 0);
	EXPECT_LEAF(test, t->leaves[0], next, root, 12, RW);
	KUNIT_EXPECT_GT(test, t->w.next, next);
}

/* Budget: exactly enough finishes; one less stops before the last entry. */
static void pt_test_budget_exact(struct kunit *test)
{
	struct walk_test *t = wt_new(test, CAP_ALL, ECAP_ALL, 48);
	u64 root = fg_table(t->m);
	u64 need;

	fg_map_4k(t->m, root, 3, 0x0000, 0x1000, RW);
	fg_map_4k(t->m, root, 3, 0x1000, 0x2000, RW);
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 3, 0, 0x1fff), 0);
	need = t->w.entries;
	KUNIT_ASSERT_EQ(test, need, 4);	/* 1 + 1 + 2 */

	t->nr_leaves = 0;
	t->w.start = 0;
	t->w.last = 0x1fff;
	t->w.budget = need;
	KUNIT_EXPECT_EQ(test, pviommu_walk(&t->w), 0);
	KUNIT_EXPECT_EQ(test, t->nr_leaves, 2);

	t->nr_leaves = 0;
	t->w.start = 0;
	t->w.last = 0x1fff;
	t->w.budget = need - 1;
	KUNIT_EXPECT_EQ(test, pviommu_walk(&t->w), -EAGAIN);
	KUNIT_EXPECT_EQ(test, t->nr_leaves, 1);
	KUNIT_EXPECT_EQ(test, t->w.next, 0x1000);
}

struct rsvd_case {
	const char *name;
	u64 cap;
	u64 ecap;
	u32 haw;
	u8 level;	/* 1: 4K leaf, 2: 2M, 3: 1G, 4: PS at level 4 */
	u64 extra;	/* bits added to an otherwise valid entry */
	bool faults;
};

#define CAP_NO_LP	(CAP_ALL & ~(VTD_CAP_SLLPS_2M | VTD_CAP_SLLPS_1G))

static const struct rsvd_case rsvd_cases[] = {
	{ "4k valid", CAP_ALL, ECAP_ALL, 48, 1, 0, false },
	{ "4k ignored bits", CAP_ALL, ECAP_ALL, 48, 1,
	  BIT_ULL(2) | GENMASK_ULL(10, 3) | GENMASK_ULL(61, 52) | BIT_ULL(63),
	  false },
	{ "4k addr at haw", CAP_ALL, ECAP_ALL, 39, 1, BIT_ULL(39), true },
	{ "4k addr bit 51", CAP_ALL, ECAP_ALL, 48, 1, BIT_ULL(51), true },
	{ "4k addr below haw", CAP_ALL, ECAP_ALL, 39, 1, BIT_ULL(38), false },
	{ "4k snp without SC", CAP_ALL, ECAP_ALL, 48, 1, VTD_SL_SNP, true },
	{ "4k snp with SC", CAP_ALL, ECAP_ALL | VTD_ECAP_SC, 48, 1,
	  VTD_SL_SNP, false },
	{ "4k tm without DT", CAP_ALL, ECAP_ALL & ~VTD_ECAP_DT, 48, 1,
	  VTD_SL_TM, true },
	{ "4k tm with DT", CAP_ALL, ECAP_ALL, 48, 1, VTD_SL_TM, false },
	{ "2m valid", CAP_ALL, ECAP_ALL, 48, 2, 0, false },
	{ "2m addr bit 12", CAP_ALL, ECAP_ALL, 48, 2, BIT_ULL(12), true },
	{ "2m addr bit 20", CAP_ALL, ECAP_ALL, 48, 2, BIT_ULL(20), true },
	{ "2m without SLLPS", CAP_NO_LP, ECAP_ALL, 48, 2, 0, true },
	{ "1g valid", CAP_ALL, ECAP_ALL, 48, 3, 0, false },
	{ "1g addr bit 21", CAP_ALL, ECAP_ALL, 48, 3, BIT_ULL(21), true },
	{ "1g addr bit 29", CAP_ALL, ECAP_ALL, 48, 3, BIT_ULL(29), true },
	{ "1g without SLLPS", CAP_ALL & ~VTD_CAP_SLLPS_1G, ECAP_ALL, 48, 3, 0,
	  true },
	{ "ps at level 4", CAP_ALL, ECAP_ALL, 48, 4, 0, true },
};

static void rsvd_case_desc(const struct rsvd_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rsvd, rsvd_cases, rsvd_case_desc);

/*
 * A reserved bit in a present entry: no leaf, one fault (0xc) over the
 * entry's range. The same bits in a non-present entry are ignored.
 */
static void pt_test_reserved(struct kunit *test)
{
	const struct rsvd_case *c = test->param_value;
	struct walk_test *t = wt_new(test, c->cap, c->ecap, c->haw);
	u8 shift = 12 + 9 * (c->level - 1);
	u64 iova = 1ULL << 39;		/* entry 1 of the level-4 table */
	u64 root = fg_table(t->m);
	u64 pte = (2ULL << 30) | RW | (c->level > 1 ? VTD_SL_PS : 0);
	u64 table;

	table = fg_map(t->m, root, 4, iova, c->level, pte | c->extra);
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0, ~0ULL), 0);
	if (!c->faults) {
		KUNIT_ASSERT_EQ(test, t->nr_leaves, 1);
		KUNIT_EXPECT_EQ(test, t->leaves[0].iova, iova);
		KUNIT_EXPECT_EQ(test, t->leaves[0].shift, shift);
		KUNIT_EXPECT_EQ(test, t->leaves[0].gpa,
				(pte | c->extra) & GENMASK_ULL(c->haw - 1,
							       shift));
		KUNIT_EXPECT_EQ(test, t->nr_faults, 0);
		return;
	}
	KUNIT_EXPECT_EQ(test, t->nr_leaves, 0);
	KUNIT_ASSERT_EQ(test, t->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, t->faults[0].reason, VTD_FR_PAGING_ENTRY_RSVD);
	KUNIT_EXPECT_EQ(test, t->faults[0].iova, iova);
	KUNIT_EXPECT_EQ(test, t->faults[0].last, iova + (1ULL << shift) - 1);

	/* Not present: the same bits raise nothing. */
	fg_set(t->m, table, fg_index(iova, c->level),
	       (pte | c->extra) & ~RW);
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0, ~0ULL), 0);
	KUNIT_EXPECT_EQ(test, t->nr_leaves, 0);
	KUNIT_EXPECT_EQ(test, t->nr_faults, 0);
}

/*
 * Tables outside guest RAM: everything under them is not present, one
 * fault (0x7) over the part of the walk they cover. Leaves may point
 * anywhere: what a leaf maps is the shadow's business.
 */
static void pt_test_outside_ram(struct kunit *test)
{
	struct walk_test *t = wt_new(test, CAP_ALL, ECAP_ALL, 48);
	u64 root = fg_table(t->m);
	u64 hole = 0x7f000000;		/* never allocated */

	fg_map_4k(t->m, root, 4, 0x1000, 0xfff00000ULL, RW);
	fg_set(t->m, root, 1, hole | RW);	/* 512G..1T-1 */
	fg_map_4k(t->m, root, 4, 2ULL << 39, 0x3000, RW);

	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0, ~0ULL), 0);
	KUNIT_ASSERT_EQ(test, t->nr_leaves, 2);
	EXPECT_LEAF(test, t->leaves[0], 0x1000, 0xfff00000ULL, 12, RW);
	EXPECT_LEAF(test, t->leaves[1], 2ULL << 39, 0x3000, 12, RW);
	KUNIT_ASSERT_EQ(test, t->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, t->faults[0].reason, VTD_FR_PAGING_ENTRY_INV);
	KUNIT_EXPECT_EQ(test, t->faults[0].iova, 1ULL << 39);
	KUNIT_EXPECT_EQ(test, t->faults[0].last, (2ULL << 39) - 1);

	/* A page-selective walk clips the fault to its range. */
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, (1ULL << 39) + 0x5000,
				      (1ULL << 39) + 0x5fff), 0);
	KUNIT_ASSERT_EQ(test, t->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, t->faults[0].iova, (1ULL << 39) + 0x5000);
	KUNIT_EXPECT_EQ(test, t->faults[0].last, (1ULL << 39) + 0x5fff);

	/* The root itself outside RAM. */
	KUNIT_ASSERT_EQ(test, wt_walk(t, hole, 4, 0, ~0ULL), 0);
	KUNIT_EXPECT_EQ(test, t->nr_leaves, 0);
	KUNIT_ASSERT_EQ(test, t->nr_faults, 1);
	KUNIT_EXPECT_EQ(test, t->faults[0].iova, 0);
	KUNIT_EXPECT_EQ(test, t->faults[0].last, (1ULL << 48) - 1);
}

/*
 * The top of the address space: a 2M leaf ending at 2^57 - 1 and a walk
 * to ~0 terminate without overflow; CAP.MGAW cuts a deeper table short.
 */
static void pt_test_top_and_mgaw(struct kunit *test)
{
	struct walk_test *t = wt_new(test, CAP_ALL, ECAP_ALL, 48);
	u64 top2m = (1ULL << 57) - SZ_2M_;
	u64 root = fg_table(t->m);

	fg_map(t->m, root, 5, top2m, 2, 0x200000 | VTD_SL_PS | RW);
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 5, top2m + 0x1000, ~0ULL), 0);
	KUNIT_ASSERT_EQ(test, t->nr_leaves, 1);
	EXPECT_LEAF(test, t->leaves[0], top2m, 0x200000, 21, RW);
	KUNIT_EXPECT_EQ(test, t->w.last, (1ULL << 57) - 1);
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 5, 1ULL << 57, ~0ULL), 0);
	KUNIT_EXPECT_EQ(test, t->w.tables_read, 0);

	/* MGAW 39 with a 4-level table: nothing at or above 2^39. */
	t = wt_new(test, (CAP_ALL & ~VTD_CAP_MGAW) | MGAW(39), ECAP_ALL, 48);
	root = fg_table(t->m);
	fg_map_4k(t->m, root, 4, (1ULL << 39) - SZ_4K_, 0x1000, RW);
	fg_map_4k(t->m, root, 4, 1ULL << 39, 0x2000, RW);
	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0, ~0ULL), 0);
	KUNIT_ASSERT_EQ(test, t->nr_leaves, 1);
	EXPECT_LEAF(test, t->leaves[0], (1ULL << 39) - SZ_4K_, 0x1000, 12, RW);
	KUNIT_EXPECT_EQ(test, pviommu_walk_limit(&t->caps, 4),
			(1ULL << 39) - 1);
	KUNIT_EXPECT_EQ(test, pviommu_walk_limit(&t->caps, 3),
			(1ULL << 39) - 1);
}

/* First-stage (IA-32e) entries: directories P, R/W, U/S unless stated. */
#define FS_DIR		(VTD_FS_P | VTD_FS_RW | VTD_FS_US)
#define FS_RW		FS_DIR
#define FS_R		(VTD_FS_P | VTD_FS_US)

/*
 * First stage for DMA without PASID (user privilege): present is P; R/W
 * and U/S are ANDed down the levels (no U/S: no access; no R/W: read
 * only); 2M leaves (bit 12 is PAT, bits 20:13 reserved), 1G leaves only
 * with CAP.FL1GP, PS reserved at level 4; XD and bits 62:52 ignored; the
 * upper canonical half is not walked; 5 levels.
 */
static void pt_test_first_stage(struct kunit *test)
{
	struct walk_test *t = wt_new(test, CAP_ALL | VTD_CAP_FL1GP, ECAP_ALL,
				     48);
	struct walk_test *t2;
	u64 root = fg_table(t->m);

	t->w.first_stage = true;
	fg_map_dir(t->m, root, 4, 0x1000, 1, 0x11000 | FS_RW, FS_DIR);
	fg_map_dir(t->m, root, 4, 0x2000, 1, 0x12000 | FS_R, FS_DIR);
	fg_map_dir(t->m, root, 4, 0x3000, 1, 0x13000 | VTD_FS_P | VTD_FS_RW,
		   FS_DIR);
	fg_map_dir(t->m, root, 4, 0x4000, 1, 0x14000 | FS_RW | BIT_ULL(63) |
		   GENMASK_ULL(62, 52), FS_DIR);
	fg_map_dir(t->m, root, 4, 0x5000, 1, 0x15000 | FS_RW | BIT_ULL(50),
		   FS_DIR);
	/* A directory without R/W: read only below; without U/S: nothing. */
	fg_map_dir(t->m, root, 4, SZ_1G_, 1, 0x21000 | FS_RW, FS_R);
	fg_map_dir(t->m, root, 4, 2 * SZ_1G_, 1, 0x22000 | FS_RW,
		   VTD_FS_P | VTD_FS_RW);
	/* 2M: PAT (bit 12) is no address bit; bit 13 is reserved. */
	fg_map_dir(t->m, root, 4, 3 * SZ_1G_, 2,
		   0x400000 | BIT_ULL(12) | VTD_FS_PS | FS_RW, FS_DIR);
	fg_map_dir(t->m, root, 4, 3 * SZ_1G_ + SZ_2M_, 2,
		   0x600000 | BIT_ULL(13) | VTD_FS_PS | FS_RW, FS_DIR);
	/* 1G with FL1GP. */
	fg_map_dir(t->m, root, 4, 4 * SZ_1G_, 3, SZ_1G_ | VTD_FS_PS | FS_RW, FS_DIR);
	/* Upper canonical half: index 256 of the PML4. */
	fg_map_dir(t->m, root, 4, 1ULL << 47, 1, 0x31000 | FS_RW, FS_DIR);

	KUNIT_ASSERT_EQ(test, wt_walk(t, root, 4, 0, ~0ULL), 0);
	KUNIT_ASSERT_EQ(test, t->nr_leaves, 6);
	EXPECT_LEAF(test, t->leaves[0], 0x1000, 0x11000, 12, RW);
	EXPECT_LEAF(test, t->leaves[1], 0x2000, 0x12000, 12, VTD_SL_R);
	EXPECT_LEAF(test, t->leaves[2], 0x4000, 0x14000, 12, RW);
	EXPECT_LEAF(test, t->leaves[3], SZ_1G_, 0x21000, 12, VTD_SL_R);
	EXPECT_LEAF(test, t->leaves[4], 3 * SZ_1G_, 0x400000, 21, RW);
	EXPECT_LEAF(test, t->leaves[5], 4 * SZ_1G_, SZ_1G_, 30, RW);
	KUNIT_ASSERT_EQ(test, t->nr_faults, 2);
	KUNIT_EXPECT_EQ(test, t->faults[0].iova, 0x5000);
	KUNIT_EXPECT_EQ(test, t->faults[0].reason, VTD_FR_PAGING_ENTRY_RSVD);
	KUNIT_EXPECT_EQ(test, t->faults[1].iova, 3 * SZ_1G_ + SZ_2M_);

	/* Without FL1GP a 1G leaf is reserved; PS at level 4 always is. */
	t2 = wt_new(test, CAP_ALL, ECAP_ALL, 48);
	t2->w.first_stage = true;
	root = fg_table(t2->m);
	fg_map_dir(t2->m, root, 4, SZ_1G_, 3, SZ_1G_ | VTD_FS_PS | FS_RW, FS_DIR);
	fg_set(t2->m, root, 1, 0x8000000000ULL | VTD_FS_PS | FS_RW);
	KUNIT_ASSERT_EQ(test, wt_walk(t2, root, 4, 0, ~0ULL), 0);
	KUNIT_EXPECT_EQ(test, t2->nr_leaves, 0);
	KUNIT_EXPECT_EQ(test, t2->nr_faults, 2);

	/* Five levels: a leaf above 2^48. */
	root = fg_table(t2->m);
	fg_map_dir(t2->m, root, 5, 1ULL << 50, 1, 0x41000 | FS_RW, FS_DIR);
	KUNIT_ASSERT_EQ(test, wt_walk(t2, root, 5, 0, ~0ULL), 0);
	KUNIT_ASSERT_EQ(test, t2->nr_leaves, 1);
	EXPECT_LEAF(test, t2->leaves[0], 1ULL << 50, 0x41000, 12, RW);
}

/* Root and context entries: build one device's path, then break it. */
struct ctx_test {
	struct fake_mem *m;
	struct pviommu_caps caps;
	u64 rta;
	u64 ctp;
};

#define CTX_SID		0x0318	/* bus 3, device 3, function 0 */

static struct ctx_test *ctx_new_cap(struct kunit *test, u64 cap, u64 ecap)
{
	struct ctx_test *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, pviommu_caps_init(&c->caps, cap, ecap, 48), 0);
	c->m = fg_mem_new(test);
	c->rta = fg_table(c->m);
	c->ctp = fg_table(c->m);
	return c;
}

static struct ctx_test *ctx_new(struct kunit *test, u64 ecap)
{
	return ctx_new_cap(test, CAP_ALL, ecap);
}

/* Write the root entry of bus 3 and the context entry of CTX_SID. */
static void ctx_set(struct ctx_test *c, u64 re_lo, u64 re_hi, u64 ce_lo,
		    u64 ce_hi)
{
	fg_set(c->m, c->rta, 2 * 3, re_lo);
	fg_set(c->m, c->rta, 2 * 3 + 1, re_hi);
	fg_set(c->m, c->ctp, 2 * 0x18, ce_lo);
	fg_set(c->m, c->ctp, 2 * 0x18 + 1, ce_hi);
}

#define CE_HI(aw, did)	((u64)(aw) | (u64)(did) << 8)
#define CE_LO(root, tt)	((u64)(root) | (u64)(tt) << 2 | VTD_CE_P)

struct ctx_case {
	const char *name;
	u64 ecap;
	bool re_absent;	/* root entry not present */
	u64 re_extra;	/* bits added to the root entry's low quadword */
	u64 re_hi;
	u64 ce_lo;
	u64 ce_hi;
	u8 fault;
	u8 levels;
	bool pt;
	bool dev_tlb;
	bool fpd;
};

static const struct ctx_case ctx_cases[] = {
	{ "aw 39", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0), CE_HI(1, 7), 0, 3 },
	{ "aw 48", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0), CE_HI(2, 7), 0, 4 },
	{ "aw 57", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0), CE_HI(3, 7), 0, 5 },
	{ "aw 4 not in sagaw", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0), CE_HI(4, 7),
	  VTD_FR_CONTEXT_ENTRY_INV },
	{ "aw 0 not in sagaw", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0), CE_HI(0, 7),
	  VTD_FR_CONTEXT_ENTRY_INV },
	{ "fpd", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0) | VTD_CE_FPD, CE_HI(2, 7), 0,
	  4, .fpd = true },
	{ "device-tlb", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 1), CE_HI(2, 7), 0, 4,
	  .dev_tlb = true },
	{ "device-tlb without DT", ECAP_ALL & ~VTD_ECAP_DT, false, 0, 0,
	  CE_LO(0x5000, 1), CE_HI(2, 7), VTD_FR_CONTEXT_ENTRY_INV },
	{ "pass-through", ECAP_ALL, false, 0, 0, CE_LO(0, 2), CE_HI(2, 7), 0, 0,
	  .pt = true },
	{ "pass-through without PT", ECAP_ALL & ~VTD_ECAP_PT, false, 0, 0,
	  CE_LO(0, 2), CE_HI(2, 7), VTD_FR_CONTEXT_ENTRY_INV },
	{ "tt 3", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 3), CE_HI(2, 7),
	  VTD_FR_CONTEXT_ENTRY_INV },
	{ "did 0", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0), CE_HI(2, 0),
	  VTD_FR_CONTEXT_ENTRY_INV },
	{ "context not present", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0) & ~VTD_CE_P,
	  CE_HI(2, 7), VTD_FR_CONTEXT_ENTRY_P },
	{ "context rsvd bit 4", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0) | BIT_ULL(4),
	  CE_HI(2, 7), VTD_FR_CONTEXT_ENTRY_RSVD },
	{ "context root beyond haw", ECAP_ALL, false, 0, 0,
	  CE_LO(1ULL << 48, 0), CE_HI(2, 7), VTD_FR_CONTEXT_ENTRY_RSVD },
	{ "context rsvd hi bit 7", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0),
	  CE_HI(2, 7) | BIT_ULL(7), VTD_FR_CONTEXT_ENTRY_RSVD },
	{ "context rsvd hi bit 24", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0),
	  CE_HI(2, 7) | BIT_ULL(24), VTD_FR_CONTEXT_ENTRY_RSVD },
	{ "context avail bits ignored", ECAP_ALL, false, 0, 0, CE_LO(0x5000, 0),
	  CE_HI(2, 7) | GENMASK_ULL(6, 3), 0, 4 },
	{ "root not present", ECAP_ALL, true, 0, 0, CE_LO(0x5000, 0),
	  CE_HI(2, 7), VTD_FR_ROOT_ENTRY_P },
	{ "root rsvd bit 1", ECAP_ALL, false, BIT_ULL(1), 0,
	  CE_LO(0x5000, 0), CE_HI(2, 7), VTD_FR_ROOT_ENTRY_RSVD },
	{ "root ctp beyond haw", ECAP_ALL, false, BIT_ULL(50), 0,
	  CE_LO(0x5000, 0), CE_HI(2, 7), VTD_FR_ROOT_ENTRY_RSVD },
	{ "root rsvd hi", ECAP_ALL, false, 0, 1, CE_LO(0x5000, 0),
	  CE_HI(2, 7), VTD_FR_ROOT_ENTRY_RSVD },
};

static void ctx_case_desc(const struct ctx_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctx, ctx_cases, ctx_case_desc);

static void pt_test_context(struct kunit *test)
{
	const struct ctx_case *cc = test->param_value;
	struct ctx_test *c = ctx_new(test, cc->ecap);
	struct pviommu_context ctx;
	u64 re_lo = c->ctp | cc->re_extra | (cc->re_absent ? 0 : VTD_RE_P);

	ctx_set(c, re_lo, cc->re_hi, cc->ce_lo, cc->ce_hi);

	pviommu_read_context(&c->caps, fg_read, c->m, c->rta, CTX_SID, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, cc->fault);
	if (cc->fault)
		return;
	KUNIT_EXPECT_EQ(test, ctx.pass_through, cc->pt);
	KUNIT_EXPECT_EQ(test, ctx.dev_tlb, cc->dev_tlb);
	KUNIT_EXPECT_EQ(test, ctx.fpd, cc->fpd);
	KUNIT_EXPECT_EQ(test, ctx.did, 7);
	if (!cc->pt) {
		KUNIT_EXPECT_EQ(test, ctx.levels, cc->levels);
		KUNIT_EXPECT_EQ(test, ctx.root, 0x5000);
	}
}

/* Root and context tables that are not guest RAM. */
static void pt_test_context_tables(struct kunit *test)
{
	struct ctx_test *c = ctx_new(test, ECAP_ALL);
	struct pviommu_context ctx;

	ctx_set(c, c->ctp | VTD_RE_P, 0, CE_LO(0x5000, 0), CE_HI(2, 7));
	pviommu_read_context(&c->caps, fg_read, c->m, c->rta, CTX_SID, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, 0);
	KUNIT_EXPECT_EQ(test, ctx.root, 0x5000);

	/* Another function of the device has no context entry. */
	pviommu_read_context(&c->caps, fg_read, c->m, c->rta, CTX_SID + 1,
			     &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, VTD_FR_CONTEXT_ENTRY_P);
	/* Another bus has no root entry. */
	pviommu_read_context(&c->caps, fg_read, c->m, c->rta, 0x0418, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, VTD_FR_ROOT_ENTRY_P);

	pviommu_read_context(&c->caps, fg_read, c->m, 0x7f000000, CTX_SID,
			     &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, VTD_FR_ROOT_TABLE_INV);

	ctx_set(c, 0x7f000000 | VTD_RE_P, 0, 0, 0);
	pviommu_read_context(&c->caps, fg_read, c->m, c->rta, CTX_SID, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, VTD_FR_CONTEXT_TABLE_INV);
}

/*
 * Scalable mode: the root entry's half for the devfn, the 256-bit context
 * entry, the PASID directory and table entries of its RID_PASID. Each case
 * flips bits (XOR) of a valid path (second stage, 4 levels, DID 7, root
 * 0x5000, RID_PASID 0) and says what the device's DMA gets.
 */
#define ECAP_SM		(ECAP_ALL | VTD_ECAP_SMTS | VTD_ECAP_SLTS)
#define PTE_PGTT(n)	((u64)(n) << 6)
#define PTE_AW(n)	((u64)(n) << 2)

struct sm_case {
	const char *name;
	u64 ecap;
	u64 cap;	/* added to CAP_ALL */
	u64 re;		/* XOR into the root entry's lower half */
	u64 ce[4];	/* into the context entry */
	u64 pde;	/* into the PASID directory entry */
	u64 pte[8];	/* into the PASID table entry */
	u8 fault;
	u8 levels;
	bool pt;
	bool fpd;
	u32 pasid;
	bool fs;
};

static const struct sm_case sm_cases[] = {
	{ "second stage", ECAP_SM, .levels = 4 },
	{ "second stage aw 39", ECAP_SM, .pte = { PTE_AW(2) ^ PTE_AW(1) },
	  .levels = 3 },
	{ "second stage aw 57", ECAP_SM, .pte = { PTE_AW(2) ^ PTE_AW(3) },
	  .levels = 5 },
	{ "aw not in sagaw", ECAP_SM, .pte = { PTE_AW(2) ^ PTE_AW(4) },
	  .fault = VTD_FR_SM_PTE_BAD },
	{ "second stage without SLTS", ECAP_SM & ~VTD_ECAP_SLTS,
	  .fault = VTD_FR_SM_PTE_BAD },
	{ "pass-through", ECAP_SM, .pte = { PTE_PGTT(2) ^ PTE_PGTT(4) },
	  .pt = true },
	{ "pass-through without PT", ECAP_SM & ~VTD_ECAP_PT,
	  .pte = { PTE_PGTT(2) ^ PTE_PGTT(4) }, .fault = VTD_FR_SM_PTE_BAD },
	{ "first stage without FLTS", ECAP_SM,
	  .pte = { PTE_PGTT(2) ^ PTE_PGTT(1) }, .fault = VTD_FR_SM_PTE_BAD },
	{ "first stage", ECAP_SM | VTD_ECAP_FLTS,
	  .pte = { PTE_PGTT(2) ^ PTE_PGTT(1) ^ 0x5000, 0, 0x5000 }, .levels = 4,
	  .fs = true },
	{ "first stage 5 levels", ECAP_SM | VTD_ECAP_FLTS, .cap = VTD_CAP_FL5LP,
	  .pte = { PTE_PGTT(2) ^ PTE_PGTT(1) ^ 0x5000, 0, 0x5000 | 1 << 2 },
	  .levels = 5, .fs = true },
	{ "first stage 5 levels without FL5LP", ECAP_SM | VTD_ECAP_FLTS,
	  .pte = { PTE_PGTT(2) ^ PTE_PGTT(1) ^ 0x5000, 0, 0x5000 | 1 << 2 },
	  .fault = VTD_FR_SM_PTE_BAD },
	{ "first stage flpm 2", ECAP_SM | VTD_ECAP_FLTS, .cap = VTD_CAP_FL5LP,
	  .pte = { PTE_PGTT(2) ^ PTE_PGTT(1) ^ 0x5000, 0, 0x5000 | 2 << 2 },
	  .fault = VTD_FR_SM_PTE_BAD },
	{ "first stage root beyond haw", ECAP_SM | VTD_ECAP_FLTS,
	  .pte = { PTE_PGTT(2) ^ PTE_PGTT(1) ^ 0x5000, 0, BIT_ULL(50) },
	  .fault = VTD_FR_SM_PTE_RSVD },
	{ "nested refused", ECAP_SM, .pte = { PTE_PGTT(2) ^ PTE_PGTT(3) },
	  .fault = VTD_FR_SM_PTE_BAD },
	{ "pgtt 0", ECAP_SM, .pte = { PTE_PGTT(2) }, .fault = VTD_FR_SM_PTE_BAD },
	{ "pgtt 5", ECAP_SM, .pte = { PTE_PGTT(2) ^ PTE_PGTT(5) },
	  .fault = VTD_FR_SM_PTE_BAD },
	{ "did 0", ECAP_SM, .pte = { 0, 7 }, .fault = VTD_FR_SM_PTE_BAD },
	{ "root half not present", ECAP_SM, .re = VTD_SRE_P,
	  .fault = VTD_FR_SM_ROOT_ENTRY_P },
	{ "root rsvd bit 1", ECAP_SM, .re = BIT_ULL(1),
	  .fault = VTD_FR_SM_ROOT_ENTRY_RSVD },
	{ "root beyond haw", ECAP_SM, .re = BIT_ULL(50),
	  .fault = VTD_FR_SM_ROOT_ENTRY_RSVD },
	{ "context not present", ECAP_SM, .ce = { VTD_SCE_P },
	  .fault = VTD_FR_SM_CONTEXT_ENTRY_P },
	{ "context rsvd bit 5", ECAP_SM, .ce = { BIT_ULL(5) },
	  .fault = VTD_FR_SM_CONTEXT_ENTRY_RSVD },
	{ "context rsvd bit 8", ECAP_SM, .ce = { BIT_ULL(8) },
	  .fault = VTD_FR_SM_CONTEXT_ENTRY_RSVD },
	{ "context pdtp beyond haw", ECAP_SM, .ce = { BIT_ULL(48) },
	  .fault = VTD_FR_SM_CONTEXT_ENTRY_RSVD },
	{ "context qw1 bit 21", ECAP_SM, .ce = { 0, BIT_ULL(21) },
	  .fault = VTD_FR_SM_CONTEXT_ENTRY_RSVD },
	{ "context qw2", ECAP_SM, .ce = { 0, 0, 1 },
	  .fault = VTD_FR_SM_CONTEXT_ENTRY_RSVD },
	{ "context qw3", ECAP_SM, .ce = { 0, 0, 0, BIT_ULL(63) },
	  .fault = VTD_FR_SM_CONTEXT_ENTRY_RSVD },
	{ "context dte, paside, pre", ECAP_SM, .ce = { GENMASK_ULL(4, 2) },
	  .levels = 4 },
	{ "context fpd", ECAP_SM, .ce = { VTD_SCE_FPD }, .levels = 4,
	  .fpd = true },
	{ "rid_pasid 65", ECAP_SM, .ce = { 0, 65 }, .levels = 4, .pasid = 65 },
	{ "rid_pasid beyond pdts", ECAP_SM, .ce = { 0, 128 * 64 },
	  .fault = VTD_FR_SM_PASID_TOO_LARGE },
	{ "rid_pasid within pdts 1", ECAP_SM, .ce = { 1ULL << 9, 128 * 64 },
	  .levels = 4, .pasid = 128 * 64 },
	{ "directory not present", ECAP_SM, .pde = VTD_PDE_P,
	  .fault = VTD_FR_SM_PDE_P },
	{ "directory rsvd bit 2", ECAP_SM, .pde = BIT_ULL(2),
	  .fault = VTD_FR_SM_PDE_RSVD },
	{ "directory fpd", ECAP_SM, .pde = VTD_PDE_FPD, .levels = 4,
	  .fpd = true },
	{ "pasid entry not present", ECAP_SM, .pte = { VTD_PTE_P },
	  .fault = VTD_FR_SM_PTE_P },
	{ "pasid entry rsvd bit 5", ECAP_SM, .pte = { BIT_ULL(5) },
	  .fault = VTD_FR_SM_PTE_RSVD },
	{ "pasid entry rsvd bit 9", ECAP_SM, .pte = { BIT_ULL(9) },
	  .fault = VTD_FR_SM_PTE_RSVD },
	{ "pasid entry sslptptr beyond haw", ECAP_SM, .pte = { BIT_ULL(50) },
	  .fault = VTD_FR_SM_PTE_RSVD },
	{ "pasid entry qw1 bit 16", ECAP_SM, .pte = { 0, BIT_ULL(16) },
	  .fault = VTD_FR_SM_PTE_RSVD },
	{ "pasid entry qw1 snoop bits", ECAP_SM, .pte = { 0, GENMASK_ULL(25, 23) },
	  .levels = 4 },
	{ "pasid entry qw2 (first stage) ignored", ECAP_SM,
	  .pte = { 0, 0, 0x9000 | 1 }, .levels = 4 },
	{ "pasid entry qw3", ECAP_SM, .pte = { 0, 0, 0, 1 },
	  .fault = VTD_FR_SM_PTE_RSVD },
	{ "pasid entry qw7", ECAP_SM, .pte = { 0, 0, 0, 0, 0, 0, 0, 1 },
	  .fault = VTD_FR_SM_PTE_RSVD },
	{ "pasid entry fpd", ECAP_SM, .pte = { VTD_PTE_FPD }, .levels = 4,
	  .fpd = true },
};

static void sm_case_desc(const struct sm_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sm, sm_cases, sm_case_desc);

/*
 * Build CTX_SID's scalable-mode path to PASID @pasid's entry: root entry
 * half @re, context entry @ce, directory entry @pde (of @pdt) and PASID
 * table entry @pte; returns the RTADDR value.
 */
static u64 sm_set(struct ctx_test *c, u64 re, const u64 *ce, u64 pdt,
		  u64 pde, const u64 *pte, u32 pasid)
{
	u8 devfn = CTX_SID & 0xff;
	unsigned int k;
	u64 ptt;

	fg_set(c->m, c->rta, 2 * (CTX_SID >> 8) + (devfn >> 7), re);
	for (k = 0; k < 4; k++)
		fg_set(c->m, c->ctp, 4 * (devfn & 0x7f) + k, ce[k]);
	fg_set(c->m, pdt, pasid >> 6, pde);
	ptt = pde & VTD_PDE_PTP;
	for (k = 0; k < 8; k++)
		fg_set(c->m, ptt, 8 * (pasid & 0x3f) + k, pte[k]);
	return c->rta | (u64)VTD_TTM_SCALABLE << 10;
}

static void pt_test_sm_context(struct kunit *test)
{
	const struct sm_case *sc = test->param_value;
	struct ctx_test *c = ctx_new_cap(test, CAP_ALL | sc->cap, sc->ecap);
	u64 pdt = fg_table(c->m), ptt = fg_table(c->m);
	u64 ce[4], pte[8] = { 0x5000 | PTE_AW(2) | PTE_PGTT(2) | VTD_PTE_P, 7 };
	struct pviommu_context ctx;
	unsigned int k;
	u32 pasid;
	u64 rtaddr;

	ce[0] = (pdt | VTD_SCE_P) ^ sc->ce[0];
	for (k = 1; k < 4; k++)
		ce[k] = sc->ce[k];
	for (k = 0; k < 8; k++)
		pte[k] ^= sc->pte[k];
	pasid = FIELD_GET(VTD_SCE_RID_PASID, ce[1]);
	rtaddr = sm_set(c, (c->ctp | VTD_SRE_P) ^ sc->re, ce, pdt,
			(ptt | VTD_PDE_P) ^ sc->pde, pte, pasid);

	pviommu_read_context(&c->caps, fg_read, c->m, rtaddr, CTX_SID, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, sc->fault);
	KUNIT_EXPECT_TRUE(test, ctx.scalable);
	if (sc->fault)
		return;
	KUNIT_EXPECT_EQ(test, ctx.pass_through, sc->pt);
	KUNIT_EXPECT_EQ(test, ctx.fpd, sc->fpd);
	KUNIT_EXPECT_EQ(test, ctx.did, 7);
	KUNIT_EXPECT_EQ(test, ctx.pasid, sc->pasid);
	KUNIT_EXPECT_EQ(test, ctx.first_stage, sc->fs);
	if (!sc->pt) {
		KUNIT_EXPECT_EQ(test, ctx.levels, sc->levels);
		KUNIT_EXPECT_EQ(test, ctx.root, 0x5000);
	}
}

/*
 * Scalable mode: devfn 128-255 use the root entry's upper half; each
 * structure outside guest RAM has its own fault reason.
 */
static void pt_test_sm_tables(struct kunit *test)
{
	struct ctx_test *c = ctx_new(test, ECAP_SM);
	u64 pdt = fg_table(c->m), ptt = fg_table(c->m), hole = 0x7f000000;
	u64 ce[4] = { pdt | VTD_SCE_P };
	u64 pte[8] = { 0x5000 | PTE_AW(2) | PTE_PGTT(2) | VTD_PTE_P, 7 };
	u64 rtaddr = sm_set(c, c->ctp | VTD_SRE_P, ce, pdt, ptt | VTD_PDE_P,
			    pte, 0);
	struct pviommu_context ctx;

	/* Devfn 0x98 is in the upper half, not present. */
	pviommu_read_context(&c->caps, fg_read, c->m, rtaddr,
			     (CTX_SID & 0xff00) | 0x98, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, VTD_FR_SM_ROOT_ENTRY_P);
	fg_set(c->m, c->rta, 2 * (CTX_SID >> 8) + 1, c->ctp | VTD_SRE_P);
	pviommu_read_context(&c->caps, fg_read, c->m, rtaddr,
			     (CTX_SID & 0xff00) | 0x98, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, 0);	/* entry 0x18 of the table */

	pviommu_read_context(&c->caps, fg_read, c->m,
			     hole | (u64)VTD_TTM_SCALABLE << 10, CTX_SID, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, VTD_FR_SM_ROOT_ENTRY_INV);
	sm_set(c, hole | VTD_SRE_P, ce, pdt, ptt | VTD_PDE_P, pte, 0);
	pviommu_read_context(&c->caps, fg_read, c->m, rtaddr, CTX_SID, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, VTD_FR_SM_CONTEXT_ENTRY_INV);
	ce[0] = hole | VTD_SCE_P;
	sm_set(c, c->ctp | VTD_SRE_P, ce, pdt, ptt | VTD_PDE_P, pte, 0);
	pviommu_read_context(&c->caps, fg_read, c->m, rtaddr, CTX_SID, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, VTD_FR_SM_PDE_INV);
	ce[0] = pdt | VTD_SCE_P;
	sm_set(c, c->ctp | VTD_SRE_P, ce, pdt, ptt | VTD_PDE_P, pte, 0);
	fg_set(c->m, pdt, 0, hole | VTD_PDE_P);
	pviommu_read_context(&c->caps, fg_read, c->m, rtaddr, CTX_SID, &ctx);
	KUNIT_EXPECT_EQ(test, ctx.fault, VTD_FR_SM_PTE_INV);
	KUNIT_EXPECT_FALSE(test, pviommu_fault_not_present(ctx.fault));
	KUNIT_EXPECT_TRUE(test, pviommu_fault_not_present(VTD_FR_SM_PTE_P));
}

static struct kunit_case pt_test_cases[] = {
	KUNIT_CASE(pt_test_levels),
	KUNIT_CASE(pt_test_large),
	KUNIT_CASE(pt_test_walk_last),
	KUNIT_CASE(pt_test_perm),
	KUNIT_CASE(pt_test_holes_and_range),
	KUNIT_CASE(pt_test_sparse),
	KUNIT_CASE(pt_test_self_reference),
	KUNIT_CASE(pt_test_budget_exact),
	KUNIT_CASE_PARAM(pt_test_reserved, rsvd_gen_params),
	KUNIT_CASE(pt_test_outside_ram),
	KUNIT_CASE(pt_test_top_and_mgaw),
	KUNIT_CASE(pt_test_first_stage),
	KUNIT_CASE_PARAM(pt_test_context, ctx_gen_params),
	KUNIT_CASE(pt_test_context_tables),
	KUNIT_CASE_PARAM(pt_test_sm_context, sm_gen_params),
	KUNIT_CASE(pt_test_sm_tables),
	{}
};

static struct kunit_suite pt_test_suite = {
	.name = "pviommu_guest_pt",
	.test_cases = pt_test_cases,
};

kunit_test_suite(pt_test_suite);
