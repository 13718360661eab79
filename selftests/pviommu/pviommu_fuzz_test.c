// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded fuzzer for pviommu on the real module: random guest table
 * changes (4K and 2M leaves, reserved bits, whole directories dropped),
 * random context changes (another domain, not present, pass-through),
 * random invalidations and random raw descriptors, random SET_ROOT, RAM
 * slot add and removal, QUERY and fault draining, in one context with an
 * edu attached. Every CHECK_EVERY steps the guest syncs everything (global
 * context-cache and IOTLB invalidations) and the test compares the shadow,
 * page by page through QUERY, with a reference lookup of the guest's
 * tables written here; pins must equal the pages mapped, and the edu's
 * DMA must land through a writable mapping. The VM's run fails on any
 * kernel splat.
 *
 * PVIOMMU_FUZZ_SECONDS bounds the run (default 10); PVIOMMU_FUZZ_SEED
 * picks the seed (default: from the time; printed either way).
 */
#include <stdlib.h>
#include <time.h>

#include "pviommu_guest.h"
#include "pviommu_utils.h"

#define RAM_SIZE	(16ULL << 20)
#define DATA		(8ULL << 20)	/* tables below, leaves point above */
#define EXTRA_GPA	RAM_SIZE	/* an extra slot comes and goes here */
#define EXTRA_SIZE	(1024ULL * 1024)
#define SID_A		0x0100
#define NR_DOMS		3
#define REGIONS		4		/* 2M regions of IOVA, from 0 */
#define WINDOW		(REGIONS * (2ULL << 20))
#define CHECK_EVERY	25
#define RSVD_HI		(0xfULL << 48)	/* above the 48-bit HAW */
#define LEN		256

enum { CTX_NONE = -1, CTX_PT = -2 };

struct fz {
	int fd;
	struct pvg g;
	struct pvv v;
	struct edu e;
	int edu;
	__u32 hbdf;
	__u64 root[NR_DOMS];
	int ctx;		/* domain of SID_A, or CTX_NONE, CTX_PT */
	__u8 *extra;		/* the extra slot's memory, mapped */
	int extra_fd;
	int extra_added;
	unsigned int seed;
	long long pinned0;
};

FIXTURE(fuzz) {
	struct fz f;
};

FIXTURE_SETUP(fuzz)
{
	struct fz *f = &self->f;
	const char *bdf = getenv("PVIOMMU_TEST_DEVICE");
	int d;

	f->fd = -1;
	f->g.memfd = -1;
	f->v.container = -1;
	f->v.group = -1;
	f->extra_fd = -1;
	if (!bdf || !*bdf)
		SKIP(return, "PVIOMMU_TEST_DEVICE not set");
	f->edu = edu_is(bdf);
	if (!f->edu)
		SKIP(return, "%s is not an edu device", bdf);
	f->pinned0 = pvg_global_pinned();
	ASSERT_EQ(0, pvg_parse_bdf(bdf, &f->hbdf));
	f->fd = open(PVIOMMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, f->fd);
	ASSERT_EQ(0, pvg_init(&f->g, f->fd, RAM_SIZE));
	ASSERT_EQ(0, pvv_open(&f->v, bdf, f->fd));
	for (d = 0; d < NR_DOMS; d++)
		f->root[d] = pvg_table(&f->g);
	pvg_context(&f->g, SID_A, 1, f->root[0], 0);
	f->ctx = 0;
	ASSERT_EQ(0, pvg_attach(&f->g, f->hbdf, SID_A));
	ASSERT_EQ(0, edu_open(&f->e, &f->v, bdf));
	f->extra_fd = memfd_create("extra", MFD_CLOEXEC);
	ASSERT_LE(0, f->extra_fd);
	ASSERT_EQ(0, ftruncate(f->extra_fd, EXTRA_SIZE));
	f->extra = mmap(NULL, EXTRA_SIZE, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_POPULATE, f->extra_fd, 0);
	ASSERT_NE(MAP_FAILED, f->extra);
}

FIXTURE_TEARDOWN(fuzz)
{
	struct fz *f = &self->f;

	if (f->fd >= 0) {
		edu_close(&f->e);
		close(f->fd);
	}
	pvv_close(&f->v);
	pvg_fini(&f->g);
	if (f->extra_fd >= 0)
		close(f->extra_fd);
	if (f->fd >= 0 && f->pinned0 >= 0)
		EXPECT_EQ(f->pinned0, pvg_global_pinned());
}

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)random() % n;
}

