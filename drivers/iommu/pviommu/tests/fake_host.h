/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake host for the shadow engine's KUnit tests: host domains as lists of
 * host pages (each map call split into the largest pages of the host's
 * page-size bitmap that fit, as the iommu core does: 4K, 2M and 1G as on
 * VT-d unless a test sets others, such as AMD-Vi's 64K), pins as counts per
 * page, and IOMMU groups (a struct pviommu_hgroup stands for a group of
 * @group_size devices, attached and blocked as one). It checks every rule
 * a real host would punish, and counts each violation as an error:
 *
 *  - a map over an IOVA that is already mapped (VT-d would WARN and keep
 *    the old translation), or of a page that is not pinned;
 *  - an unmap that covers part of a host page (VT-d would unmap the whole
 *    large page) or a hole;
 *  - an unpin of a page not pinned, still mapped, or unmapped without a
 *    sync since (the device could still reach it through a stale IOTLB),
 *    or a dirty unpin of a page pinned only for reading;
 *  - freeing a domain that has devices or mappings.
 */
#ifndef _PVIOMMU_FAKE_HOST_H
#define _PVIOMMU_FAKE_HOST_H

#include <kunit/test.h>
#include <linux/xarray.h>

#include "../shadow.h"

#define FH_MAX_MAPS	4096
#define FH_MAX_DOMS	16
#define FH_MAX_DEVS	8
/* The host physical address of VMM address u (unscrambled). */
#define FH_PA_OFFSET	0x4000000000ULL

/* One host page. */
struct fh_map {
	u64 iova;
	u64 pa;
	u64 size;
	int prot;
};

/*
 * The engine's three host types (shadow.h), as the fake host defines
 * them: a domain, a group, the host.
 */
struct pviommu_hdom {
	bool live;
	/* attached once: its page sizes are final (see @settle) */
	bool settled;
	struct fh_map *maps;
	unsigned int nr_maps;
	/* ranges unmapped since the last sync */
	struct fh_map *unsynced;
	unsigned int nr_unsynced;
	/* an unmap of it came back short (@short_unmap) */
	bool leaky;
};

/* An IOMMU group. */
struct pviommu_hgroup {
	struct pviommu_hdom *dom;	/* NULL: blocked */
	unsigned int group_size;	/* devices in it; 0 means 1 */
};

/**
 * struct pviommu_host - the host, as the engine's ops see it
 * @test: the test
 * @doms: domains
 * @devs: devices
 * @pins: pin count per page frame
 * @ro_pins: how many of those pins are read-only
 * @errors: rule violations
 * @pgsizes: host page sizes, as an iommu domain's pgsize_bitmap
 * @unsettled: like VT-d (6.1 to 6.12), a domain offers 4K pages only until
 *	its first attach, and @pgsizes from then on. Off unless a test sets
 *	it: a domain that maps all guest RAM before its attach would then
 *	hold more host pages than FH_MAX_MAPS.
 * @scramble: VMM pages map to swapped host pages (no contiguity)
 * @fail_pin: fail the pin call that brings this to 0 (0: never)
 * @fail_map: fail the map call that brings this to 0 (0: never)
 * @fail_attach: fail attach calls
 * @short_unmap: the unmap call that brings this to 0 unmaps nothing and
 *	returns 0, as a host that cannot unmap (0: never)
 * @nr_pinned: pages pinned now
 * @pin_calls: pin calls
 * @maps: map calls
 * @unmaps: unmap calls
 * @syncs: sync calls
 */
struct pviommu_host {
	struct kunit *test;
	struct pviommu_hdom doms[FH_MAX_DOMS];
	struct pviommu_hgroup devs[FH_MAX_DEVS];
	struct xarray pins;
	struct xarray ro_pins;
	unsigned int errors;
	u64 pgsizes;
	bool unsettled;
	bool scramble;
	unsigned int fail_pin;
	unsigned int fail_map;
	bool fail_attach;
	unsigned int short_unmap;
	u64 nr_pinned;
	unsigned int pin_calls;
	unsigned int maps;
	unsigned int unmaps;
	unsigned int syncs;
};

extern const struct pviommu_host_ops fh_ops;

struct pviommu_host *fh_new(struct kunit *test);
u64 fh_pa(const struct pviommu_host *fh, u64 uaddr);
u64 fh_lookup(struct pviommu_hdom *d, u64 iova, int *prot);
u64 fh_mapped_bytes(const struct pviommu_hdom *d);
unsigned int fh_nr_doms(const struct pviommu_host *fh);

#endif /* _PVIOMMU_FAKE_HOST_H */
