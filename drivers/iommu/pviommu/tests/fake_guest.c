// SPDX-License-Identifier: GPL-2.0
/*
 * A fake guest for KUnit; see fake_guest.h.
 */
#include "fake_guest.h"

static void fg_mem_exit(void *data)
{
	struct fake_mem *m = data;

	xa_destroy(&m->pages);
}

/**
 * fg_mem_new() - an empty guest memory, freed with the test
 * @test: the test
 *
 * Return: the memory.
 */
struct fake_mem *fg_mem_new(struct kunit *test)
{
	struct fake_mem *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->test = test;
	xa_init(&m->pages);
	m->next_table = 0x100000;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fg_mem_exit, m),
			0);
	return m;
}

/**
 * fg_page() - the guest page at @gpa, created zeroed if missing
 * @m: guest memory
 * @gpa: any address in the page
 *
 * Return: the page's contents.
 */
__le64 *fg_page(struct fake_mem *m, u64 gpa)
{
	void *p = xa_load(&m->pages, gpa >> 12);

	if (!p) {
		p = kunit_kzalloc(m->test, SZ_4K_, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(m->test, p);
		KUNIT_ASSERT_EQ(m->test, xa_err(xa_store(&m->pages, gpa >> 12,
							 p, GFP_KERNEL)), 0);
	}
	return p;
}

/**
 * fg_read() - a pviommu_read_fn over a struct fake_mem
 * @priv: the struct fake_mem
 * @gpa: guest physical address
 * @buf: destination
 * @len: bytes, within one page
 *
 * Return: 0, or -ENOENT when the page does not exist.
 */
int fg_read(void *priv, u64 gpa, void *buf, size_t len)
{
	struct fake_mem *m = priv;
	void *p = xa_load(&m->pages, gpa >> 12);

	KUNIT_EXPECT_LE(m->test, (gpa & 0xfff) + len, SZ_4K_);
	if (!p)
		return -ENOENT;
	memcpy(buf, p + (gpa & 0xfff), len);
	m->reads++;
	return 0;
}

/**
 * fg_table() - allocate a zeroed table page
 * @m: guest memory
 *
 * Return: its guest physical address.
 */
u64 fg_table(struct fake_mem *m)
{
	u64 gpa = m->next_table;

	m->next_table += SZ_4K_;
	fg_page(m, gpa);
	return gpa;
}

/**
 * fg_set() - write a table entry
 * @m: guest memory
 * @table: the table's guest physical address
 * @idx: entry index
 * @v: the entry
 */
void fg_set(struct fake_mem *m, u64 table, unsigned int idx, u64 v)
{
	fg_page(m, table)[idx] = cpu_to_le64(v);
}

/**
 * fg_get() - read a table entry
 * @m: guest memory
 * @table: the table's guest physical address
 * @idx: entry index
 *
 * Return: the entry.
 */
u64 fg_get(struct fake_mem *m, u64 table, unsigned int idx)
{
	return le64_to_cpu(fg_page(m, table)[idx]);
}

/**
 * fg_index() - the index of @iova in a table of @level
 * @iova: the address
 * @level: 1 for the last level
 *
 * Return: the index.
 */
unsigned int fg_index(u64 iova, u8 level)
{
	return (iova >> (12 + 9 * (level - 1))) & 511;
}

/**
 * fg_map_dir() - set a leaf, creating directories as needed
 * @m: guest memory
 * @root: the root table
 * @levels: table depth
 * @iova: the leaf's address
 * @leaf_level: 1: 4K, 2: 2M, 3: 1G
 * @pte_val: the leaf entry
 * @dir: the permission bits of a new directory entry: R|W for second-level
 *	tables, P|R/W|U/S for first-stage ones (bits 1:0 present either way)
 *
 * Return: the table holding the leaf.
 */
u64 fg_map_dir(struct fake_mem *m, u64 root, u8 levels, u64 iova,
	       u8 leaf_level, u64 pte_val, u64 dir)
{
	u64 table = root;
	u8 level;

	for (level = levels; level > leaf_level; level--) {
		unsigned int idx = fg_index(iova, level);
		u64 e = fg_get(m, table, idx);

		if (!(e & RW)) {
			e = fg_table(m) | dir;
			fg_set(m, table, idx, e);
		}
		table = e & VTD_SL_ADDR_MAX;
	}
	fg_set(m, table, fg_index(iova, leaf_level), pte_val);
	return table;
}

/**
 * fg_map() - set a leaf, creating second-level directories (R|W)
 * @m: guest memory
 * @root: the root table
 * @levels: table depth
 * @iova: the leaf's address
 * @leaf_level: 1: 4K, 2: 2M, 3: 1G
 * @pte_val: the leaf entry
 *
 * Return: the table holding the leaf.
 */
u64 fg_map(struct fake_mem *m, u64 root, u8 levels, u64 iova,
	   u8 leaf_level, u64 pte_val)
{
	return fg_map_dir(m, root, levels, iova, leaf_level, pte_val, RW);
}

/**
 * fg_map_4k() - set a 4K leaf
 * @m: guest memory
 * @root: the root table
 * @levels: table depth
 * @iova: the leaf's address
 * @gpa: what it maps
 * @perm: VTD_SL_R | VTD_SL_W
 *
 * Return: the table holding the leaf.
 */
u64 fg_map_4k(struct fake_mem *m, u64 root, u8 levels, u64 iova, u64 gpa,
	      u8 perm)
{
	return fg_map(m, root, levels, iova, 1, gpa | perm);
}
