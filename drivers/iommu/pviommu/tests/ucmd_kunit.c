// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the extensible-struct copy-in/copy-out (ucmd.c).
 *
 * The user buffer is real user memory (kunit_vm_mmap), so get_user(),
 * copy_struct_from_user() and copy_to_user() run as they do in an ioctl.
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/uaccess.h>

#include "../pviommu.h"

/* A struct shaped like every pviommu uAPI struct: size first. */
struct ucmd_test_v2 {
	u32 size;
	u32 flags;
	u64 in_a;	/* last member of version 1 */
	u64 out_b;	/* added in version 2 */
};

#define UCMD_V1_SIZE	offsetofend(struct ucmd_test_v2, in_a)
#define UCMD_V2_SIZE	sizeof(struct ucmd_test_v2)
#define UCMD_UBUF_SIZE	PAGE_SIZE

struct ucmd_test_ctx {
	u8 __user *ubuf;
};

static int ucmd_test_init(struct kunit *test)
{
	struct ucmd_test_ctx *ctx;
	unsigned long addr;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx);

	addr = kunit_vm_mmap(test, NULL, 0, UCMD_UBUF_SIZE,
			     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE,
			     0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0, "no user memory");
	KUNIT_ASSERT_LT(test, addr, (unsigned long)TASK_SIZE);
	ctx->ubuf = (u8 __user *)addr;
	test->priv = ctx;
	return 0;
}

/* Write @len bytes of @src to the start of the user buffer. */
static void ucmd_put(struct kunit *test, const void *src, size_t len)
{
	struct ucmd_test_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, copy_to_user(ctx->ubuf, src, len), 0);
}

static int ucmd_copy_in(struct kunit *test, struct pviommu_ucmd *ucmd,
			struct ucmd_test_v2 *k)
{
	struct ucmd_test_ctx *ctx = test->priv;

	memset(k, 0xa5, sizeof(*k));
	return pviommu_ucmd_copy_in(ucmd, ctx->ubuf, k, UCMD_V2_SIZE,
				    UCMD_V1_SIZE);
}

/* Exactly the kernel's size: copied as is. */
static void ucmd_test_same_size(struct kunit *test)
{
	struct ucmd_test_v2 u = { .size = UCMD_V2_SIZE, .flags = 3,
				  .in_a = 0x1122334455667788ULL, .out_b = 9 };
	struct pviommu_ucmd ucmd = {};
	struct ucmd_test_v2 k;

	ucmd_put(test, &u, sizeof(u));
	KUNIT_ASSERT_EQ(test, ucmd_copy_in(test, &ucmd, &k), 0);
	KUNIT_EXPECT_MEMEQ(test, &k, &u, sizeof(u));
	KUNIT_EXPECT_EQ(test, ucmd.user_size, UCMD_V2_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, ucmd.cmd, (void *)&k);
}

/* An older binary's smaller struct: the kernel sees zeros past its end. */
static void ucmd_test_old_user(struct kunit *test)
{
	struct ucmd_test_v2 u = { .size = UCMD_V1_SIZE, .in_a = 7,
				  .out_b = 0xdead };
	struct pviommu_ucmd ucmd = {};
	struct ucmd_test_v2 k;

	ucmd_put(test, &u, sizeof(u));
	KUNIT_ASSERT_EQ(test, ucmd_copy_in(test, &ucmd, &k), 0);
	KUNIT_EXPECT_EQ(test, k.in_a, 7);
	KUNIT_EXPECT_EQ(test, k.out_b, 0);
	KUNIT_EXPECT_EQ(test, ucmd.user_size, UCMD_V1_SIZE);
}

/* Below the first version's size: EINVAL, whatever follows. */
static void ucmd_test_too_small(struct kunit *test)
{
	static const u32 sizes[] = { 0, 1, 4, UCMD_V1_SIZE - 1 };
	struct ucmd_test_v2 u = {};
	struct pviommu_ucmd ucmd = {};
	struct ucmd_test_v2 k;
	int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u.size = sizes[i];
		ucmd_put(test, &u, sizeof(u));
		KUNIT_EXPECT_EQ_MSG(test, ucmd_copy_in(test, &ucmd, &k),
				    -EINVAL, "size %u", sizes[i]);
	}
}

/* A newer binary's larger struct: zero tail accepted, non-zero tail E2BIG. */
static void ucmd_test_new_user(struct kunit *test)
{
	u8 raw[UCMD_V2_SIZE + 16] = {};
	struct ucmd_test_v2 *u = (void *)raw;
	struct pviommu_ucmd ucmd = {};
	struct ucmd_test_v2 k;

	u->size = sizeof(raw);
	u->in_a = 5;
	ucmd_put(test, raw, sizeof(raw));
	KUNIT_ASSERT_EQ(test, ucmd_copy_in(test, &ucmd, &k), 0);
	KUNIT_EXPECT_EQ(test, k.in_a, 5);
	KUNIT_EXPECT_EQ(test, ucmd.user_size, sizeof(raw));

	raw[sizeof(raw) - 1] = 1;
	ucmd_put(test, raw, sizeof(raw));
	KUNIT_EXPECT_EQ(test, ucmd_copy_in(test, &ucmd, &k), -E2BIG);

	raw[sizeof(raw) - 1] = 0;
	raw[UCMD_V2_SIZE] = 0x80;
	ucmd_put(test, raw, sizeof(raw));
	KUNIT_EXPECT_EQ(test, ucmd_copy_in(test, &ucmd, &k), -E2BIG);
}

