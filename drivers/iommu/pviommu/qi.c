// SPDX-License-Identifier: GPL-2.0
/*
 * Guest VT-d capabilities and invalidation-descriptor decoding.
 *
 * The guest writes descriptors into its invalidation queue; the VMM copies
 * them to pviommu unchanged. Decoding turns one 128- or 256-bit descriptor
 * into a struct pviommu_qi_action that says what to invalidate, or into the
 * reason it is invalid. A VT-d unit stops at an invalid descriptor and
 * reports an Invalidation Queue Error; pviommu's callers do the same.
 *
 * Validation follows the VT-d specification (rev 4.x, 6.5.2) against the
 * capabilities the guest's unit advertises:
 *
 *  - the type is qw0[3:0] with qw0[11:9] as bits 6:4; PASID-based types
 *    (6, 7, 8) exist only with scalable mode (ECAP.SMTS);
 *  - every reserved bit must be zero, and in 256-bit mode qw2 and qw3 are
 *    reserved for every type decoded here;
 *  - reserved granularity encodings are invalid;
 *  - a page-selective invalidation's address mask (AM) may not exceed
 *    CAP.MAMV. Address bits below 2^AM pages and at or above MGAW are
 *    ignored, as the unit ignores them: Linux 6.1 guests send the first
 *    page of a range that is not naturally aligned, with AM widened until
 *    the masked range covers it. A unit without page-selective support
 *    (CAP.PSI clear) invalidates the whole domain instead: the action
 *    widens, it is not an error;
 *  - domain IDs must be below the number CAP.ND reports. Device-selective
 *    context-cache invalidations are exempt: with caching mode, guests
 *    send them with DID 0 when an entry goes from not present to present.
 *
 * Nothing here has side effects; the decoded action is all there is.
 */
#include <linux/bitfield.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "core.h"
#include "vtd.h"

/**
 * pviommu_caps_init() - validate and record the guest's VT-d capabilities
 * @caps: filled in on success
 * @cap: CAP_REG of the emulated unit
 * @ecap: ECAP_REG of the emulated unit
 * @haw: host address width the guest sees (its DMAR table's HAW + 1)
 *
 * pviommu shadows only what the guest invalidates, so the unit must report
 * caching mode (the guest then invalidates on map as well as on unmap) and
 * queued invalidation.
 *
 * Return: 0, or -EINVAL when a capability is missing, reserved or out of
 * range.
 */
int pviommu_caps_init(struct pviommu_caps *caps, u64 cap, u64 ecap, u32 haw)
{
	u8 mgaw = FIELD_GET(VTD_CAP_MGAW, cap) + 1;
	u8 sagaw = FIELD_GET(VTD_CAP_SAGAW, cap);
	u8 mamv = FIELD_GET(VTD_CAP_MAMV, cap);
	u8 nd = FIELD_GET(VTD_CAP_ND, cap);

	if (!(cap & VTD_CAP_CM) || !(ecap & VTD_ECAP_QI))
		return -EINVAL;
	if (haw < 32 || haw > 52)
		return -EINVAL;
	if (mgaw < 30 || mgaw > 57)
		return -EINVAL;
	if (!sagaw || (sagaw & ~VTD_SAGAW_VALID))
		return -EINVAL;
	if ((cap & VTD_CAP_PSI) && mamv > mgaw - VTD_PAGE_SHIFT)
		return -EINVAL;
	if (nd > 6)
		return -EINVAL;

	memset(caps, 0, sizeof(*caps));
	caps->cap = cap;
	caps->ecap = ecap;
	caps->haw = haw;
	caps->mgaw = mgaw;
	caps->sagaw = sagaw;
	caps->mamv = (cap & VTD_CAP_PSI) ? mamv : 0;
	caps->ndoms = 1U << (4 + 2 * nd);
	pviommu_entry_rsvd_init(caps);
	return 0;
}

static bool qi_did_ok(const struct pviommu_caps *caps, u64 qw0,
		      struct pviommu_qi_action *act)
{
	act->did = FIELD_GET(VTD_QI_DID, qw0);
	return act->did < caps->ndoms;
}

/*
 * A page-selective range from qw1 (address, IH, AM). Without CAP.PSI the
 * unit invalidates the whole domain (or PASID) instead.
 */
static enum pviommu_qi_error qi_page_range(const struct pviommu_caps *caps,
					   u64 qw1,
					   enum pviommu_qi_scope wide_scope,
					   struct pviommu_qi_action *act)
{
	u8 am = FIELD_GET(VTD_QI_AM, qw1);
	u64 addr = qw1 & VTD_QI_ADDR;
	u64 size;