static __u64 rnd64(void)
{
	return (__u64)random() << 42 ^ (__u64)random() << 21 ^ random();
}

/*
 * The reference: the guest's translation of @iova from @root, read from
 * guest RAM as VT-d's second-level lookup does it: R and W of every level
 * ANDed, PS ending it at level 2 (2M) or 3 (1G), an entry with a reserved
 * bit (an address above the HAW, a large page's unaligned address, PS at
 * level 4) or a table outside guest RAM translating nothing.
 * Returns the permissions, 0 for none, with the GPA in @gpa and the size
 * of the leaf in @size.
 */
static unsigned int ref_lookup(struct pvg *g, __u64 root, __u64 iova,
			       __u64 *gpa, __u64 *size)
{
	__u64 table = root;
	unsigned int perm = PVG_RW;
	int level;

	for (level = PVG_LEVELS; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		__u64 pte, addr;

		if (table + PVG_PAGE > g->ram_size)
			return 0;
		pte = pvg_u64(g, table)[(iova >> shift) & 511];
		if (!(pte & PVG_RW))
			return 0;
		if (pte & RSVD_HI)
			return 0;
		perm &= pte & PVG_RW;
		if (level == 1 || (pte & PVG_PS)) {
			if (level == PVG_LEVELS)
				return 0;
			addr = pte & ((1ULL << 48) - 1) & ~0xfffULL;
			if (addr & ((1ULL << shift) - 1))
				return 0;
			*gpa = addr + (iova & ((1ULL << shift) - 1));
			*size = 1ULL << shift;
			return perm;
		}
		table = pte & ((1ULL << 48) - 1) & ~0xfffULL;
	}
	return 0;
}

/* The RAM slot of @gpa: 1 the main one, 2 the extra one, 0 none. */
static int fz_slot(struct fz *f, __u64 gpa)
{
	if (gpa < RAM_SIZE)
		return 1;
	if (f->extra_added && gpa >= EXTRA_GPA &&
	    gpa < EXTRA_GPA + EXTRA_SIZE)
		return 2;
	return 0;
}

/* The host page behind guest page @gpa. */
static __u64 fz_phys(struct fz *f, __u64 gpa)
{
	if (fz_slot(f, gpa) == 1)
		return pvg_phys(f->g.ram + gpa);
	return pvg_phys(f->extra + gpa - EXTRA_GPA);
}

/* A GPA for a leaf: mostly data pages, sometimes beyond RAM. */
static __u64 rnd_gpa(__u64 align)
{
	__u64 span = RAM_SIZE + EXTRA_SIZE + (2ULL << 20) - DATA;

	return (DATA + rnd64() % span) & ~(align - 1);
}

/* A new table, or 0 when the room for tables is used up. */
static __u64 fz_table(struct pvg *g)
{
	return g->next_table + PVG_PAGE <= DATA ? pvg_table(g) : 0;
}

/*
 * Set the 4K leaf of @iova to @pte, replacing a 2M leaf or an erroneous
 * directory entry on the way by a new table. Returns -1 without room.
 */
static int fz_set_4k(struct pvg *g, __u64 root, __u64 iova, __u64 pte)
{
	__u64 table = root, *e;
	int l;

	for (l = PVG_LEVELS; l > 1; l--) {
		e = &pvg_u64(g, table)[(iova >> (12 + 9 * (l - 1))) & 511];
		if (!(*e & PVG_RW) || (*e & (PVG_PS | RSVD_HI))) {
			__u64 t = fz_table(g);

			if (!t)
				return -1;
			*e = t | PVG_RW;
		}
		table = *e & ~0xfffULL;
	}
	pvg_u64(g, table)[(iova >> 12) & 511] = pte;
	return 0;
}

