// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for guest capabilities and descriptor decoding (qi.c).
 *
 * One table row per behaviour: the raw descriptor, the guest's
 * capabilities, and the expected decode (an error, or the action's fields).
 */
#include <kunit/test.h>

#include "../core.h"
#include "fake_guest.h"

/* Capabilities like QEMU's intel-iommu,caching-mode=on,aw-bits=48. */
#define CAP_STD	(VTD_CAP_CM | SAGAW(0x6) | MGAW(48) | VTD_CAP_SLLPS_2M |	\
		 VTD_CAP_SLLPS_1G | VTD_CAP_PSI | MAMV(18) | 6)
#define ECAP_STD	(VTD_ECAP_QI | VTD_ECAP_DT | VTD_ECAP_PT)

enum qi_caps {
	CAPS_STD,	/* the above */
	CAPS_SM,	/* plus scalable mode */
	CAPS_NOPSI,	/* no page-selective invalidation */
	CAPS_PDS,	/* page-request drain supported */
	CAPS_ND0,	/* 16 domain IDs */
};

static void qi_caps(struct kunit *test, enum qi_caps which,
		    struct pviommu_caps *caps)
{
	u64 cap = CAP_STD, ecap = ECAP_STD;

	switch (which) {
	case CAPS_SM:
		ecap |= VTD_ECAP_SMTS;
		break;
	case CAPS_NOPSI:
		cap &= ~VTD_CAP_PSI;
		break;
	case CAPS_PDS:
		ecap |= VTD_ECAP_PDS;
		break;
	case CAPS_ND0:
		cap &= ~VTD_CAP_ND;
		break;
	default:
		break;
	}
	KUNIT_ASSERT_EQ(test, pviommu_caps_init(caps, cap, ecap, 48), 0);
}

#define SW	VTD_QI_WAIT_SW
#define IF	VTD_QI_WAIT_IF
#define FN	VTD_QI_WAIT_FN
#define PD	VTD_QI_WAIT_PD

struct qi_case {
	const char *name;
	u64 d[4];
	bool wide;
	enum qi_caps caps;
	enum pviommu_qi_error err;
	struct pviommu_qi_action want;	/* when err is PVIOMMU_QI_OK */
};

#define OK_(...)	.err = PVIOMMU_QI_OK, .want = { __VA_ARGS__ }
#define BAD(e)		.err = PVIOMMU_QI_BAD_##e