	act->ih = qw1 & VTD_QI_IH;
	if (!(caps->cap & VTD_CAP_PSI)) {
		act->scope = wide_scope;
		return PVIOMMU_QI_OK;
	}
	if (am > caps->mamv)
		return PVIOMMU_QI_BAD_AM;
	/*
	 * am <= mamv <= mgaw - 12 <= 45: no overflow. Aligned to the size
	 * and below 2^mgaw, the range cannot wrap.
	 */
	size = 1ULL << (VTD_PAGE_SHIFT + am);
	addr &= ~(size - 1) & GENMASK_ULL(caps->mgaw - 1, 0);

	act->scope = PVIOMMU_SCOPE_PAGE;
	act->start = addr;
	act->last = addr + size - 1;
	return PVIOMMU_QI_OK;
}

static enum pviommu_qi_error qi_context(const struct pviommu_caps *caps,
					const u64 *d,
					struct pviommu_qi_action *act)
{
	if ((d[0] & VTD_QI_CC_RSVD0) || d[1])
		return PVIOMMU_QI_BAD_RSVD;

	act->op = PVIOMMU_QI_CONTEXT;
	switch (FIELD_GET(VTD_QI_G, d[0])) {
	case 1:
		act->scope = PVIOMMU_SCOPE_GLOBAL;
		return PVIOMMU_QI_OK;
	case 2:
		act->scope = PVIOMMU_SCOPE_DOMAIN;
		return qi_did_ok(caps, d[0], act) ? PVIOMMU_QI_OK :
						    PVIOMMU_QI_BAD_DID;
	case 3:
		/* DID is informational here: caching mode sends 0. */
		act->scope = PVIOMMU_SCOPE_DEVICE;
		act->did = FIELD_GET(VTD_QI_DID, d[0]);
		act->sid = FIELD_GET(VTD_QI_CC_SID, d[0]);
		act->fm = FIELD_GET(VTD_QI_CC_FM, d[0]);
		return PVIOMMU_QI_OK;
	default:
		return PVIOMMU_QI_BAD_GRAN;
	}
}

/*
 * The scope of an IOTLB or PASID-based IOTLB invalidation: granularity
 * @wide_g invalidates @wide_scope (the domain, or the PASID in it), 3 is
 * page-selective within it.
 */
static enum pviommu_qi_error qi_iotlb_scope(const struct pviommu_caps *caps,
					    const u64 *d, u8 wide_g,
					    enum pviommu_qi_scope wide_scope,
					    struct pviommu_qi_action *act)
{
	u8 g = FIELD_GET(VTD_QI_G, d[0]);

	if (g != wide_g && g != 3)
		return PVIOMMU_QI_BAD_GRAN;
	if (!qi_did_ok(caps, d[0], act))
		return PVIOMMU_QI_BAD_DID;
	if (g == 3)
		return qi_page_range(caps, d[1], wide_scope, act);
	act->scope = wide_scope;
	return PVIOMMU_QI_OK;
}

static enum pviommu_qi_error qi_iotlb(const struct pviommu_caps *caps,
				      const u64 *d,
				      struct pviommu_qi_action *act)
{
	if ((d[0] & VTD_QI_IOTLB_RSVD0) || (d[1] & VTD_QI_IOTLB_RSVD1))
		return PVIOMMU_QI_BAD_RSVD;

	/* DR and DW are drain hints; the shadow drains by construction. */
	act->op = PVIOMMU_QI_IOTLB;
	if (FIELD_GET(VTD_QI_G, d[0]) == 1) {
		act->scope = PVIOMMU_SCOPE_GLOBAL;
		return PVIOMMU_QI_OK;
	}
	return qi_iotlb_scope(caps, d, 2, PVIOMMU_SCOPE_DOMAIN, act);
}

static enum pviommu_qi_error qi_piotlb(const struct pviommu_caps *caps,
				       const u64 *d,
				       struct pviommu_qi_action *act)
{
	if ((d[0] & VTD_QI_P_RSVD0) || (d[1] & VTD_QI_IOTLB_RSVD1))
		return PVIOMMU_QI_BAD_RSVD;

	act->op = PVIOMMU_QI_IOTLB;
	act->has_pasid = true;
	act->pasid = FIELD_GET(VTD_QI_PASID, d[0]);
	return qi_iotlb_scope(caps, d, VTD_QI_PIOTLB_G_PASID,
			      PVIOMMU_SCOPE_PASID, act);
}

static enum pviommu_qi_error qi_pasid_cache(const struct pviommu_caps *caps,
					    const u64 *d,
					    struct pviommu_qi_action *act)
{
	if ((d[0] & VTD_QI_P_RSVD0) || d[1])
		return PVIOMMU_QI_BAD_RSVD;

