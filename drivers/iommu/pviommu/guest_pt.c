// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's VT-d translation structures: root and context entries, and
 * second-level page tables (legacy mode, VT-d specification 9.1, 9.3, 9.8),
 * and in scalable mode the root and context entries, the PASID directory
 * and PASID table entry a device's DMA without PASID translates through
 * (9.2, 9.4-9.6), whose second-stage tables have the legacy format and
 * whose first-stage tables the IA-32e format (9.7).
 *
 * Everything here is read from guest memory through a pviommu_read_fn and
 * is hostile input. The rules:
 *
 *  - An entry whose R and W bits are both clear is not present; its other
 *    bits are ignored, as hardware ignores them.
 *  - A present entry with a reserved bit set (an address at or above the
 *    guest's HAW, PS where no large page is allowed or supported, a large
 *    page's address bits below its size, SNP without snoop control, TM
 *    without device-TLB support) is not present either, and is reported
 *    with VT-d fault reason 0xc so the VMM can record a fault.
 *  - A table that cannot be read (its GPA is not guest RAM) makes
 *    everything under it not present, fault reason 0x7.
 *  - Permissions are ANDed down the levels.
 *  - IOVAs are limited by the table depth and by CAP.MGAW; nothing above
 *    is walked.
 *
 * A walk visits only present directories: a table whose entries are all
 * not present costs one read and no descent, so a sparse 48- or 57-bit
 * space costs what is present in it. Each table read takes the entries the
 * walk needs from that table in one copy. The depth is bounded by the
 * table depth, whatever the entries point at (a table may point at itself;
 * it is then read again one level down, never followed further). The
 * number of entries examined is bounded by the caller's budget: when it
 * runs out, the walk stops with -EAGAIN and says where to resume. Long
 * walks reschedule and stop on a fatal signal, checked at a table read
 * after every WALK_CHECK_EVERY entries examined.
 *
 * Leaves are reported in ascending IOVA order, so a caller that sees leaf
 * A and then leaf B knows that nothing between them is present.
 */
#include <linux/bitfield.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "core.h"
#include "vtd.h"

/* Address bits at or above the guest's HAW, up to bit 51. */
static u64 beyond_haw(const struct pviommu_caps *caps)
{
	return caps->haw < 52 ? GENMASK_ULL(51, caps->haw) : 0;
}

/* The same for a root or context entry, where bits 63:52 are reserved. */
static u64 beyond_haw_63(const struct pviommu_caps *caps)
{
	return GENMASK_ULL(63, caps->haw);
}

/* Read the 128-bit root or context entry at @gpa. */
static bool read_entry(pviommu_read_fn read, void *priv, u64 gpa, u64 *lo,
		       u64 *hi)
{
	__le64 e[2];

	if (read(priv, gpa, e, sizeof(e)))
		return false;
	*lo = le64_to_cpu(e[0]);
	*hi = le64_to_cpu(e[1]);
	return true;
}

/* Read the @n 64-bit words at @gpa. */
static bool read_words(pviommu_read_fn read, void *priv, u64 gpa, u64 *w,
		       unsigned int n)
{
	__le64 e[8];
	unsigned int i;

	if (read(priv, gpa, e, n * sizeof(e[0])))
		return false;
	for (i = 0; i < n; i++)
		w[i] = le64_to_cpu(e[i]);
	return true;
}

/**
 * pviommu_fault_not_present() - a fault for an entry that is only absent
 * @reason: a VT-d fault reason from pviommu_read_context()
 *
 * The unit records such a fault only at the device's DMA; pviommu records
 * none for it, unlike for an erroneous entry.
 *
 * Return: whether @reason says a root, context or PASID entry is not
 * present.
 */
