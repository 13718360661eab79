/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shadow engine: per-guest-domain IOVA trees kept equal to host IOMMU
 * domains. See shadow.c for the design, its invariants and the files it
 * is in.
 */
#ifndef _PVIOMMU_SHADOW_H
#define _PVIOMMU_SHADOW_H

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>

#include "core.h"

/* Permissions, as VT-d second-level entries and the iommu API both have. */
#define PVIOMMU_PERM_R		0x1
#define PVIOMMU_PERM_W		0x2

/*
 * The host as the engine sees it: three types it never looks into, each
 * defined by the host that implements the ops (host.c; the KUnit tests'
 * fake host), so that the compiler checks every call between them.
 */
struct pviommu_host;	/* the host state of one engine */
struct pviommu_hgroup;	/* a host IOMMU group */
struct pviommu_hdom;	/* a host paging domain */

/**
 * struct pviommu_host_ops - what the engine needs from the host
 * @domain_alloc: a new, empty host paging domain for the devices of
 *	@hgroup (and devices like them); ERR_PTR on failure
 * @domain_free: free a domain no group is attached to and nothing is
 *	mapped in
 * @pgsizes: the host page sizes @hdom maps with (a bitmap of sizes, as
 *	the iommu core's pgsize_bitmap)
 * @group_size: how many devices of @hgroup must be attached, all to one
 *	shadow, before the group may translate
 * @attach: switch the DMA of every device in @hgroup to @hdom; on failure
 *	the group is left blocked
 * @block: block the DMA of every device in @hgroup
 * @pin: pin @npages pages of the VMM's memory at @uaddr, for writing if
 *	@write, and store each page's physical address in @pa; all or
 *	nothing, and charged to the VMM's locked-memory limit
 * @unpin: unpin @npages physically contiguous pages at @pa, marking them
 *	dirty if @dirty
 * @map: map @size bytes at @iova to @pa in @hdom with @prot
 *	(IOMMU_READ/IOMMU_WRITE); all or nothing
 * @unmap: unmap @size bytes at @iova, all of them mapped, in whole host
 *	pages (the iommu core maps each @map call with the largest pages
 *	that fit; an unmap never cuts one); returns the bytes unmapped
 * @sync: complete @hdom's IOTLB invalidation for every @unmap so far
 * @iova_to_phys: the physical address @iova maps to in @hdom, 0 if none
 *
 * Order the engine keeps: @sync of a domain between an @unmap and the
 * @unpin of the pages it unmapped.
 */
struct pviommu_host_ops {
	struct pviommu_hdom *(*domain_alloc)(struct pviommu_host *host,
					     struct pviommu_hgroup *hgroup);
	void (*domain_free)(struct pviommu_host *host,
			    struct pviommu_hdom *hdom);
	u64 (*pgsizes)(struct pviommu_host *host, struct pviommu_hdom *hdom);
	unsigned int (*group_size)(struct pviommu_host *host,
				   struct pviommu_hgroup *hgroup);
	int (*attach)(struct pviommu_host *host, struct pviommu_hdom *hdom,
		      struct pviommu_hgroup *hgroup);
	void (*block)(struct pviommu_host *host, struct pviommu_hgroup *hgroup);
	int (*pin)(struct pviommu_host *host, u64 uaddr, unsigned int npages,
		   bool write, u64 *pa);
	void (*unpin)(struct pviommu_host *host, u64 pa, unsigned int npages,
		      bool dirty);
	int (*map)(struct pviommu_host *host, struct pviommu_hdom *hdom,
		   u64 iova, u64 pa, u64 size, int prot);
	u64 (*unmap)(struct pviommu_host *host, struct pviommu_hdom *hdom,
		     u64 iova, u64 size);
	void (*sync)(struct pviommu_host *host, struct pviommu_hdom *hdom);
	u64 (*iova_to_phys)(struct pviommu_host *host, struct pviommu_hdom *hdom,
			    u64 iova);
};

