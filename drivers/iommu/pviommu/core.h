/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pviommu's hardware-independent core: guest capabilities, descriptor
 * decoding (qi.c), guest RAM (guest_mem.c), and root/context entries and
 * the second-level page walk (guest_pt.c).
 *
 * qi.c and guest_pt.c are pure: they take buffers and a guest-memory read
 * callback and return decoded results; they allocate nothing and take no
 * locks. Everything they read comes from the guest and is hostile: every
 * field is validated, and every walk is bounded.
 */
#ifndef _PVIOMMU_CORE_H
#define _PVIOMMU_CORE_H

#include <linux/maple_tree.h>
#include <linux/types.h>

/**
 * struct pviommu_caps - the guest's view of its VT-d unit
 * @cap: CAP_REG as the emulated unit reports it
 * @ecap: ECAP_REG as the emulated unit reports it
 * @haw: host address width the guest sees (DMAR table): guest physical
 *	addresses in tables and entries are below 2^haw
 * @mgaw: maximum guest address width: IOVAs are below 2^mgaw
 * @sagaw: supported adjusted guest address widths (CAP_REG.SAGAW)
 * @mamv: maximum address mask value for page-selective invalidation
 * @ndoms: number of domain IDs
 * @sl_rsvd: reserved bits of a present second-level entry, by level - 1
 *	and by leaf (1) or table (0) entry; all ones where no entry of that
 *	kind may exist
 * @fs_rsvd: the same for a present first-stage entry
 *
 * Built by pviommu_caps_init() from the values the VMM passes in; the
 * derived members are the validated fields of @cap and @ecap.
 */
struct pviommu_caps {
	u64 cap;
	u64 ecap;
	u8 haw;
	u8 mgaw;
	u8 sagaw;
	u8 mamv;
	u32 ndoms;
	u64 sl_rsvd[5][2];
	u64 fs_rsvd[5][2];
};

int pviommu_caps_init(struct pviommu_caps *caps, u64 cap, u64 ecap, u32 haw);
void pviommu_entry_rsvd_init(struct pviommu_caps *caps);

/* What a descriptor asks for, independent of its encoding. */
enum pviommu_qi_op {
	PVIOMMU_QI_NOP,		/* nothing for the shadow to do */
	PVIOMMU_QI_CONTEXT,	/* context-cache invalidation */
	PVIOMMU_QI_IOTLB,	/* IOTLB or PASID-based IOTLB invalidation */
	PVIOMMU_QI_PASID_CACHE,	/* PASID-cache invalidation */
	PVIOMMU_QI_WAIT,	/* invalidation wait */
};

/* Which entries an invalidation covers. */
enum pviommu_qi_scope {
	PVIOMMU_SCOPE_GLOBAL,	/* everything */
	PVIOMMU_SCOPE_DOMAIN,	/* everything tagged @did */
	PVIOMMU_SCOPE_DEVICE,	/* context entries of @sid under @fm */
	PVIOMMU_SCOPE_PASID,	/* everything tagged @did and @pasid */
	PVIOMMU_SCOPE_PAGE,	/* @start..@last in @did (and @pasid) */
};

/**
 * struct pviommu_qi_action - a decoded invalidation descriptor
 * @op: what to do
 * @scope: which entries
 * @type: the descriptor's VT-d type (VTD_QI_*)
 * @did: domain ID, for domain, PASID and page scopes
 * @sid: source-id, for device scope
 * @fm: function mask, for device scope: the low @fm bits of the function
 *	number are ignored when matching @sid
 * @has_pasid: the descriptor is PASID-based; @pasid is valid
 * @pasid: the PASID
 * @ih: invalidation hint: only leaf entries changed (IOTLB)
 * @start: first IOVA, for page scope
 * @last: last IOVA (inclusive), for page scope
 * @status_write: wait: write @status_data to @status_addr
 * @interrupt: wait: signal completion (IF)
 * @fence: wait: later descriptors wait for this one (FN)
 * @status_data: wait: the value to write
 * @status_addr: wait: guest physical address of the status word
 */
