// SPDX-License-Identifier: GPL-2.0
/*
 * A fake host for the shadow engine's KUnit tests; see fake_host.h.
 */
#include "fake_host.h"

#define FH_ERR(fh, fmt, ...)						\
	do {								\
		(fh)->errors++;						\
		kunit_err((fh)->test, "fake host: " fmt, ##__VA_ARGS__);\
	} while (0)

static void fh_exit(void *data)
{
	struct pviommu_host *fh = data;

	xa_destroy(&fh->pins);
	xa_destroy(&fh->ro_pins);
}

/**
 * fh_new() - a fake host with nothing mapped or pinned
 * @test: the test
 *
 * Return: the host, freed with the test.
 */
struct pviommu_host *fh_new(struct kunit *test)
{
	struct pviommu_host *fh = kunit_kzalloc(test, sizeof(*fh), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, fh);
	fh->test = test;
	fh->pgsizes = SZ_4K | SZ_2M | SZ_1G;
	xa_init(&fh->pins);
	xa_init(&fh->ro_pins);
	for (i = 0; i < FH_MAX_DOMS; i++) {
		fh->doms[i].maps = kunit_kcalloc(test, FH_MAX_MAPS,
						 sizeof(struct fh_map),
						 GFP_KERNEL);
		fh->doms[i].unsynced = kunit_kcalloc(test, FH_MAX_MAPS,
						     sizeof(struct fh_map),
						     GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, fh->doms[i].maps);
		KUNIT_ASSERT_NOT_NULL(test, fh->doms[i].unsynced);
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fh_exit, fh), 0);
	return fh;
}

/**
 * fh_pa() - the host physical address behind a VMM address
 * @fh: the host
 * @uaddr: VMM virtual address
 *
 * Return: the address; with @fh->scramble, neighbouring pages swap places.
 */
u64 fh_pa(const struct pviommu_host *fh, u64 uaddr)
{
	u64 pa = uaddr + FH_PA_OFFSET;

	return fh->scramble ? pa ^ SZ_4K : pa;
}

/**
 * fh_lookup() - translate an IOVA in a fake domain
 * @d: the domain
 * @iova: the address
 * @prot: where to store the mapping's protection, if not NULL
 *
 * Return: the physical address, or 0 when @iova is not mapped.
 */
u64 fh_lookup(struct pviommu_hdom *d, u64 iova, int *prot)
{
	unsigned int i;

	for (i = 0; i < d->nr_maps; i++) {
		struct fh_map *m = &d->maps[i];

		if (iova >= m->iova && iova - m->iova < m->size) {
			if (prot)
				*prot = m->prot;
			return m->pa + (iova - m->iova);
		}
	}
	return 0;
}

/**
 * fh_mapped_bytes() - how much a fake domain maps
 * @d: the domain
 *
 * Return: the total size of its mappings.
 */
u64 fh_mapped_bytes(const struct pviommu_hdom *d)
{
	u64 total = 0;
	unsigned int i;

	for (i = 0; i < d->nr_maps; i++)
		total += d->maps[i].size;
	return total;
}

/**
 * fh_nr_doms() - live domains
 * @fh: the host
 *
 * Return: the number of allocated, not yet freed domains.
 */
unsigned int fh_nr_doms(const struct pviommu_host *fh)
{
	unsigned int i, n = 0;

	for (i = 0; i < FH_MAX_DOMS; i++)
		n += fh->doms[i].live;
	return n;
}

static struct pviommu_hdom *fh_domain_alloc(struct pviommu_host *fh,
					    struct pviommu_hgroup *dev)
{
	int i;

	for (i = 0; i < FH_MAX_DOMS; i++) {
		if (!fh->doms[i].live) {
			fh->doms[i].live = true;
			fh->doms[i].settled = false;
			fh->doms[i].nr_maps = 0;
			fh->doms[i].nr_unsynced = 0;
			fh->doms[i].leaky = false;
			return &fh->doms[i];
		}
	}
	return ERR_PTR(-ENOMEM);
}

static void fh_domain_free(struct pviommu_host *fh, struct pviommu_hdom *d)
{
	int i;

	/* What a short unmap left mapped goes with the domain. */
	if (d->nr_maps && !d->leaky)
		FH_ERR(fh, "freeing a domain with %u mappings", d->nr_maps);
	for (i = 0; i < FH_MAX_DEVS; i++)
		if (fh->devs[i].dom == d)
			FH_ERR(fh, "freeing a domain device %d is attached to",
			       i);
	d->nr_maps = 0;
	d->nr_unsynced = 0;
	d->live = false;
}