/**
 * struct pviommu_entry - one shadow mapping: one guest leaf, a run of 4K
 * guest leaves mapped together, or, for a pass-through domain, a piece of
 * a guest RAM slot
 * @rb: interval tree node
 * @start: first IOVA
 * @last: last IOVA (inclusive)
 * @__subtree_last: interval tree bookkeeping
 * @gpa: guest physical address of @start
 * @pa: host physical address of @start, valid when @contig
 * @pas: for a run that is not @contig, the host physical address of each
 *	of its pages (kmalloc'ed), or NULL: then they are read from the host
 *	domain when unmapped
 * @perm: PVIOMMU_PERM_* of the guest's leaves
 * @prot: PVIOMMU_PERM_* as mapped and pinned: @perm less write over
 *	read-only guest RAM; pages are unpinned dirty only if written
 * @contig: the host pages behind the entry are physically contiguous
 * @run: a run of 4K leaves, consecutive in IOVA and GPA, with the same
 *	permissions, inside one 2M of IOVA, mapped in 4K host pages only:
 *	it may be cut at any 4K boundary (shadow_entries.c). Any other
 *	entry is one leaf or piece, unmapped whole only.
 */
struct pviommu_entry {
	struct rb_node rb;
	u64 start;
	u64 last;
	u64 __subtree_last;
	u64 gpa;
	union {
		u64 pa;
		u64 *pas;
	};
	u8 perm;
	u8 prot;
	bool contig;
	bool run;
};

#define PVIOMMU_PDE_CACHE	64

/**
 * struct pviommu_pde - a paging-structure cache entry: the guest's
 * last-level table for one 2M of IOVA, as a VT-d unit may cache it
 * @tag: IOVA >> 21 of that 2M, plus one; 0 when empty
 * @table: guest physical address of the table, ORed with the permissions
 *	of the levels above it
 */
struct pviommu_pde {
	u64 tag;
	u64 table;
};

/**
 * struct pviommu_shadow - the shadow of one guest domain
 * @node: in the engine's list of shadows
 * @did: guest domain ID
 * @pass_through: IOVA = GPA over all guest RAM; @root and @levels unused
 * @levels: guest table depth
 * @first_stage: @root is a first-stage (IA-32e format) table
 * @root: guest second-level (or first-stage) root table
 * @hdom: the host domain
 * @split: the smallest host page size above 4 KiB @hdom may use, 0 if
 *	none: a host map call covering several 4K leaves must not contain a
 *	whole naturally aligned page of this size (shadow_entries.c)
 * @tree: interval tree of struct pviommu_entry: exactly what @hdom maps
 * @nr_entries: guest leaves (and pass-through pieces) @tree records
 * @nr_devs: devices whose context entry resolves to this shadow
 * @need_sync: @hdom has unmaps not yet synced
 * @leaked: the host once unmapped less of @hdom than asked: @hdom may map
 *	what @tree no longer records. No group is attached to it again.
 * @pde: paging-structure cache, direct mapped by 2M of IOVA
 *	(shadow_reconcile.c)
 */
struct pviommu_shadow {
	struct list_head node;
	u16 did;
	bool pass_through;
	u8 levels;
	bool first_stage;
	u64 root;
	struct pviommu_hdom *hdom;
	u64 split;
	struct rb_root_cached tree;
	u64 nr_entries;
	unsigned int nr_devs;
	bool need_sync;
	bool leaked;
	struct pviommu_pde pde[PVIOMMU_PDE_CACHE];
};

/**
 * struct pviommu_sgroup - a host IOMMU group some attached devices are in
 * @node: in the engine's list of groups
 * @hgroup: the host's group
 * @nr_sdevs: devices of the group attached to the engine
 * @cur: the shadow whose host domain the group is attached to; NULL while
 *	blocked. Non-NULL only while the host's @group_size devices of the
 *	group are all attached and all resolve to @cur.
 *
 * The host IOMMU translates per group, not per device: a group follows one
 * shadow or is blocked.
 */