struct pviommu_qi_action {
	enum pviommu_qi_op op;
	enum pviommu_qi_scope scope;
	u8 type;
	u16 did;
	u16 sid;
	u8 fm;
	bool has_pasid;
	u32 pasid;
	bool ih;
	u64 start;
	u64 last;
	bool status_write;
	bool interrupt;
	bool fence;
	u32 status_data;
	u64 status_addr;
};

/* Why a descriptor is invalid; 0 when it is valid. */
enum pviommu_qi_error {
	PVIOMMU_QI_OK,
	PVIOMMU_QI_BAD_TYPE,		/* unknown or unsupported type */
	PVIOMMU_QI_BAD_RSVD,		/* a reserved bit is set */
	PVIOMMU_QI_BAD_WIDE,		/* 256-bit: qw2 or qw3 not zero */
	PVIOMMU_QI_BAD_GRAN,		/* reserved granularity */
	PVIOMMU_QI_BAD_AM,		/* address mask above MAMV */
	PVIOMMU_QI_BAD_ALIGN,		/* unused: the unit ignores bits below AM */
	PVIOMMU_QI_BAD_DID,		/* domain ID beyond CAP_REG.ND */
};

enum pviommu_qi_error pviommu_qi_decode(const struct pviommu_caps *caps,
					const u64 *desc, bool wide,
					struct pviommu_qi_action *act);

/**
 * typedef pviommu_read_fn - read guest physical memory
 * @priv: the reader's state
 * @gpa: guest physical address
 * @buf: destination
 * @len: bytes, at most one 4 KiB page, not crossing a page boundary
 *
 * Return: 0, or a negative errno when @gpa is not readable guest RAM.
 */
typedef int (*pviommu_read_fn)(void *priv, u64 gpa, void *buf, size_t len);

/**
 * struct pviommu_gmem - guest RAM: GPA ranges backed by VMM memory
 * @slots: maple tree of struct pviommu_ram_slot, keyed by GPA range
 * @nr_slots: number of slots
 * @last: the slot the last lookup found, tried first (walks and status
 *	writes nearly always stay in one slot); NULL when none
 *
 * The caller serializes all calls on one gmem (the context lock).
 */
struct pviommu_gmem {
	struct maple_tree slots;
	unsigned int nr_slots;
	struct pviommu_ram_slot *last;
};

/**
 * struct pviommu_ram_slot - one range of guest RAM
 * @gpa: first guest physical address, page aligned
 * @len: length in bytes, a multiple of the page size
 * @uaddr: where the VMM maps it
 * @readonly: the guest cannot write it; status writes there fail
 */
struct pviommu_ram_slot {
	u64 gpa;
	u64 len;
	u64 uaddr;
	bool readonly;
};

void pviommu_gmem_init(struct pviommu_gmem *gm);
void pviommu_gmem_destroy(struct pviommu_gmem *gm);
int pviommu_gmem_add(struct pviommu_gmem *gm, u64 gpa, u64 len, u64 uaddr,
		     bool readonly, unsigned int max_slots);
int pviommu_gmem_remove(struct pviommu_gmem *gm, u64 gpa, u64 len);
const struct pviommu_ram_slot *pviommu_gmem_lookup(struct pviommu_gmem *gm,
						   u64 gpa, u64 len);
int pviommu_gmem_read(void *gm, u64 gpa, void *buf, size_t len);
int pviommu_gmem_write(struct pviommu_gmem *gm, u64 gpa, const void *buf,
		       size_t len);

/**
 * struct pviommu_context - what a device's context entry says
 * @fault: VT-d fault reason when DMA from the device is blocked (root or
 *	context entry not present, unreadable or invalid); 0 when it is
 *	translated or passed through
 * @fpd: fault processing disabled: record no faults for this device
 * @pass_through: DMA addresses are guest physical addresses
 * @dev_tlb: the device may use ATS (TT = device-TLB)
 * @did: domain ID
 * @levels: second-level table depth, 3 to 5
 * @root: guest physical address of the second-level root table
 * @scalable: read from scalable-mode structures (fault reasons are the
 *	SM ones)
 * @first_stage: @root is a first-stage (IA-32e format) table, 4 or 5
 *	levels deep
 * @pasid: scalable mode: the RID_PASID the device's DMA without PASID
 *	translates through
 * @pasid_enabled: scalable mode: the context entry enables requests with
 *	PASID (PASIDE), which pviommu does not shadow
 */