	act->op = PVIOMMU_QI_PASID_CACHE;
	switch (FIELD_GET(VTD_QI_G, d[0])) {
	case VTD_QI_PC_G_GLOBAL:
		act->scope = PVIOMMU_SCOPE_GLOBAL;
		return PVIOMMU_QI_OK;
	case VTD_QI_PC_G_DOMAIN:
		act->scope = PVIOMMU_SCOPE_DOMAIN;
		break;
	case VTD_QI_PC_G_PASID:
		act->scope = PVIOMMU_SCOPE_PASID;
		act->has_pasid = true;
		act->pasid = FIELD_GET(VTD_QI_PASID, d[0]);
		break;
	default:
		return PVIOMMU_QI_BAD_GRAN;
	}
	return qi_did_ok(caps, d[0], act) ? PVIOMMU_QI_OK : PVIOMMU_QI_BAD_DID;
}

static enum pviommu_qi_error qi_wait(const struct pviommu_caps *caps,
				     const u64 *d,
				     struct pviommu_qi_action *act)
{
	u64 rsvd0 = VTD_QI_WAIT_RSVD0;

	if (!(caps->ecap & VTD_ECAP_PDS))
		rsvd0 |= VTD_QI_WAIT_PD;
	if ((d[0] & rsvd0) || (d[1] & VTD_QI_WAIT_RSVD1))
		return PVIOMMU_QI_BAD_RSVD;

	act->op = PVIOMMU_QI_WAIT;
	act->status_write = d[0] & VTD_QI_WAIT_SW;
	act->interrupt = d[0] & VTD_QI_WAIT_IF;
	act->fence = d[0] & VTD_QI_WAIT_FN;
	act->status_data = FIELD_GET(VTD_QI_WAIT_DATA, d[0]);
	act->status_addr = d[1] & VTD_QI_WAIT_ADDR;
	return PVIOMMU_QI_OK;
}

/* Device-TLB and interrupt-entry-cache invalidations: validate only. */
static enum pviommu_qi_error qi_nop(u64 rsvd0, u64 rsvd1, const u64 *d,
				    struct pviommu_qi_action *act)
{
	if ((d[0] & rsvd0) || (d[1] & rsvd1))
		return PVIOMMU_QI_BAD_RSVD;
	act->op = PVIOMMU_QI_NOP;
	return PVIOMMU_QI_OK;
}

/**
 * pviommu_qi_decode() - decode and validate one invalidation descriptor
 * @caps: the guest's capabilities
 * @desc: the descriptor, 2 (128-bit) or 4 (256-bit) little-endian-decoded
 *	quadwords
 * @wide: @desc is a 256-bit descriptor
 * @act: the decoded action, valid when PVIOMMU_QI_OK is returned
 *
 * Device-TLB, PASID-based device-TLB and interrupt-entry-cache
 * invalidations decode to PVIOMMU_QI_NOP: the host IOMMU driver flushes
 * device TLBs of the host domains itself, and interrupt remapping stays
 * with the VMM.
 *
 * Return: PVIOMMU_QI_OK, or why the descriptor is invalid.
 */
enum pviommu_qi_error pviommu_qi_decode(const struct pviommu_caps *caps,
					const u64 *desc, bool wide,
					struct pviommu_qi_action *act)
{
	u8 type = FIELD_GET(VTD_QI_TYPE_LO, desc[0]) |
		  FIELD_GET(VTD_QI_TYPE_HI, desc[0]) << 4;
	bool scalable = caps->ecap & VTD_ECAP_SMTS;

	memset(act, 0, sizeof(*act));
	act->type = type;

	switch (type) {
	case VTD_QI_CC:
	case VTD_QI_IOTLB:
	case VTD_QI_DEV_TLB:
	case VTD_QI_IEC:
	case VTD_QI_WAIT:
		break;
	case VTD_QI_PIOTLB:
	case VTD_QI_PC:
	case VTD_QI_PDEV_TLB:
		if (scalable)
			break;
		fallthrough;
	default:
		return PVIOMMU_QI_BAD_TYPE;
	}
	if (wide && (desc[2] || desc[3]))
		return PVIOMMU_QI_BAD_WIDE;

	switch (type) {
	case VTD_QI_CC:
		return qi_context(caps, desc, act);
	case VTD_QI_IOTLB:
		return qi_iotlb(caps, desc, act);
	case VTD_QI_DEV_TLB:
		return qi_nop(VTD_QI_DEV_RSVD0, VTD_QI_DEV_RSVD1, desc, act);
	case VTD_QI_IEC:
		return qi_nop(VTD_QI_IEC_RSVD0, ~0ULL, desc, act);
	case VTD_QI_WAIT:
		return qi_wait(caps, desc, act);
	case VTD_QI_PIOTLB:
		return qi_piotlb(caps, desc, act);
	case VTD_QI_PC:
		return qi_pasid_cache(caps, desc, act);
	default: /* VTD_QI_PDEV_TLB */
		return qi_nop(0, VTD_QI_PDEV_RSVD1, desc, act);
	}
}