/* One random change or call; 0, or -1 when the kernel said what it may not. */
static int fz_step(struct fz *f, const char **what)
{
	struct pvg *g = &f->g;
	int dom = rnd(NR_DOMS), r = rnd(REGIONS), rc;
	__u64 iova = (__u64)r << 21, pte, d[4];
	struct pviommu_fault faults[16];
	struct pviommu_query q;

	switch (rnd(16)) {
	case 0 ... 5:
		*what = "4K leaf";
		iova += (__u64)rnd(512) << 12;
		pte = rnd(4) ? rnd_gpa(PVG_PAGE) | rnd(4) : 0;
		if (!rnd(20))
			pte |= 1ULL << (48 + rnd(4));
		if (fz_set_4k(g, f->root[dom], iova, pte))
			return 0;	/* no room for a table */
		if (rnd(3)) {
			pvg_psi(d, dom + 1, iova, rnd(3) ? 0 : rnd(10), 0);
			d[1] &= ~((1ULL << (12 + (d[1] & 63))) - 1) | 127;
			return pvg_invalidate_all(g, d, 1, NULL) ? -1 : 0;
		}
		return 0;
	case 6:
	case 7:
		*what = "2M leaf or directory";
		switch (rnd(3)) {
		case 0:
			pte = 0;
			break;
		case 1:
			pte = rnd_gpa(rnd(8) ? 2ULL << 20 : PVG_PAGE) |
			      PVG_PS | rnd(4);
			break;
		default:
			pte = fz_table(g);
			pte |= pte ? PVG_RW : 0;
			break;
		}
		pvg_set_leaf(g, f->root[dom], iova, 2, pte);
		pvg_psi(d, dom + 1, iova, 9, 0);
		return pvg_invalidate_all(g, d, 1, NULL) ? -1 : 0;
	case 8:
		*what = "invalidation";
		switch (rnd(3)) {
		case 0:		/* domain-selective */
			d[0] = 0x2 | 2 << 4 | (__u64)(dom + 1) << 16;
			d[1] = 0;
			break;
		case 1:		/* global */
			d[0] = 0x2 | 1 << 4;
			d[1] = 0;
			break;
		default:
			pvg_psi(d, dom + 1, iova, rnd(19), rnd(2));
			d[1] &= ~((1ULL << (12 + (d[1] & 63))) - 1) | 127;
			break;
		}
		return pvg_invalidate_all(g, d, 1, NULL) ? -1 : 0;
	case 9:
	case 10:
		*what = "context";
		switch (rnd(4)) {
		case 0:
			pvg_context(g, SID_A, 0, 0, 0);
			f->ctx = CTX_NONE;
			break;
		case 1:
			pvg_context(g, SID_A, 9, 0, 2);
			f->ctx = CTX_PT;
			break;
		default:
			pvg_context(g, SID_A, dom + 1, f->root[dom], 0);
			f->ctx = dom;
			break;
		}
		return pvg_context_flush(g, SID_A) ? -1 : 0;
	case 11:
		/* Anything: the guest's error stops the queue, nothing else. */
		*what = "raw descriptor";
		d[0] = rnd(2) ? rnd64() : (rnd64() & ~0xfULL) | (1 + rnd(7));
		d[1] = rnd64();
		rc = pvg_invalidate_all(g, d, 1, NULL);
		return rc && rc != EINVAL && rc != EFAULT ? -1 : 0;
	case 12:
		*what = "SET_ROOT";
		{
			struct pviommu_root root = {
				.size = sizeof(root),
				.rtaddr = rnd(2) ? rnd64() : rnd_gpa(PVG_PAGE),
			};

			if (!ioctl(g->fd, PVIOMMU_SET_ROOT, &root) ||
			    errno == EINVAL || errno == EOPNOTSUPP)
				return 0;
			return -1;
		}
	case 13:
		*what = "RAM slot";
		if (f->extra_added) {
			struct pviommu_ram ram = {
				.size = sizeof(ram), .gpa = EXTRA_GPA,
				.length = EXTRA_SIZE,
			};

			if (ioctl(g->fd, PVIOMMU_RAM_REMOVE, &ram))
				return -1;
		} else {
			struct pviommu_ram ram = {
				.size = sizeof(ram), .gpa = EXTRA_GPA,
				.length = EXTRA_SIZE,
				.uaddr = (uintptr_t)f->extra,
			};

			if (ioctl(g->fd, PVIOMMU_RAM_ADD, &ram))
				return -1;
		}
		f->extra_added = !f->extra_added;
		return 0;
	case 14:
		*what = "QUERY";
		rc = pvg_query(g, rnd(2) ? SID_A : rnd(65536), rnd64(), &q);
		return rc && rc != -ENOENT && rc != -ENODEV ? -1 : 0;
	default:
		*what = "GET_FAULTS";
		return pvg_faults(g->fd, faults, 16) < 0 ? -1 : 0;
	}
}

/*
 * After a full sync: QUERY of every page of the window equals the
 * reference, over the right host page; pins equal pages mapped; DMA lands
 * through a writable page. Returns the number of differences.
 */
static int fz_check(struct __test_metadata *_metadata,
		    struct fz *f)
{
	struct pvg *g = &f->g;
	struct pviommu_root root = { .size = sizeof(root), .rtaddr = g->rta };
	__u64 iova, gpa, size, leaf, pages = 0, rw = ~0ULL, rw_gpa = 0;
	struct pviommu_stats st;
	struct pviommu_query q;
	unsigned int perm;
	int bad = 0;