/* An unreadable struct: EFAULT, the kernel buffer untouched. */
static void ucmd_test_fault(struct kunit *test)
{
	struct pviommu_ucmd ucmd = {};
	struct ucmd_test_v2 k, before;
	int ret;

	memset(&k, 0xa5, sizeof(k));
	before = k;
	ret = pviommu_ucmd_copy_in(&ucmd, (void __user *)NULL, &k,
				   UCMD_V2_SIZE, UCMD_V1_SIZE);
	KUNIT_EXPECT_EQ(test, ret, -EFAULT);
	KUNIT_EXPECT_MEMEQ(test, &k, &before, sizeof(k));
	KUNIT_EXPECT_PTR_EQ(test, ucmd.cmd, NULL);
}

/*
 * Copy-out writes min(user size, kernel size): an old binary's memory past
 * its struct is never written, a new binary's tail is left as it was.
 */
static void ucmd_test_respond(struct kunit *test)
{
	struct ucmd_test_ctx *ctx = test->priv;
	struct ucmd_test_v2 u = { .size = UCMD_V1_SIZE };
	u8 back[UCMD_V2_SIZE + 8];
	struct pviommu_ucmd ucmd = {};
	struct ucmd_test_v2 k;

	memset(back, 0xee, sizeof(back));
	ucmd_put(test, back, sizeof(back));
	ucmd_put(test, &u, UCMD_V1_SIZE);
	KUNIT_ASSERT_EQ(test, ucmd_copy_in(test, &ucmd, &k), 0);
	k.in_a = 0x0102030405060708ULL;
	k.out_b = 0x1111;
	KUNIT_ASSERT_EQ(test, pviommu_ucmd_respond(&ucmd, UCMD_V2_SIZE), 0);

	KUNIT_ASSERT_EQ(test, copy_from_user(back, ctx->ubuf, sizeof(back)),
			0);
	KUNIT_EXPECT_MEMEQ(test, back, &k, UCMD_V1_SIZE);
	KUNIT_EXPECT_EQ(test, back[UCMD_V1_SIZE], 0xee);
	KUNIT_EXPECT_EQ(test, back[sizeof(back) - 1], 0xee);

	/*
	 * A larger user struct: the kernel's whole struct, tail untouched.
	 * The tail is zero on the way in (else E2BIG); marked afterwards, so
	 * that a write past the kernel's struct shows.
	 */
	memset(back, 0, sizeof(back));
	((struct ucmd_test_v2 *)back)->size = sizeof(back);
	ucmd_put(test, back, sizeof(back));
	KUNIT_ASSERT_EQ(test, ucmd_copy_in(test, &ucmd, &k), 0);
	memset(back, 0xee, sizeof(back));
	KUNIT_ASSERT_EQ(test, copy_to_user(ctx->ubuf + UCMD_V2_SIZE,
					   back + UCMD_V2_SIZE,
					   sizeof(back) - UCMD_V2_SIZE), 0);
	k.out_b = 0x2222;
	KUNIT_ASSERT_EQ(test, pviommu_ucmd_respond(&ucmd, UCMD_V2_SIZE), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(back, ctx->ubuf, sizeof(back)),
			0);
	KUNIT_EXPECT_EQ(test, ((struct ucmd_test_v2 *)back)->out_b, 0x2222);
	KUNIT_EXPECT_EQ(test, back[UCMD_V2_SIZE], 0xee);
	KUNIT_EXPECT_EQ(test, back[sizeof(back) - 1], 0xee);
}

static struct kunit_case ucmd_test_cases[] = {
	KUNIT_CASE(ucmd_test_same_size),
	KUNIT_CASE(ucmd_test_old_user),
	KUNIT_CASE(ucmd_test_too_small),
	KUNIT_CASE(ucmd_test_new_user),
	KUNIT_CASE(ucmd_test_fault),
	KUNIT_CASE(ucmd_test_respond),
	{}
};

static struct kunit_suite ucmd_test_suite = {
	.name = "pviommu_ucmd",
	.init = ucmd_test_init,
	.test_cases = ucmd_test_cases,
};

kunit_test_suite(ucmd_test_suite);

MODULE_DESCRIPTION("KUnit tests for pviommu's core");
MODULE_LICENSE("GPL");