bool pviommu_fault_not_present(u8 reason)
{
	switch (reason) {
	case VTD_FR_ROOT_ENTRY_P:
	case VTD_FR_CONTEXT_ENTRY_P:
	case VTD_FR_SM_ROOT_ENTRY_P:
	case VTD_FR_SM_CONTEXT_ENTRY_P:
	case VTD_FR_SM_PDE_P:
	case VTD_FR_SM_PTE_P:
		return true;
	default:
		return false;
	}
}

/*
 * Scalable mode (TTM 1): the root entry's half for the devfn, the 256-bit
 * context entry, then the PASID directory and table entries of the
 * context's RID_PASID, which DMA without PASID translates through. PGTT 1
 * (first stage), 2 (second stage) and 4 (pass-through) translate; PGTT 3
 * (nested) is refused as an invalid entry, and so is a PGTT the guest's
 * ECAP does not offer.
 */
static void read_sm_context(const struct pviommu_caps *caps,
			    pviommu_read_fn read, void *priv, u64 rta, u16 sid,
			    struct pviommu_context *ctx)
{
	u8 devfn = sid & 0xff;
	u64 re[2], ce[4], pde, pte[8], ptr;
	u32 pasid;
	u8 aw;

	ctx->scalable = true;
	if (!read_words(read, priv, rta + (sid >> 8) * 16, re, 2)) {
		ctx->fault = VTD_FR_SM_ROOT_ENTRY_INV;
		return;
	}
	ptr = re[devfn >> 7];
	if (!(ptr & VTD_SRE_P)) {
		ctx->fault = VTD_FR_SM_ROOT_ENTRY_P;
		return;
	}
	if (ptr & (VTD_SRE_RSVD | beyond_haw_63(caps))) {
		ctx->fault = VTD_FR_SM_ROOT_ENTRY_RSVD;
		return;
	}

	if (!read_words(read, priv, (ptr & VTD_SRE_CTP) + (devfn & 0x7f) * 32,
			ce, 4)) {
		ctx->fault = VTD_FR_SM_CONTEXT_ENTRY_INV;
		return;
	}
	if (!(ce[0] & VTD_SCE_P)) {
		ctx->fault = VTD_FR_SM_CONTEXT_ENTRY_P;
		return;
	}
	if ((ce[0] & (VTD_SCE_RSVD0 | beyond_haw_63(caps))) ||
	    (ce[1] & VTD_SCE_RSVD1) || ce[2] || ce[3]) {
		ctx->fault = VTD_FR_SM_CONTEXT_ENTRY_RSVD;
		return;
	}
	ctx->fpd = ce[0] & VTD_SCE_FPD;
	ctx->pasid_enabled = ce[0] & VTD_SCE_PASIDE;
	pasid = FIELD_GET(VTD_SCE_RID_PASID, ce[1]);
	ctx->pasid = pasid;
	/* The directory has 2^(PDTS + 7) entries of 64 PASIDs each. */
	if (pasid >> 6 >= 1U << (FIELD_GET(VTD_SCE_PDTS, ce[0]) + 7)) {
		ctx->fault = VTD_FR_SM_PASID_TOO_LARGE;
		return;
	}

	if (!read_words(read, priv, (ce[0] & VTD_SCE_PDTP) + (pasid >> 6) * 8,
			&pde, 1)) {
		ctx->fault = VTD_FR_SM_PDE_INV;
		return;
	}
	if (!(pde & VTD_PDE_P)) {
		ctx->fault = VTD_FR_SM_PDE_P;
		return;
	}
	if (pde & (VTD_PDE_RSVD | beyond_haw_63(caps))) {
		ctx->fault = VTD_FR_SM_PDE_RSVD;
		return;
	}
	ctx->fpd |= pde & VTD_PDE_FPD;