struct pviommu_sgroup {
	struct list_head node;
	struct pviommu_hgroup *hgroup;
	unsigned int nr_sdevs;
	struct pviommu_shadow *cur;
};

/**
 * struct pviommu_sdev - a host device attached under a guest source-id
 * @node: in the engine's list of devices
 * @sid: source-id the guest sees
 * @group: its host IOMMU group
 * @shadow: the shadow the device's context entry resolves to, NULL when
 *	it resolves to none; the device translates through it when
 *	@group->cur is the same shadow, and is blocked otherwise
 * @ctx: its context entry as last read
 */
struct pviommu_sdev {
	struct list_head node;
	u16 sid;
	struct pviommu_sgroup *group;
	struct pviommu_shadow *shadow;
	struct pviommu_context ctx;
};

/**
 * struct pviommu_counters - engine counters
 * @maps: host map calls
 * @unmaps: host unmap calls
 * @syncs: host IOTLB syncs
 * @walks: guest page walks
 * @tables_read: guest table pages read
 * @faults: fault records produced
 * @unmappable: guest leaves whose GPA is not guest RAM (left unmapped)
 * @reserved: guest leaves over a host reserved IOVA range (left unmapped)
 */
struct pviommu_counters {
	u64 maps;
	u64 unmaps;
	u64 syncs;
	u64 walks;
	u64 tables_read;
	u64 faults;
	u64 unmappable;
	u64 reserved;
};

struct pviommu_unpin_run {
	u64 pa;
	u32 npages;
	bool dirty;
};

#define PVIOMMU_PIN_BATCH	512
#define PVIOMMU_MAX_RESV	16
#define PVIOMMU_UNPIN_RUNS	256

/**
 * struct pviommu_engine - the shadow state of one context
 * @ops: the host
 * @host: for @ops
 * @caps: the guest's capabilities
 * @gmem: guest RAM
 * @read: reads guest memory (pviommu_gmem_read() in production)
 * @read_priv: for @read
 * @fault: records a fault for the VMM (may be NULL)
 * @fault_priv: for @fault
 * @rtaddr: the guest's root-table register, valid when @root_set
 * @root_set: a root table is set
 * @translate: the guest's Translation Enable; when clear every device
 *	resolves to the pass-through shadow, whatever its context entry says
 * @shadows: list of struct pviommu_shadow
 * @devs: list of struct pviommu_sdev
 * @groups: list of struct pviommu_sgroup
 * @resv: IOVA ranges the host reserves (its MSI window, firmware regions):
 *	never mapped, first and last IOVA of each
 * @nr_resv: used entries of @resv
 * @nr_entries: guest leaves (and pass-through pieces) the shadows record
 * @max_entries: the limit on @nr_entries
 * @budget: guest entries the current call may still examine
 * @build_budget: guest entries one shadow build may examine in a call
 *	that has no continuation (attach, translation switch)
 * @failed: host failures in the current call: guest leaves (or RAM slots
 *	of a pass-through domain) left unmapped, devices left blocked
 * @cur: where a call that ran out of budget stopped (shadow_apply.c), and
 *	the raw descriptor it stopped in
 * @walk: scratch walk state
 * @pa: scratch for pinned pages' addresses
 * @upa: scratch for the physical addresses of a run's pages
 * @unmap: an unmap of adjacent entries, not issued yet (@unmap.shadow
 *	NULL when none)
 * @runs: pages unmapped, to unpin after the next sync
 * @nr_runs: used entries of @runs
 * @hold: an unmap since the last flush came back short: the flush keeps
 *	@runs pinned, in @held, instead of unpinning them
 * @held: pages kept pinned until no leaked shadow is left (its domain
 *	freed, nothing can map them)
 * @nr_held: used entries of @held
 * @nr_leaked: shadows with @leaked set
 * @stats: counters
 * @fail_nth: fault injection: with n, the nth fallible step from now on
 *	fails (CONFIG_PVIOMMU_FAULT_INJECTION builds only; 0: none)
 */