static const struct qi_case qi_cases[] = {
	/* context-cache */
	{ "cc global", { CC(1, 0, 0, 0) },
	  OK_(.op = PVIOMMU_QI_CONTEXT, .scope = PVIOMMU_SCOPE_GLOBAL) },
	{ "cc domain", { CC(2, 7, 0, 0) },
	  OK_(.op = PVIOMMU_QI_CONTEXT, .scope = PVIOMMU_SCOPE_DOMAIN,
	      .did = 7) },
	{ "cc device did 0", { CC(3, 0, 0x0318, 0) },
	  OK_(.op = PVIOMMU_QI_CONTEXT, .scope = PVIOMMU_SCOPE_DEVICE,
	      .sid = 0x0318) },
	{ "cc device fm 3", { CC(3, 9, 0xff07, 3) },
	  OK_(.op = PVIOMMU_QI_CONTEXT, .scope = PVIOMMU_SCOPE_DEVICE,
	      .did = 9, .sid = 0xff07, .fm = 3) },
	{ "cc device did beyond ND", { CC(3, 0xffff, 1, 0) }, .caps = CAPS_ND0,
	  OK_(.op = PVIOMMU_QI_CONTEXT, .scope = PVIOMMU_SCOPE_DEVICE,
	      .did = 0xffff, .sid = 1) },
	{ "cc G=0", { CC(0, 0, 0, 0) }, BAD(GRAN) },
	{ "cc rsvd bit 6", { CC(1, 0, 0, 0) | BIT_ULL(6) }, BAD(RSVD) },
	{ "cc rsvd bit 8", { CC(1, 0, 0, 0) | BIT_ULL(8) }, BAD(RSVD) },
	{ "cc rsvd bit 12", { CC(1, 0, 0, 0) | BIT_ULL(12) }, BAD(RSVD) },
	{ "cc rsvd bit 50", { CC(1, 0, 0, 0) | BIT_ULL(50) }, BAD(RSVD) },
	{ "cc rsvd bit 63", { CC(1, 0, 0, 0) | BIT_ULL(63) }, BAD(RSVD) },
	{ "cc rsvd qw1", { CC(1, 0, 0, 0), 1 }, BAD(RSVD) },
	{ "cc domain did beyond ND", { CC(2, 16, 0, 0) }, .caps = CAPS_ND0,
	  BAD(DID) },
	{ "cc domain did at ND", { CC(2, 15, 0, 0) }, .caps = CAPS_ND0,
	  OK_(.op = PVIOMMU_QI_CONTEXT, .scope = PVIOMMU_SCOPE_DOMAIN,
	      .did = 15) },

	/* IOTLB */
	{ "iotlb global", { IOTLB(1, 0) },
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_GLOBAL) },
	{ "iotlb domain", { IOTLB(2, 3) },
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_DOMAIN,
	      .did = 3) },
	{ "iotlb domain ignores qw1 address", { IOTLB(2, 3), 0x12345000 },
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_DOMAIN,
	      .did = 3) },
	{ "iotlb psi am 0", { IOTLB(3, 1), PSI1(0xabc000, 0, 0) },
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_PAGE, .did = 1,
	      .start = 0xabc000, .last = 0xabcfff) },
	{ "iotlb psi am 9 ih", { IOTLB(3, 2), PSI1(0x40000000, 1, 9) },
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_PAGE, .did = 2,
	      .ih = true, .start = 0x40000000, .last = 0x401fffff) },
	{ "iotlb psi am = mamv", { IOTLB(3, 2), PSI1(0x40000000, 0, 18) },
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_PAGE, .did = 2,
	      .start = 0x40000000, .last = 0x7fffffff) },
	{ "iotlb psi am > mamv", { IOTLB(3, 2), PSI1(0, 0, 19) }, BAD(AM) },
	{ "iotlb psi am 63", { IOTLB(3, 2), PSI1(0, 0, 63) }, BAD(AM) },
	/* Linux 6.1: the range's first page, AM widened to cover it. */
	{ "iotlb psi unaligned: low bits ignored", { IOTLB(3, 2),
	  PSI1(0x7000, 0, 2) },
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_PAGE, .did = 2,
	      .start = 0x4000, .last = 0x7fff) },
	{ "iotlb psi bits above MGAW ignored", { IOTLB(3, 2),
	  PSI1(~0xfffULL, 0, 0) },
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_PAGE, .did = 2,
	      .start = 0xfffffffff000ULL, .last = 0xffffffffffffULL) },
	{ "iotlb psi without CAP.PSI widens", { IOTLB(3, 4),
	  PSI1(0x1000, 1, 0) }, .caps = CAPS_NOPSI,
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_DOMAIN,
	      .did = 4, .ih = true) },
	{ "iotlb no drain hints", { IOTLB(1, 0) & ~(VTD_QI_IOTLB_DR |
						    VTD_QI_IOTLB_DW) },
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_GLOBAL) },
	{ "iotlb G=0", { IOTLB(0, 0) }, BAD(GRAN) },
	{ "iotlb rsvd bit 8", { IOTLB(1, 0) | BIT_ULL(8) }, BAD(RSVD) },
	{ "iotlb rsvd bit 15", { IOTLB(1, 0) | BIT_ULL(15) }, BAD(RSVD) },
	{ "iotlb rsvd bit 32", { IOTLB(1, 0) | BIT_ULL(32) }, BAD(RSVD) },
	{ "iotlb rsvd qw1 bit 7", { IOTLB(3, 1), PSI1(0, 0, 0) | BIT_ULL(7) },
	  BAD(RSVD) },
	{ "iotlb rsvd qw1 bit 11", { IOTLB(2, 1), BIT_ULL(11) }, BAD(RSVD) },
	{ "iotlb dsi did beyond ND", { IOTLB(2, 16) }, .caps = CAPS_ND0,
	  BAD(DID) },
	{ "iotlb psi did beyond ND", { IOTLB(3, 16), 0 }, .caps = CAPS_ND0,
	  BAD(DID) },

	/* device-TLB */
	{ "devtlb", { DEVTLB(0x0100, 0x0100, 0), 0x5000 | VTD_QI_DEV_S },
	  OK_(.op = PVIOMMU_QI_NOP) },
	{ "devtlb pfsid and qdep", { DEVTLB(0x0101, 0xabcd, 31), 0 },
	  OK_(.op = PVIOMMU_QI_NOP) },
	{ "devtlb rsvd bit 4", { DEVTLB(1, 0, 0) | BIT_ULL(4) }, BAD(RSVD) },
	{ "devtlb rsvd bit 21", { DEVTLB(1, 0, 0) | BIT_ULL(21) }, BAD(RSVD) },
	{ "devtlb rsvd bit 48", { DEVTLB(1, 0, 0) | BIT_ULL(48) }, BAD(RSVD) },
	{ "devtlb rsvd qw1 bit 1", { DEVTLB(1, 0, 0), BIT_ULL(1) }, BAD(RSVD) },

	/* interrupt entry cache */
	{ "iec global", { IEC(0, 0, 0) }, OK_(.op = PVIOMMU_QI_NOP) },
	{ "iec index", { IEC(1, 3, 0x1234) }, OK_(.op = PVIOMMU_QI_NOP) },
	{ "iec rsvd bit 5", { IEC(0, 0, 0) | BIT_ULL(5) }, BAD(RSVD) },
	{ "iec rsvd bit 12", { IEC(0, 0, 0) | BIT_ULL(12) }, BAD(RSVD) },
	{ "iec rsvd bit 48", { IEC(0, 0, 0) | BIT_ULL(48) }, BAD(RSVD) },
	{ "iec rsvd qw1", { IEC(0, 0, 0), BIT_ULL(63) }, BAD(RSVD) },

	/* invalidation wait */
	{ "wait sw", { WAIT(SW, 2), 0x7ff01234 },
	  OK_(.op = PVIOMMU_QI_WAIT, .status_write = true, .status_data = 2,
	      .status_addr = 0x7ff01234) },
	{ "wait if fn", { WAIT(IF | FN, 0), 0 },
	  OK_(.op = PVIOMMU_QI_WAIT, .interrupt = true, .fence = true) },
	{ "wait data all ones", { WAIT(SW, 0xffffffff), 0xfffffffffffffffcULL },
	  OK_(.op = PVIOMMU_QI_WAIT, .status_write = true, .status_data = 0xffffffff,
	      .status_addr = 0xfffffffffffffffcULL) },
	{ "wait pd without PDS", { WAIT(PD, 0), 0 }, BAD(RSVD) },
	{ "wait pd with PDS", { WAIT(PD, 0), 0 }, .caps = CAPS_PDS,
	  OK_(.op = PVIOMMU_QI_WAIT) },
	{ "wait rsvd bit 8", { WAIT(SW | BIT_ULL(8), 0), 0 }, BAD(RSVD) },
	{ "wait rsvd bit 20", { WAIT(SW | BIT_ULL(20), 0), 0 }, BAD(RSVD) },
	{ "wait status addr unaligned", { WAIT(SW, 1), 0x1001 }, BAD(RSVD) },
	{ "wait status addr bit 1", { WAIT(SW, 1), 0x1002 }, BAD(RSVD) },

	/* PASID-based IOTLB */
	{ "piotlb pasid", { PIOTLB(2, 5, 0) }, .caps = CAPS_SM,
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_PASID, .did = 5,
	      .has_pasid = true) },
	{ "piotlb page", { PIOTLB(3, 5, 0xfffff), PSI1(0x200000, 1, 9) },
	  .caps = CAPS_SM,
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_PAGE, .did = 5,
	      .has_pasid = true, .pasid = 0xfffff, .ih = true,
	      .start = 0x200000, .last = 0x3fffff) },
	{ "piotlb page unaligned", { PIOTLB(3, 5, 0), PSI1(0x1000, 0, 2) },
	  .caps = CAPS_SM,
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_PAGE, .did = 5,
	      .has_pasid = true, .start = 0, .last = 0x3fff) },
	{ "piotlb G=0", { PIOTLB(0, 5, 0) }, .caps = CAPS_SM, BAD(GRAN) },
	{ "piotlb G=1", { PIOTLB(1, 5, 0) }, .caps = CAPS_SM, BAD(GRAN) },
	{ "piotlb rsvd bit 52", { PIOTLB(2, 5, 0) | BIT_ULL(52) },
	  .caps = CAPS_SM, BAD(RSVD) },
	{ "piotlb rsvd bit 6", { PIOTLB(2, 5, 0) | BIT_ULL(6) },
	  .caps = CAPS_SM, BAD(RSVD) },
	{ "piotlb rsvd qw1", { PIOTLB(3, 5, 0), BIT_ULL(10) },
	  .caps = CAPS_SM, BAD(RSVD) },
	{ "piotlb without scalable mode", { PIOTLB(2, 5, 0) }, BAD(TYPE) },

	/* PASID cache */
	{ "pc domain", { PC(0, 8, 0) }, .caps = CAPS_SM,
	  OK_(.op = PVIOMMU_QI_PASID_CACHE, .scope = PVIOMMU_SCOPE_DOMAIN,
	      .did = 8) },
	{ "pc pasid", { PC(1, 8, 77) }, .caps = CAPS_SM,
	  OK_(.op = PVIOMMU_QI_PASID_CACHE, .scope = PVIOMMU_SCOPE_PASID,
	      .did = 8, .has_pasid = true, .pasid = 77) },
	{ "pc global", { PC(3, 0, 0) }, .caps = CAPS_SM,
	  OK_(.op = PVIOMMU_QI_PASID_CACHE, .scope = PVIOMMU_SCOPE_GLOBAL) },
	{ "pc G=2", { PC(2, 8, 0) }, .caps = CAPS_SM, BAD(GRAN) },
	{ "pc rsvd qw1", { PC(3, 0, 0), 1 }, .caps = CAPS_SM, BAD(RSVD) },
	{ "pc rsvd bit 13", { PC(3, 0, 0) | BIT_ULL(13) }, .caps = CAPS_SM,
	  BAD(RSVD) },
	{ "pc without scalable mode", { PC(3, 0, 0) }, BAD(TYPE) },

	/* PASID-based device-TLB */
	{ "pdevtlb", { PDEVTLB(0x100, 3), 0x1000 | VTD_QI_PDEV_G },
	  .caps = CAPS_SM, OK_(.op = PVIOMMU_QI_NOP) },
	{ "pdevtlb rsvd qw1", { PDEVTLB(0x100, 3), BIT_ULL(1) },
	  .caps = CAPS_SM, BAD(RSVD) },
	{ "pdevtlb without scalable mode", { PDEVTLB(0x100, 3) }, BAD(TYPE) },

	/* types */
	{ "type 0", { 0 }, BAD(TYPE) },
	{ "type 9 page group response", { 0x9 }, .caps = CAPS_SM, BAD(TYPE) },
	{ "type 0xf", { 0xf }, BAD(TYPE) },
	{ "type bits 11:9 make 0x12", { IOTLB(1, 0) | BIT_ULL(9) },
	  BAD(TYPE) },
	{ "type bits 11:9 make 0x71", { CC(1, 0, 0, 0) | (7ULL << 9) },
	  BAD(TYPE) },

	/* 256-bit descriptors */
	{ "wide iotlb", { IOTLB(1, 0), 0, 0, 0 }, .wide = true,
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_GLOBAL) },
	{ "wide qw2", { IOTLB(1, 0), 0, 1, 0 }, .wide = true, BAD(WIDE) },
	{ "wide qw3", { WAIT(SW, 2), 0x1000, 0, BIT_ULL(63) }, .wide = true,
	  BAD(WIDE) },
	{ "wide pc qw2", { PC(3, 0, 0), 0, 4, 0 }, .wide = true,
	  .caps = CAPS_SM, BAD(WIDE) },
	{ "narrow ignores qw2 qw3", { IOTLB(1, 0), 0, ~0ULL, ~0ULL },
	  OK_(.op = PVIOMMU_QI_IOTLB, .scope = PVIOMMU_SCOPE_GLOBAL) },
};