	if (!read_words(read, priv, (pde & VTD_PDE_PTP) + (pasid & 0x3f) * 64,
			pte, 8)) {
		ctx->fault = VTD_FR_SM_PTE_INV;
		return;
	}
	if (!(pte[0] & VTD_PTE_P)) {
		ctx->fault = VTD_FR_SM_PTE_P;
		return;
	}
	if ((pte[0] & (VTD_PTE_RSVD0 | beyond_haw_63(caps))) ||
	    (pte[1] & VTD_PTE_RSVD1) || pte[3] || pte[4] || pte[5] ||
	    pte[6] || pte[7]) {
		ctx->fault = VTD_FR_SM_PTE_RSVD;
		return;
	}
	ctx->fpd |= pte[0] & VTD_PTE_FPD;
	ctx->did = FIELD_GET(VTD_PTE_DID, pte[1]);
	/* With caching mode, domain ID 0 is reserved (VT-d 6.1). */
	if (ctx->did >= caps->ndoms || !ctx->did) {
		ctx->fault = VTD_FR_SM_PTE_BAD;
		return;
	}
	switch (FIELD_GET(VTD_PTE_PGTT, pte[0])) {
	case VTD_PGTT_SS:
		if (!(caps->ecap & VTD_ECAP_SLTS))
			break;
		aw = FIELD_GET(VTD_PTE_AW, pte[0]);
		if (!(caps->sagaw & BIT(aw)))
			break;
		ctx->levels = aw + 2;
		ctx->root = pte[0] & VTD_PTE_SSPTPTR;
		return;
	case VTD_PGTT_PT:
		if (!(caps->ecap & VTD_ECAP_PT))
			break;
		ctx->pass_through = true;
		return;
	case VTD_PGTT_FS:
		if (!(caps->ecap & VTD_ECAP_FLTS))
			break;
		if (pte[2] & beyond_haw_63(caps)) {
			ctx->fault = VTD_FR_SM_PTE_RSVD;
			return;
		}
		/* FLPM 0: 4 levels; 1: 5 levels, with CAP.FL5LP. */
		ctx->levels = 4 + FIELD_GET(VTD_PTE_FLPM, pte[2]);
		if (ctx->levels > 5 ||
		    (ctx->levels == 5 && !(caps->cap & VTD_CAP_FL5LP)))
			break;
		ctx->first_stage = true;
		ctx->root = pte[2] & VTD_PTE_FSPTPTR;
		return;
	default:
		/* Nested: not shadowed. */
		break;
	}
	ctx->fault = VTD_FR_SM_PTE_BAD;
}

/**
 * pviommu_read_context() - look up a device's context entry
 * @caps: the guest's capabilities
 * @read: reads guest memory
 * @priv: for @read
 * @rtaddr: the guest's root-table address register: legacy or scalable
 *	mode (TTM 0 or 1)
 * @sid: the device's source-id (bus << 8 | devfn) as the guest sees it
 * @ctx: the result; @ctx->fault is 0 when the device is translated or
 *	passed through, else the VT-d fault reason its DMA would get
 */