struct pviommu_engine {
	const struct pviommu_host_ops *ops;
	struct pviommu_host *host;
	const struct pviommu_caps *caps;
	struct pviommu_gmem *gmem;
	pviommu_read_fn read;
	void *read_priv;
	void (*fault)(void *priv, u16 sid, u64 iova, u32 reason);
	void *fault_priv;
	u64 rtaddr;
	bool root_set;
	bool translate;
	struct list_head shadows;
	struct list_head devs;
	struct list_head groups;
	u64 resv[PVIOMMU_MAX_RESV][2];
	unsigned int nr_resv;
	u64 nr_entries;
	u64 max_entries;
	u64 budget;
	u64 build_budget;
	unsigned int failed;
	struct {
		bool active;
		struct pviommu_shadow *shadow;
		struct pviommu_sdev *dev;
		u64 next;
		u64 desc[4];
	} cur;
	struct pviommu_walk *walk;
	u64 *pa;
	u64 *upa;
	struct {
		struct pviommu_shadow *shadow;
		u64 iova;
		u64 size;
	} unmap;
	struct pviommu_unpin_run *runs;
	unsigned int nr_runs;
	bool hold;
	struct pviommu_unpin_run *held;
	unsigned int nr_held;
	unsigned int nr_leaked;
	struct pviommu_counters stats;
	unsigned int fail_nth;
};

/**
 * struct pviommu_batch - raw invalidation descriptors to apply in order
 * @desc: the descriptors, as the guest wrote them (little endian)
 * @n: how many
 * @wide: 256-bit descriptors (4 quadwords each), else 128-bit (2)
 * @resume: the first descriptor is the one the previous batch stopped in
 *	with -EAGAIN: continue it (PVIOMMU_INVALIDATE_CONTINUE)
 * @done: out: descriptors completely applied
 * @signal: out: an invalidation wait with IF set completed
 * @error: out: why descriptor @done is invalid, on -EINVAL
 */
struct pviommu_batch {
	const __le64 *desc;
	unsigned int n;
	bool wide;
	bool resume;
	unsigned int done;
	bool signal;
	enum pviommu_qi_error error;
};

int pviommu_shadow_init(void);
void pviommu_shadow_exit(void);
int pviommu_engine_init(struct pviommu_engine *e);
void pviommu_engine_destroy(struct pviommu_engine *e);
void pviommu_engine_flush(struct pviommu_engine *e);
int pviommu_engine_attach(struct pviommu_engine *e, u16 sid,
			  struct pviommu_hgroup *hgroup);
int pviommu_engine_reserve(struct pviommu_engine *e, u64 start, u64 last);
int pviommu_engine_detach(struct pviommu_engine *e, u16 sid);
int pviommu_engine_set_root(struct pviommu_engine *e, u64 rtaddr);
int pviommu_engine_set_translation(struct pviommu_engine *e, bool on);
int pviommu_engine_add_slot(struct pviommu_engine *e,
			    const struct pviommu_ram_slot *slot);
void pviommu_engine_remove_slot(struct pviommu_engine *e, u64 gpa, u64 len);
int pviommu_engine_apply(struct pviommu_engine *e,
			 const struct pviommu_qi_action *act, bool resume);
int pviommu_engine_batch(struct pviommu_engine *e, struct pviommu_batch *b);
int pviommu_engine_query(struct pviommu_engine *e, u16 sid, u64 iova,
			 struct pviommu_entry *ent, u64 *phys);
unsigned int pviommu_engine_nr_shadows(struct pviommu_engine *e);
struct pviommu_hdom *pviommu_engine_hdom(struct pviommu_engine *e, u16 sid);

#endif /* _PVIOMMU_SHADOW_H */
