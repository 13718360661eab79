// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for guest RAM slots (guest_mem.c). Slots point at real user
 * memory (kunit_vm_mmap), so reads and writes go through copy_from_user()
 * and copy_to_user() as they do in the VMM's ioctl.
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/uaccess.h>

#include "../core.h"

#define PG		4096ULL
#define NPAGES		4
#define GPA		0x100000ULL

struct gmem_test {
	struct pviommu_gmem gm;
	u64 uaddr;	/* NPAGES pages of user memory */
};

static void gmem_test_exit_action(void *data)
{
	pviommu_gmem_destroy(data);
}

static int gmem_test_init(struct kunit *test)
{
	struct gmem_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	u8 *page = kunit_kmalloc(test, PG, GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, page);
	t->uaddr = kunit_vm_mmap(test, NULL, 0, NPAGES * PG,
				 PROT_READ | PROT_WRITE,
				 MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, t->uaddr, 0, "no user memory");
	/* Page i is filled with the byte i + 1. */
	for (i = 0; i < NPAGES; i++) {
		memset(page, i + 1, PG);
		KUNIT_ASSERT_EQ(test, copy_to_user(u64_to_user_ptr(t->uaddr +
								   i * PG),
						   page, PG), 0);
	}
	pviommu_gmem_init(&t->gm);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							gmem_test_exit_action,
							&t->gm), 0);
	test->priv = t;
	return 0;
}

/* Reads find the right page of the right slot, at any offset. */
static void gmem_test_read(struct kunit *test)
{
	struct gmem_test *t = test->priv;
	u8 *buf = kunit_kmalloc(test, PG, GFP_KERNEL);
	unsigned int i;
	u64 one;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&t->gm, GPA, 2 * PG, t->uaddr,
					       false, 8), 0);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&t->gm, 0x40000000, PG,
					       t->uaddr + 3 * PG, false, 8), 0);

	KUNIT_ASSERT_EQ(test, pviommu_gmem_read(&t->gm, GPA + PG, buf, PG), 0);
	KUNIT_EXPECT_EQ(test, buf[0], 2);
	KUNIT_EXPECT_EQ(test, buf[PG - 1], 2);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_read(&t->gm, GPA + 16, buf, 16), 0);
	KUNIT_EXPECT_EQ(test, buf[15], 1);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_read(&t->gm, 0x40000ff8, buf, 8), 0);
	KUNIT_EXPECT_EQ(test, buf[7], 4);

	/* One entry (get_user()) reads what a longer copy reads. */
	for (i = 0; i < 16; i++)
		buf[i] = i + 0x10;
	KUNIT_ASSERT_EQ(test, copy_to_user(u64_to_user_ptr(t->uaddr + 40), buf,
					   16), 0);
	memset(buf, 0, 16);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_read(&t->gm, GPA + 40, buf, 16), 0);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_read(&t->gm, GPA + 40, &one, 8), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&one, buf, 8), 0);
	KUNIT_EXPECT_EQ(test, buf[15], 0x1f);
}

/* Outside every slot, or running off a slot's end: not guest RAM. */
static void gmem_test_outside(struct kunit *test)
{
	struct gmem_test *t = test->priv;
	u8 buf[16];

	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&t->gm, GPA, 2 * PG, t->uaddr,
					       false, 8), 0);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_read(&t->gm, GPA - 16, buf, 16),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_read(&t->gm, GPA + 2 * PG, buf, 1),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_read(&t->gm, GPA + 2 * PG - 8, buf,
						16), -ENOENT);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_read(&t->gm, 0, buf, 16), -ENOENT);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_read(&t->gm, ~0ULL - 15, buf, 16),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_read(&t->gm, GPA, buf, 0), -ENOENT);
}

struct add_case {
	const char *name;
	u64 gpa;
	u64 len;
	u64 uoff;	/* offset into the user buffer, or an absolute address */
	bool abs;
	int ret;
};

static const struct add_case add_cases[] = {
	{ "aligned", GPA, PG, 0, false, 0 },
	{ "len 0", GPA, 0, 0, false, -EINVAL },
	{ "gpa unaligned", GPA + 8, PG, 0, false, -EINVAL },
	{ "len unaligned", GPA, PG + 1, 0, false, -EINVAL },
	{ "uaddr unaligned", GPA, PG, 16, false, -EINVAL },
	{ "gpa wraps", ~0ULL - PG + 1, 2 * PG, 0, false, -EOVERFLOW },
	{ "gpa at the top", ~0ULL - PG + 1, PG, 0, false, 0 },
	{ "uaddr wraps", GPA, 2 * PG, ~0ULL - PG + 1, true, -EOVERFLOW },
	{ "uaddr in the kernel", GPA, PG, 0xffff888000000000ULL, true,
	  -EFAULT },
};