void pviommu_read_context(const struct pviommu_caps *caps,
			  pviommu_read_fn read, void *priv, u64 rtaddr,
			  u16 sid, struct pviommu_context *ctx)
{
	u64 rta = rtaddr & VTD_RTADDR_RTA;
	u64 lo, hi;
	u8 aw;

	memset(ctx, 0, sizeof(*ctx));
	if (FIELD_GET(VTD_RTADDR_TTM, rtaddr) == VTD_TTM_SCALABLE) {
		read_sm_context(caps, read, priv, rta, sid, ctx);
		return;
	}

	if (!read_entry(read, priv, rta + (sid >> 8) * 16, &lo, &hi)) {
		ctx->fault = VTD_FR_ROOT_TABLE_INV;
		return;
	}
	if (!(lo & VTD_RE_P)) {
		ctx->fault = VTD_FR_ROOT_ENTRY_P;
		return;
	}
	if ((lo & (VTD_RE_RSVD_LO | beyond_haw_63(caps))) || hi) {
		ctx->fault = VTD_FR_ROOT_ENTRY_RSVD;
		return;
	}

	if (!read_entry(read, priv, (lo & VTD_RE_CTP) + (sid & 0xff) * 16, &lo,
			&hi)) {
		ctx->fault = VTD_FR_CONTEXT_TABLE_INV;
		return;
	}
	if (!(lo & VTD_CE_P)) {
		ctx->fault = VTD_FR_CONTEXT_ENTRY_P;
		return;
	}
	if ((lo & (VTD_CE_RSVD_LO | beyond_haw_63(caps))) ||
	    (hi & VTD_CE_RSVD_HI)) {
		ctx->fault = VTD_FR_CONTEXT_ENTRY_RSVD;
		return;
	}
	ctx->fpd = lo & VTD_CE_FPD;
	ctx->did = FIELD_GET(VTD_CE_DID, hi);
	/* With caching mode, domain ID 0 is reserved (VT-d 6.1). */
	if (ctx->did >= caps->ndoms || !ctx->did) {
		ctx->fault = VTD_FR_CONTEXT_ENTRY_INV;
		return;
	}

	switch (FIELD_GET(VTD_CE_TT, lo)) {
	case VTD_TT_MULTI_LEVEL:
		break;
	case VTD_TT_DEV_TLB:
		if (!(caps->ecap & VTD_ECAP_DT)) {
			ctx->fault = VTD_FR_CONTEXT_ENTRY_INV;
			return;
		}
		ctx->dev_tlb = true;
		break;
	case VTD_TT_PASS_THROUGH:
		if (!(caps->ecap & VTD_ECAP_PT)) {
			ctx->fault = VTD_FR_CONTEXT_ENTRY_INV;
			return;
		}
		ctx->pass_through = true;
		return;
	default:
		ctx->fault = VTD_FR_CONTEXT_ENTRY_INV;
		return;
	}

	aw = FIELD_GET(VTD_CE_AW, hi);
	if (!(caps->sagaw & BIT(aw))) {
		ctx->fault = VTD_FR_CONTEXT_ENTRY_INV;
		return;
	}
	ctx->levels = aw + 2;
	ctx->root = lo & VTD_CE_SLPTPTR;
}

/**
 * pviommu_walk_limit() - the last IOVA a table of @levels levels translates
 * @caps: the guest's capabilities (CAP.MGAW limits it too)
 * @levels: table depth, 3 to 5
 *
 * Return: the highest IOVA the walk visits.
 */
u64 pviommu_walk_limit(const struct pviommu_caps *caps, u8 levels)
{
	u8 width = min_t(u8, VTD_PAGE_SHIFT + levels * VTD_SL_LEVEL_BITS,
			 caps->mgaw);

	return (1ULL << width) - 1;
}

/* Reserved bits of a present entry at @level (1 = last level). */
static u64 sl_rsvd(const struct pviommu_caps *caps, unsigned int level,
		   bool leaf)
{
	u64 rsvd = beyond_haw(caps) | VTD_SL_TM | VTD_SL_SNP;

	if (!leaf)
		return level >= 4 ? rsvd | VTD_SL_PS : rsvd;

	if (caps->ecap & VTD_ECAP_SC)
		rsvd &= ~VTD_SL_SNP;
	if (caps->ecap & VTD_ECAP_DT)
		rsvd &= ~VTD_SL_TM;
	switch (level) {
	case 1:
		return rsvd;
	case 2:
		if (!(caps->cap & VTD_CAP_SLLPS_2M))
			return ~0ULL;
		return rsvd | GENMASK_ULL(20, 12);
	case 3:
		if (!(caps->cap & VTD_CAP_SLLPS_1G))
			return ~0ULL;
		return rsvd | GENMASK_ULL(29, 12);
	default:
		return ~0ULL;	/* PS is reserved at levels 4 and 5 */
	}
}

/*
 * Reserved bits of a present first-stage entry at @level: addresses at or
 * above the HAW, PS at levels 4 and 5, a large page's address bits below
 * its size (bit 12 is its PAT bit), 1G pages without CAP.FL1GP. Bits
 * 62:52, 11:8 and XD (63) are ignored: DMA does not execute.
 */