static void qi_case_desc(const struct qi_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(qi, qi_cases, qi_case_desc);

static void qi_test_decode(struct kunit *test)
{
	const struct qi_case *c = test->param_value;
	struct pviommu_qi_action act, want;
	struct pviommu_caps caps;

	qi_caps(test, c->caps, &caps);
	KUNIT_ASSERT_EQ(test, pviommu_qi_decode(&caps, c->d, c->wide, &act),
			c->err);
	if (c->err != PVIOMMU_QI_OK)
		return;

	/* The whole action: every field the case does not name is zero. */
	memcpy(&want, &c->want, sizeof(want));	/* padding included */
	want.type = (c->d[0] & 0xf) | ((c->d[0] >> 5) & 0x70);
	KUNIT_EXPECT_MEMEQ(test, &act, &want, sizeof(act));
}

/* Every AM from 0 to MAMV covers 2^AM pages; MAMV + 1 is invalid. */
static void qi_test_am_range(struct kunit *test)
{
	struct pviommu_qi_action act;
	struct pviommu_caps caps;
	unsigned int am;

	qi_caps(test, CAPS_STD, &caps);
	KUNIT_ASSERT_EQ(test, caps.mamv, 18);
	for (am = 0; am <= caps.mamv + 1; am++) {
		u64 addr = 1ULL << 40;
		u64 d[2] = { IOTLB(3, 1), PSI1(addr, 0, am) };
		enum pviommu_qi_error err;

		err = pviommu_qi_decode(&caps, d, false, &act);
		if (am > caps.mamv) {
			KUNIT_EXPECT_EQ(test, err, PVIOMMU_QI_BAD_AM);
			continue;
		}
		KUNIT_ASSERT_EQ_MSG(test, err, PVIOMMU_QI_OK, "am %u", am);
		KUNIT_EXPECT_EQ(test, act.start, addr);
		KUNIT_EXPECT_EQ(test, act.last - act.start + 1, 4096ULL << am);
		/*
		 * The last page of the range, as Linux 6.1 may send it, stands
		 * for the same range: the unit ignores the bits below AM.
		 */
		d[1] = PSI1(addr + (4096ULL << am) - 4096, 0, am);
		KUNIT_ASSERT_EQ(test, pviommu_qi_decode(&caps, d, false, &act),
				PVIOMMU_QI_OK);
		KUNIT_EXPECT_EQ(test, act.start, addr);
	}
}

struct caps_case {
	const char *name;
	u64 cap;
	u64 ecap;
	u32 haw;
	int ret;
};

static const struct caps_case caps_cases[] = {
	{ "standard", CAP_STD, ECAP_STD, 48, 0 },
	{ "no caching mode", CAP_STD & ~VTD_CAP_CM, ECAP_STD, 48, -EINVAL },
	{ "no queued invalidation", CAP_STD, ECAP_STD & ~VTD_ECAP_QI, 48,
	  -EINVAL },
	{ "haw 31", CAP_STD, ECAP_STD, 31, -EINVAL },
	{ "haw 32", CAP_STD, ECAP_STD, 32, 0 },
	{ "haw 52", CAP_STD, ECAP_STD, 52, 0 },
	{ "haw 53", CAP_STD, ECAP_STD, 53, -EINVAL },
	{ "mgaw 58", (CAP_STD & ~VTD_CAP_MGAW) | MGAW(58),
	  ECAP_STD, 48, -EINVAL },
	{ "mgaw 57", (CAP_STD & ~VTD_CAP_MGAW) | MGAW(57),
	  ECAP_STD, 48, 0 },
	{ "sagaw 0", CAP_STD & ~VTD_CAP_SAGAW, ECAP_STD, 48, -EINVAL },
	{ "sagaw bit 0", CAP_STD | SAGAW(1), ECAP_STD, 48,
	  -EINVAL },
	{ "sagaw bit 4", CAP_STD | SAGAW(0x10), ECAP_STD,
	  48, -EINVAL },
	{ "mamv beyond mgaw", (CAP_STD & ~VTD_CAP_MAMV) |
	  MAMV(37), ECAP_STD, 48, -EINVAL },
	{ "mamv 63 without psi", (CAP_STD & ~VTD_CAP_PSI) |
	  MAMV(63), ECAP_STD, 48, 0 },
	{ "nd 7", CAP_STD | VTD_CAP_ND, ECAP_STD, 48, -EINVAL },
};

static void caps_case_desc(const struct caps_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(caps, caps_cases, caps_case_desc);

static void qi_test_caps(struct kunit *test)
{
	const struct caps_case *c = test->param_value;
	struct pviommu_caps caps;

	KUNIT_EXPECT_EQ(test, pviommu_caps_init(&caps, c->cap, c->ecap, c->haw),
			c->ret);
}

static void qi_test_caps_fields(struct kunit *test)
{
	struct pviommu_caps caps;

	KUNIT_ASSERT_EQ(test, pviommu_caps_init(&caps, CAP_STD, ECAP_STD, 46),
			0);
	KUNIT_EXPECT_EQ(test, caps.haw, 46);
	KUNIT_EXPECT_EQ(test, caps.mgaw, 48);
	KUNIT_EXPECT_EQ(test, caps.sagaw, 0x6);
	KUNIT_EXPECT_EQ(test, caps.mamv, 18);
	KUNIT_EXPECT_EQ(test, caps.ndoms, 65536);

	KUNIT_ASSERT_EQ(test, pviommu_caps_init(&caps, CAP_STD & ~VTD_CAP_PSI,
						ECAP_STD, 48), 0);
	KUNIT_EXPECT_EQ(test, caps.mamv, 0);
	KUNIT_ASSERT_EQ(test, pviommu_caps_init(&caps, CAP_STD & ~VTD_CAP_ND,
						ECAP_STD, 48), 0);
	KUNIT_EXPECT_EQ(test, caps.ndoms, 16);
}

static struct kunit_case qi_test_cases[] = {
	KUNIT_CASE_PARAM(qi_test_decode, qi_gen_params),
	KUNIT_CASE(qi_test_am_range),
	KUNIT_CASE_PARAM(qi_test_caps, caps_gen_params),
	KUNIT_CASE(qi_test_caps_fields),
	{}
};

static struct kunit_suite qi_test_suite = {
	.name = "pviommu_qi",
	.test_cases = qi_test_cases,
};

kunit_test_suite(qi_test_suite);