static void add_case_desc(const struct add_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(add, add_cases, add_case_desc);

static void gmem_test_add_args(struct kunit *test)
{
	const struct add_case *c = test->param_value;
	struct gmem_test *t = test->priv;
	u64 uaddr = c->abs ? c->uoff : t->uaddr + c->uoff;

	KUNIT_EXPECT_EQ(test, pviommu_gmem_add(&t->gm, c->gpa, c->len, uaddr,
					       false, 8), c->ret);
	KUNIT_EXPECT_EQ(test, t->gm.nr_slots, c->ret ? 0 : 1);
}

/* Overlap in any way is -EEXIST; touching neighbours are fine. */
static void gmem_test_overlap(struct kunit *test)
{
	struct gmem_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&t->gm, GPA + PG, 2 * PG,
					       t->uaddr, false, 8), 0);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_add(&t->gm, GPA + PG, 2 * PG,
					       t->uaddr, false, 8), -EEXIST);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_add(&t->gm, GPA, 2 * PG, t->uaddr,
					       false, 8), -EEXIST);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_add(&t->gm, GPA + 2 * PG, 2 * PG,
					       t->uaddr, false, 8), -EEXIST);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_add(&t->gm, GPA, 4 * PG, t->uaddr,
					       false, 8), -EEXIST);
	KUNIT_EXPECT_EQ(test, t->gm.nr_slots, 1);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_add(&t->gm, GPA, PG, t->uaddr,
					       false, 8), 0);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_add(&t->gm, GPA + 3 * PG, PG,
					       t->uaddr, false, 8), 0);
	KUNIT_EXPECT_EQ(test, t->gm.nr_slots, 3);
}

static void gmem_test_limit(struct kunit *test)
{
	struct gmem_test *t = test->priv;
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&t->gm, GPA + i * PG,
						       PG, t->uaddr, false, 3),
				0);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_add(&t->gm, GPA + 3 * PG, PG,
					       t->uaddr, false, 3), -ENOSPC);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_remove(&t->gm, GPA, PG), 0);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_add(&t->gm, GPA + 3 * PG, PG,
					       t->uaddr, false, 3), 0);
}

/* Removal takes exactly one whole slot. */
static void gmem_test_remove(struct kunit *test)
{
	struct gmem_test *t = test->priv;
	u8 buf[8];

	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&t->gm, GPA, 2 * PG, t->uaddr,
					       false, 8), 0);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_remove(&t->gm, GPA, PG), -ENOENT);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_remove(&t->gm, GPA + PG, PG),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_remove(&t->gm, GPA - PG, 3 * PG),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_remove(&t->gm, ~0ULL, PG), -ENOENT);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_read(&t->gm, GPA, buf, 8), 0);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_remove(&t->gm, GPA, 2 * PG), 0);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_read(&t->gm, GPA, buf, 8), -ENOENT);
	KUNIT_EXPECT_EQ(test, t->gm.nr_slots, 0);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_remove(&t->gm, GPA, 2 * PG),
			-ENOENT);
}

/* Writes land in the VMM's memory; read-only slots refuse them. */
static void gmem_test_write(struct kunit *test)
{
	struct gmem_test *t = test->priv;
	u32 v = 0x2, back;

	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&t->gm, GPA, PG, t->uaddr,
					       false, 8), 0);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&t->gm, GPA + PG, PG,
					       t->uaddr + PG, true, 8), 0);
	KUNIT_ASSERT_EQ(test, pviommu_gmem_write(&t->gm, GPA + 0x40, &v,
						 sizeof(v)), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&back,
					     u64_to_user_ptr(t->uaddr + 0x40),
					     sizeof(back)), 0);
	KUNIT_EXPECT_EQ(test, back, 2);

	KUNIT_EXPECT_EQ(test, pviommu_gmem_write(&t->gm, GPA + PG, &v,
						 sizeof(v)), -ENOENT);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_read(&t->gm, GPA + PG, &back,
						sizeof(back)), 0);
	KUNIT_EXPECT_EQ(test, back, 0x02020202);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_write(&t->gm, 0x900000, &v,
						 sizeof(v)), -ENOENT);
}

/* A slot over user addresses with nothing mapped: -EFAULT, not a crash. */
static void gmem_test_unmapped_user(struct kunit *test)
{
	struct gmem_test *t = test->priv;
	u64 hole = t->uaddr + NPAGES * PG + 1024 * PG;
	u8 buf[8];

	KUNIT_ASSERT_EQ(test, pviommu_gmem_add(&t->gm, GPA, PG, hole, false,
					       8), 0);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_read(&t->gm, GPA, buf, 8), -EFAULT);
	KUNIT_EXPECT_EQ(test, pviommu_gmem_write(&t->gm, GPA, buf, 8),
			-EFAULT);
}

static struct kunit_case gmem_test_cases[] = {
	KUNIT_CASE(gmem_test_read),
	KUNIT_CASE(gmem_test_outside),
	KUNIT_CASE_PARAM(gmem_test_add_args, add_gen_params),
	KUNIT_CASE(gmem_test_overlap),
	KUNIT_CASE(gmem_test_limit),
	KUNIT_CASE(gmem_test_remove),
	KUNIT_CASE(gmem_test_write),
	KUNIT_CASE(gmem_test_unmapped_user),
	{}
};

static struct kunit_suite gmem_test_suite = {
	.name = "pviommu_guest_mem",
	.init = gmem_test_init,
	.test_cases = gmem_test_cases,
};

kunit_test_suite(gmem_test_suite);