/* The page sizes of @d now: 4K only before its first attach, as on VT-d. */
static u64 fh_dom_pgsizes(const struct pviommu_host *fh,
			  const struct pviommu_hdom *d)
{
	return fh->unsettled && !d->settled ? SZ_4K : fh->pgsizes;
}

static u64 fh_pgsizes(struct pviommu_host *fh, struct pviommu_hdom *d)
{
	return fh_dom_pgsizes(fh, d);
}

static unsigned int fh_group_size(struct pviommu_host *fh,
				  struct pviommu_hgroup *dev)
{
	return dev->group_size ?: 1;
}

static int fh_attach(struct pviommu_host *fh, struct pviommu_hdom *d,
		     struct pviommu_hgroup *dev)
{
	if (fh->fail_attach) {
		dev->dom = NULL;
		return -EINVAL;
	}
	dev->dom = d;
	dev->dom->settled = true;
	return 0;
}

static void fh_block(struct pviommu_host *fh, struct pviommu_hgroup *dev)
{
	dev->dom = NULL;
}

static unsigned long fh_count(struct xarray *xa, u64 pa)
{
	void *v = xa_load(xa, pa >> PAGE_SHIFT);

	return v ? xa_to_value(v) : 0;
}

static void fh_set_count(struct xarray *xa, u64 pa, unsigned long n)
{
	xa_store(xa, pa >> PAGE_SHIFT, n ? xa_mk_value(n) : NULL, GFP_KERNEL);
}

static unsigned long fh_pins_of(struct pviommu_host *fh, u64 pa)
{
	return fh_count(&fh->pins, pa);
}

static void fh_set_pins(struct pviommu_host *fh, u64 pa, unsigned long n)
{
	fh_set_count(&fh->pins, pa, n);
}

static int fh_pin(struct pviommu_host *fh, u64 uaddr, unsigned int npages,
		  bool write, u64 *pa)
{
	unsigned int i;

	fh->pin_calls++;
	if (fh->fail_pin && !--fh->fail_pin)
		return -ENOMEM;
	for (i = 0; i < npages; i++) {
		pa[i] = fh_pa(fh, uaddr + (u64)i * SZ_4K);
		fh_set_pins(fh, pa[i], fh_pins_of(fh, pa[i]) + 1);
		if (!write)
			fh_set_count(&fh->ro_pins, pa[i],
				     fh_count(&fh->ro_pins, pa[i]) + 1);
	}
	fh->nr_pinned += npages;
	return 0;
}

/* Mappings of @pa in all domains. */
static unsigned int fh_maps_of(struct pviommu_host *fh, u64 pa)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < FH_MAX_DOMS; i++) {
		struct pviommu_hdom *d = &fh->doms[i];

		for (j = 0; j < d->nr_maps; j++)
			if (pa >= d->maps[j].pa &&
			    pa - d->maps[j].pa < d->maps[j].size)
				n++;
	}
	return n;
}

/* Unmaps of @pa that no IOTLB sync has completed yet, in all domains. */
static unsigned int fh_unsynced(struct pviommu_host *fh, u64 pa)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < FH_MAX_DOMS; i++)
		for (j = 0; j < fh->doms[i].nr_unsynced; j++)
			if (pa >= fh->doms[i].unsynced[j].pa &&
			    pa - fh->doms[i].unsynced[j].pa <
			    fh->doms[i].unsynced[j].size)
				n++;
	return n;
}

static void fh_unpin(struct pviommu_host *fh, u64 pa, unsigned int npages,
		     bool dirty)
{
	unsigned int i;

	for (i = 0; i < npages; i++, pa += SZ_4K) {
		unsigned long pins = fh_pins_of(fh, pa);
		unsigned long ro = fh_count(&fh->ro_pins, pa);

		if (!pins) {
			FH_ERR(fh, "unpin of %llx, not pinned", pa);
			continue;
		}
		/*
		 * Each mapping, and each unmap not synced yet (the IOTLB may
		 * still hold it), needs a pin of its own: the last pins of a
		 * page go only after both.
		 */
		if (fh_maps_of(fh, pa) >= pins)
			FH_ERR(fh, "unpin of %llx, still mapped", pa);
		else if (fh_maps_of(fh, pa) + fh_unsynced(fh, pa) >= pins)
			FH_ERR(fh, "unpin of %llx before the IOTLB sync", pa);
		/* Only pins taken for writing may mark the page dirty. */
		if (dirty && ro == pins)
			FH_ERR(fh, "dirty unpin of %llx, pinned read-only", pa);
		if (!dirty && ro)
			fh_set_count(&fh->ro_pins, pa, ro - 1);
		fh_set_pins(fh, pa, pins - 1);
		fh->nr_pinned--;
	}
}