struct pviommu_context {
	u8 fault;
	bool fpd;
	bool pass_through;
	bool dev_tlb;
	u16 did;
	u8 levels;
	u64 root;
	bool scalable;
	bool first_stage;
	u32 pasid;
	bool pasid_enabled;
};

bool pviommu_fault_not_present(u8 reason);

void pviommu_read_context(const struct pviommu_caps *caps,
			  pviommu_read_fn read, void *priv, u64 rtaddr,
			  u16 sid, struct pviommu_context *ctx);

/**
 * struct pviommu_leaf - one present second-level leaf
 * @iova: first IOVA, aligned to the leaf size
 * @gpa: guest physical address it translates to, aligned the same
 * @shift: log2 of the leaf size: 12, 21 or 30
 * @perm: VTD_SL_R | VTD_SL_W (the values of IOMMU_READ | IOMMU_WRITE),
 *	ANDed down the levels
 */
struct pviommu_leaf {
	u64 iova;
	u64 gpa;
	u8 shift;
	u8 perm;
};

struct pviommu_walk;

/**
 * struct pviommu_walk_ops - what a walk reports
 * @leaf: a present leaf; leaves come in ascending IOVA order, and every
 *	IOVA between two reported leaves is not present
 * @fault: an entry covering @iova..@last is invalid (VT-d fault @reason);
 *	nothing under it is present
 * @last_table: optional; the walk is about to read the last-level table at
 *	guest physical address @table, which translates the 2M at @iova, with
 *	permissions @perm from the levels above (a paging-structure cache
 *	entry, see pviommu_walk_last())
 *
 * A callback returning non-zero stops the walk with that value.
 */
struct pviommu_walk_ops {
	int (*leaf)(struct pviommu_walk *w, const struct pviommu_leaf *leaf);
	int (*fault)(struct pviommu_walk *w, u64 iova, u64 last, u8 reason);
	void (*last_table)(struct pviommu_walk *w, u64 iova, u64 table,
			   u8 perm);
};

#define PVIOMMU_WALK_MAX_LEVELS	5

/**
 * struct pviommu_walk - one second-level (or first-stage) page walk
 * @caps: the guest's capabilities
 * @read: reads guest memory
 * @priv: for @read
 * @ops: callbacks
 * @ops_priv: for the callbacks
 * @root: guest physical address of the root table
 * @levels: table depth, 3 to 5
 * @first_stage: the tables have the first-stage (IA-32e) format, for
 *	requests without PASID (user privilege): present is P, write needs
 *	R/W and every level needs U/S; IOVAs are the lower canonical half
 * @start: first IOVA to walk
 * @last: last IOVA to walk (inclusive)
 * @budget: entries the walk may still examine; 0 stops it with -EAGAIN
 * @next: after -EAGAIN, the first IOVA not yet walked: walk again from
 *	there to resume
 * @tables_read: table pages read (statistics)
 * @entries: entries examined (statistics)
 * @check_at: @entries at which the walk next checks for signals and
 *	reschedules
 * @table: one table page per level, filled by whole-page reads
 */
struct pviommu_walk {
	const struct pviommu_caps *caps;
	pviommu_read_fn read;
	void *priv;
	const struct pviommu_walk_ops *ops;
	void *ops_priv;
	u64 root;
	u8 levels;
	bool first_stage;
	u64 start;
	u64 last;
	u64 budget;
	u64 next;
	u64 tables_read;
	u64 entries;
	u64 check_at;
	__le64 table[PVIOMMU_WALK_MAX_LEVELS][512];
};

int pviommu_walk(struct pviommu_walk *w);
int pviommu_walk_last(struct pviommu_walk *w, u64 table, u8 perm);
u64 pviommu_walk_limit(const struct pviommu_caps *caps, u8 levels);

#endif /* _PVIOMMU_CORE_H */