static u64 fs_rsvd(const struct pviommu_caps *caps, unsigned int level,
		   bool leaf)
{
	u64 rsvd = beyond_haw(caps);

	if (!leaf)
		return rsvd;
	switch (level) {
	case 1:
		return rsvd;
	case 2:
		return rsvd | GENMASK_ULL(20, 13);
	case 3:
		if (!(caps->cap & VTD_CAP_FL1GP))
			return ~0ULL;
		return rsvd | GENMASK_ULL(29, 13);
	default:
		return ~0ULL;
	}
}

/**
 * pviommu_entry_rsvd_init() - compute @caps->sl_rsvd and @caps->fs_rsvd
 * @caps: the guest's capabilities
 *
 * The walk looks the reserved bits of each present entry up there.
 */
void pviommu_entry_rsvd_init(struct pviommu_caps *caps)
{
	unsigned int level;

	static_assert(ARRAY_SIZE(caps->sl_rsvd) == PVIOMMU_WALK_MAX_LEVELS &&
		      ARRAY_SIZE(caps->fs_rsvd) == PVIOMMU_WALK_MAX_LEVELS);
	for (level = 1; level <= PVIOMMU_WALK_MAX_LEVELS; level++) {
		caps->sl_rsvd[level - 1][0] = sl_rsvd(caps, level, false);
		caps->sl_rsvd[level - 1][1] = sl_rsvd(caps, level, true);
		caps->fs_rsvd[level - 1][0] = fs_rsvd(caps, level, false);
		caps->fs_rsvd[level - 1][1] = fs_rsvd(caps, level, true);
	}
}

/* Entries a walk examines between checks for signals and rescheduling. */
#define WALK_CHECK_EVERY	512

static int walk_fault(struct pviommu_walk *w, u64 iova, u64 last, u8 reason)
{
	iova = max(iova, w->start);
	last = min(last, w->last);
	return w->ops->fault ? w->ops->fault(w, iova, last, reason) : 0;
}

/*
 * Walk the table at @table of level @level, whose entry 0 translates @base,
 * with permissions @perm from the levels above.
 */
static int walk_table(struct pviommu_walk *w, u64 table, u8 level, u64 base,
		      u8 perm)
{
	u8 shift = VTD_PAGE_SHIFT + (level - 1) * VTD_SL_LEVEL_BITS;
	u64 span = 1ULL << (shift + VTD_SL_LEVEL_BITS);
	u64 lo = max(w->start, base);
	u64 hi = min(w->last, base + span - 1);
	unsigned int first = (lo - base) >> shift;
	unsigned int last = (hi - base) >> shift;
	__le64 *t = w->table[level - 1];
	u64 addr_mask = GENMASK_ULL(w->caps->haw - 1, VTD_PAGE_SHIFT);
	unsigned int i;
	int ret;

	if (w->entries >= w->check_at) {
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		w->check_at = w->entries + WALK_CHECK_EVERY;
	}

	/* The entries this walk needs, in one copy. */
	if (w->read(w->priv, table + first * sizeof(*t), t + first,
		    (last - first + 1) * sizeof(*t)))
		return walk_fault(w, lo, hi, VTD_FR_PAGING_ENTRY_INV);
	w->tables_read++;

	for (i = first; i <= last; i++) {
		u64 iova = base + ((u64)i << shift);
		u64 pte = le64_to_cpu(t[i]);
		struct pviommu_leaf leaf;
		bool is_leaf;
		u64 rsvd;
		u8 p;

		if (!w->budget) {
			w->next = max(iova, w->start);
			return -EAGAIN;
		}
		w->budget--;
		w->entries++;

		if (w->first_stage) {
			/* User privilege: no access without U/S. */
			if (!(pte & VTD_FS_P))
				continue;
			p = !(pte & VTD_FS_US) ? 0 : (pte & VTD_FS_RW) ?
			    perm : perm & VTD_SL_R;
			is_leaf = level == 1 || (pte & VTD_FS_PS);
			rsvd = w->caps->fs_rsvd[level - 1][is_leaf];
		} else {
			p = perm & pte & (VTD_SL_R | VTD_SL_W);
			if (!(pte & (VTD_SL_R | VTD_SL_W)))
				continue;
			is_leaf = level == 1 || (pte & VTD_SL_PS);
			rsvd = w->caps->sl_rsvd[level - 1][is_leaf];
		}
		if (pte & rsvd) {
			ret = walk_fault(w, iova, iova + (1ULL << shift) - 1,
					 VTD_FR_PAGING_ENTRY_RSVD);
			if (ret)
				return ret;
			continue;
		}

		if (!is_leaf) {
			if (!p && w->first_stage)
				continue;	/* nothing below is reachable */
			if (level == 2 && w->ops->last_table)
				w->ops->last_table(w, iova, pte & addr_mask, p);
			ret = walk_table(w, pte & addr_mask, level - 1, iova, p);
			if (ret)
				return ret;
			continue;
		}
		if (!p)
			continue;	/* present above, no access left */
		leaf.iova = iova;
		leaf.gpa = pte & addr_mask & ~((1ULL << shift) - 1);
		leaf.shift = shift;
		leaf.perm = p;
		ret = w->ops->leaf(w, &leaf);
		if (ret)
			return ret;
	}
	return 0;
}