/*
 * The page the iommu core would use at @iova -> @pa with @size bytes left
 * of a map call: the largest of the host's sizes that both are aligned to
 * and that fits (4K always does).
 */
static u64 fh_pgsize(const struct pviommu_host *fh,
		     const struct pviommu_hdom *d, u64 iova, u64 pa, u64 size)
{
	u64 sizes = fh_dom_pgsizes(fh, d), pg;
	int b;

	for (b = 63; b > 12; b--) {
		pg = BIT_ULL(b);
		if ((sizes & pg) && IS_ALIGNED(iova | pa, pg) &&
		    size >= pg)
			return pg;
	}
	return SZ_4K;
}

static int fh_map(struct pviommu_host *fh, struct pviommu_hdom *d, u64 iova,
		  u64 pa, u64 size, int prot)
{
	unsigned int i;
	u64 off, pg;

	if (fh->fail_map && !--fh->fail_map)
		return -ENOMEM;
	if (!d->live || !size || (iova | pa | size) & (SZ_4K - 1))
		FH_ERR(fh, "bad map %llx+%llx", iova, size);
	for (i = 0; i < d->nr_maps; i++)
		if (d->maps[i].iova < iova + size &&
		    iova < d->maps[i].iova + d->maps[i].size)
			FH_ERR(fh, "double map at %llx+%llx", iova, size);
	for (off = 0; off < size; off += SZ_4K)
		if (!fh_pins_of(fh, pa + off))
			FH_ERR(fh, "map of unpinned %llx", pa + off);
	/* One record per host page. */
	for (off = 0; off < size; off += pg) {
		pg = fh_pgsize(fh, d, iova + off, pa + off, size - off);
		if (d->nr_maps == FH_MAX_MAPS) {
			FH_ERR(fh, "too many mappings");
			return -ENOMEM;
		}
		d->maps[d->nr_maps++] = (struct fh_map){ iova + off, pa + off,
							 pg, prot };
	}
	fh->maps++;
	return 0;
}

static u64 fh_unmap(struct pviommu_host *fh, struct pviommu_hdom *d, u64 iova,
		    u64 size)
{
	u64 covered = 0;
	unsigned int i;

	fh->unmaps++;
	if (fh->short_unmap && !--fh->short_unmap) {
		d->leaky = true;
		return 0;
	}
	for (i = 0; i < d->nr_maps;) {
		struct fh_map *m = &d->maps[i];

		if (m->iova + m->size <= iova || m->iova >= iova + size) {
			i++;
			continue;
		}
		if (m->iova < iova || m->iova + m->size > iova + size)
			FH_ERR(fh, "unmap %llx+%llx cuts host page %llx+%llx",
			       iova, size, m->iova, m->size);
		covered += m->size;
		if (d->nr_unsynced < FH_MAX_MAPS)
			d->unsynced[d->nr_unsynced++] = *m;
		else
			FH_ERR(fh, "too many unsynced ranges");
		d->maps[i] = d->maps[--d->nr_maps];
	}
	if (covered != size)
		FH_ERR(fh, "unmap %llx+%llx covers %llx bytes of mappings",
		       iova, size, covered);
	return covered;
}

static void fh_sync(struct pviommu_host *fh, struct pviommu_hdom *d)
{
	d->nr_unsynced = 0;
	fh->syncs++;
}

static u64 fh_iova_to_phys(struct pviommu_host *fh, struct pviommu_hdom *d,
			   u64 iova)
{
	return fh_lookup(d, iova, NULL);
}

const struct pviommu_host_ops fh_ops = {
	.domain_alloc = fh_domain_alloc,
	.domain_free = fh_domain_free,
	.pgsizes = fh_pgsizes,
	.group_size = fh_group_size,
	.attach = fh_attach,
	.block = fh_block,
	.pin = fh_pin,
	.unpin = fh_unpin,
	.map = fh_map,
	.unmap = fh_unmap,
	.sync = fh_sync,
	.iova_to_phys = fh_iova_to_phys,
};