	EXPECT_EQ(0, ioctl(g->fd, PVIOMMU_SET_ROOT, &root));
	EXPECT_EQ(0, pvg_global_flush(g));
	for (iova = 0; iova < WINDOW; iova += PVG_PAGE) {
		int rc = pvg_query(g, SID_A, iova, &q);

		perm = 0;
		gpa = iova;
		size = PVG_PAGE;
		if (f->ctx == CTX_PT)
			perm = PVG_RW;
		else if (f->ctx >= 0)
			perm = ref_lookup(g, f->root[f->ctx], iova, &gpa,
					  &size);
		/* A leaf not wholly in one RAM slot is left unmapped. */
		leaf = gpa & ~(size - 1);
		if (!fz_slot(f, leaf) ||
		    fz_slot(f, leaf) != fz_slot(f, leaf + size - 1))
			perm = 0;
		if (!perm) {
			if (!rc) {
				TH_LOG("iova %llx mapped (gpa %llx), %s",
				       (unsigned long long)iova,
				       (unsigned long long)q.out_gpa,
				       "the guest does not map it");
				bad++;
			}
			continue;
		}
		pages++;
		if (rc || q.out_gpa + (iova - q.out_start) != gpa ||
		    q.out_perm != perm || q.out_phys != fz_phys(f, gpa)) {
			TH_LOG("iova %llx: %s gpa %llx perm %u phys %llx, %s %llx perm %u",
			       (unsigned long long)iova, rc ? "unmapped," : "",
			       (unsigned long long)(q.out_gpa + iova - q.out_start),
			       q.out_perm, (unsigned long long)q.out_phys,
			       "the guest maps gpa", (unsigned long long)gpa,
			       perm);
			bad++;
			continue;
		}
		if (perm == PVG_RW && gpa < RAM_SIZE && rw == ~0ULL) {
			rw = iova;
			rw_gpa = gpa;
		}
	}
	EXPECT_EQ(0, pvg_stats(g->fd, &st));
	if (f->ctx == CTX_PT)
		pages = (RAM_SIZE + (f->extra_added ? EXTRA_SIZE : 0)) /
			PVG_PAGE;
	if (st.out_pinned_pages != pages) {
		TH_LOG("%llu pages pinned, %llu mapped",
		       (unsigned long long)st.out_pinned_pages,
		       (unsigned long long)pages);
		bad++;
	}
	if (rw != ~0ULL) {
		pvg_pattern(f->g.ram + rw_gpa, LEN, 9);
		memset(f->g.ram + rw_gpa + LEN, 0, LEN);
		EXPECT_EQ(0, edu_copy(&f->e, rw, rw + LEN, LEN));
		if (!pvg_is_pattern(f->g.ram + rw_gpa + LEN, LEN, 9)) {
			TH_LOG("DMA through iova %llx did not land",
			       (unsigned long long)rw);
			bad++;
		}
	}
	return bad;
}

TEST_F_TIMEOUT(fuzz, random, 600)
{
	struct fz *f = &self->f;
	const char *s = getenv("PVIOMMU_FUZZ_SECONDS");
	const char *seed = getenv("PVIOMMU_FUZZ_SEED");
	unsigned long steps = 0, checks = 0;
	time_t end = time(NULL) + (s && *s ? atoi(s) : 10);
	const char *what = "";

	f->seed = seed && *seed ? strtoul(seed, NULL, 0) :
		     (unsigned int)time(NULL);
	srandom(f->seed);
	TH_LOG("seed %u (PVIOMMU_FUZZ_SEED)", f->seed);
	while (time(NULL) < end) {
		ASSERT_EQ(0, fz_step(f, &what))
			TH_LOG("seed %u step %lu (%s): errno %d", f->seed,
			       steps, what, errno);
		if (!(++steps % CHECK_EVERY)) {
			checks++;
			ASSERT_EQ(0, fz_check(_metadata, f))
				TH_LOG("seed %u, check after step %lu",
				       f->seed, steps);
		}
	}
	checks++;
	ASSERT_EQ(0, fz_check(_metadata, f))
		TH_LOG("seed %u, final check after step %lu", f->seed,
		       steps);
	TH_LOG("%lu steps, %lu checks", steps, checks);
	EXPECT_LT(CHECK_EVERY, steps);
}

TEST_HARNESS_MAIN