static void walk_begin(struct pviommu_walk *w)
{
	w->next = w->start;
	w->check_at = w->entries + WALK_CHECK_EVERY;
}

/**
 * pviommu_walk() - walk second-level (or first-stage) tables over
 *	@w->start..@w->last
 * @w: the walk; the caller sets @caps, @read, @priv, @ops, @root, @levels,
 *	@first_stage, @start, @last and @budget
 *
 * Reports each present leaf overlapping the range, whole, in ascending IOVA
 * order, and each invalid entry or unreadable table as a fault. IOVAs above
 * pviommu_walk_limit() are not walked.
 *
 * Return: 0 when the range was walked; -EAGAIN when the budget ran out, with
 * @w->next the first IOVA not walked; -EINTR on a fatal signal; or what a
 * callback returned.
 */
int pviommu_walk(struct pviommu_walk *w)
{
	u64 limit;

	if (w->levels < 3 || w->levels > PVIOMMU_WALK_MAX_LEVELS)
		return -EINVAL;
	limit = pviommu_walk_limit(w->caps, w->levels);
	/* First stage: the lower canonical half; the upper is not walked. */
	if (w->first_stage)
		limit = (1ULL << (VTD_PAGE_SHIFT +
				  w->levels * VTD_SL_LEVEL_BITS - 1)) - 1;
	if (w->start > w->last || w->start > limit)
		return 0;
	w->last = min(w->last, limit);
	walk_begin(w);
	return walk_table(w, w->root, w->levels, 0, VTD_SL_R | VTD_SL_W);
}

/**
 * pviommu_walk_last() - walk one last-level table, as pviommu_walk() would
 * @w: as for pviommu_walk() (@root and @levels unused); @start..@last must
 *	lie in one 2M-aligned 2M of IOVA, below pviommu_walk_limit()
 * @table: guest physical address of the last-level table translating it
 * @perm: permissions of the levels above that table
 *
 * For a caller that keeps a paging-structure cache, as a VT-d unit may:
 * what an earlier walk reported through @w->ops->last_table, until an
 * invalidation without the invalidation hint (IH) covers it.
 *
 * Return: as pviommu_walk().
 */
int pviommu_walk_last(struct pviommu_walk *w, u64 table, u8 perm)
{
	if (WARN_ON_ONCE(w->start > w->last || (w->start ^ w->last) >> 21))
		return -EINVAL;
	walk_begin(w);
	return walk_table(w, table, 1, round_down(w->start, SZ_2M), perm);
}
