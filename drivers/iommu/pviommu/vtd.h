/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VT-d architecture definitions as the guest sees them: capability
 * registers, invalidation descriptors, root and context entries, and
 * second-level page-table entries (VT-d specification rev 4.x, chapters 6,
 * 9 and 11). Only what pviommu decodes is here; the host's own VT-d driver
 * is never involved.
 */
#ifndef _PVIOMMU_VTD_H
#define _PVIOMMU_VTD_H

#include <linux/bits.h>
#include <linux/types.h>

/* CAP_REG */
#define VTD_CAP_ND			GENMASK_ULL(2, 0)
#define VTD_CAP_CM			BIT_ULL(7)
#define VTD_CAP_SAGAW			GENMASK_ULL(12, 8)
#define VTD_CAP_MGAW			GENMASK_ULL(21, 16)
#define VTD_CAP_SLLPS_2M		BIT_ULL(34)
#define VTD_CAP_SLLPS_1G		BIT_ULL(35)
#define VTD_CAP_PSI			BIT_ULL(39)
#define VTD_CAP_MAMV			GENMASK_ULL(53, 48)
#define VTD_CAP_FL1GP			BIT_ULL(56)
#define VTD_CAP_FL5LP			BIT_ULL(60)

/* ECAP_REG */
#define VTD_ECAP_QI			BIT_ULL(1)
#define VTD_ECAP_DT			BIT_ULL(2)
#define VTD_ECAP_PT			BIT_ULL(6)
#define VTD_ECAP_SC			BIT_ULL(7)
#define VTD_ECAP_PDS			BIT_ULL(42)
#define VTD_ECAP_SMTS			BIT_ULL(43)
#define VTD_ECAP_SLTS			BIT_ULL(46)
#define VTD_ECAP_FLTS			BIT_ULL(47)

/* SAGAW bit n: (30 + 9 * n)-bit, (n + 2)-level tables; 1..3 defined. */
#define VTD_SAGAW_VALID			GENMASK(3, 1)

/* RTADDR_REG */
#define VTD_RTADDR_RTA			GENMASK_ULL(63, 12)
#define VTD_RTADDR_TTM			GENMASK_ULL(11, 10)
#define VTD_RTADDR_RSVD			GENMASK_ULL(9, 0)
#define VTD_TTM_LEGACY			0
#define VTD_TTM_SCALABLE		1

/* Invalidation descriptors: type is qw0[3:0] | qw0[11:9] << 4. */
#define VTD_QI_TYPE_LO			GENMASK_ULL(3, 0)
#define VTD_QI_TYPE_HI			GENMASK_ULL(11, 9)
#define VTD_QI_G			GENMASK_ULL(5, 4)
#define VTD_QI_DID			GENMASK_ULL(31, 16)

#define VTD_QI_CC			0x1
#define VTD_QI_IOTLB			0x2
#define VTD_QI_DEV_TLB			0x3
#define VTD_QI_IEC			0x4
#define VTD_QI_WAIT			0x5
#define VTD_QI_PIOTLB			0x6
#define VTD_QI_PC			0x7
#define VTD_QI_PDEV_TLB			0x8

/* Context-cache invalidate (6.5.2.1) */
#define VTD_QI_CC_SID			GENMASK_ULL(47, 32)
#define VTD_QI_CC_FM			GENMASK_ULL(49, 48)
#define VTD_QI_CC_RSVD0			0xfffc00000000f1c0ULL

/* IOTLB invalidate (6.5.2.3) */
#define VTD_QI_IOTLB_DW			BIT_ULL(6)
#define VTD_QI_IOTLB_DR			BIT_ULL(7)
#define VTD_QI_IOTLB_RSVD0		0xffffffff0000f100ULL
#define VTD_QI_ADDR			GENMASK_ULL(63, 12)
#define VTD_QI_IH			BIT_ULL(6)
#define VTD_QI_AM			GENMASK_ULL(5, 0)
#define VTD_QI_IOTLB_RSVD1		0xf80ULL

/* Device-TLB invalidate (6.5.2.5): PFSID in [15:12] and [63:52]. */
#define VTD_QI_DEV_SID			GENMASK_ULL(47, 32)
#define VTD_QI_DEV_RSVD0		0x000f0000ffe001f0ULL
#define VTD_QI_DEV_S			BIT_ULL(0)
#define VTD_QI_DEV_RSVD1		0xffeULL

/* Interrupt-entry-cache invalidate (6.5.2.7) */
#define VTD_QI_IEC_RSVD0		0xffff000007fff1e0ULL

/* Invalidation wait (6.5.2.8) */
#define VTD_QI_WAIT_IF			BIT_ULL(4)
#define VTD_QI_WAIT_SW			BIT_ULL(5)
#define VTD_QI_WAIT_FN			BIT_ULL(6)
#define VTD_QI_WAIT_PD			BIT_ULL(7)
#define VTD_QI_WAIT_DATA		GENMASK_ULL(63, 32)
#define VTD_QI_WAIT_RSVD0		0xfffff100ULL
#define VTD_QI_WAIT_ADDR		GENMASK_ULL(63, 2)
#define VTD_QI_WAIT_RSVD1		0x3ULL

/* PASID-based IOTLB (6.5.2.4) and PASID-cache (6.5.2.2) invalidate */
#define VTD_QI_PASID			GENMASK_ULL(51, 32)
#define VTD_QI_P_RSVD0			0xfff000000000f1c0ULL
#define VTD_QI_PIOTLB_G_PASID		2	/* non-globals within PASID */
#define VTD_QI_PIOTLB_G_PAGE		3	/* page-selective within PASID */
#define VTD_QI_PC_G_DOMAIN		0
#define VTD_QI_PC_G_PASID		1
#define VTD_QI_PC_G_GLOBAL		3

/* PASID-based device-TLB invalidate (6.5.2.6) */
#define VTD_QI_PDEV_SID			GENMASK_ULL(31, 16)
#define VTD_QI_PDEV_G			BIT_ULL(0)
#define VTD_QI_PDEV_RSVD1		0x7feULL

/* Root entry (legacy mode, 9.1) */
#define VTD_RE_P			BIT_ULL(0)
#define VTD_RE_CTP			GENMASK_ULL(63, 12)
#define VTD_RE_RSVD_LO			GENMASK_ULL(11, 1)

/* Context entry (legacy mode, 9.3) */
#define VTD_CE_P			BIT_ULL(0)
#define VTD_CE_FPD			BIT_ULL(1)
#define VTD_CE_TT			GENMASK_ULL(3, 2)
#define VTD_CE_RSVD_LO			GENMASK_ULL(11, 4)
#define VTD_CE_SLPTPTR			GENMASK_ULL(63, 12)
#define VTD_CE_AW			GENMASK_ULL(2, 0)
#define VTD_CE_DID			GENMASK_ULL(23, 8)
#define VTD_CE_RSVD_HI			(GENMASK_ULL(63, 24) | BIT_ULL(7))
#define VTD_TT_MULTI_LEVEL		0
#define VTD_TT_DEV_TLB			1
#define VTD_TT_PASS_THROUGH		2

/* Scalable-mode root entry (9.2): lower half devfn 0-127, upper 128-255 */
#define VTD_SRE_P			BIT_ULL(0)
#define VTD_SRE_RSVD			GENMASK_ULL(11, 1)
#define VTD_SRE_CTP			GENMASK_ULL(63, 12)

/* Scalable-mode context entry (9.4), 256 bits */
#define VTD_SCE_P			BIT_ULL(0)
#define VTD_SCE_FPD			BIT_ULL(1)
#define VTD_SCE_PASIDE			BIT_ULL(3)
#define VTD_SCE_RSVD0			GENMASK_ULL(8, 5)
#define VTD_SCE_PDTS			GENMASK_ULL(11, 9)
#define VTD_SCE_PDTP			GENMASK_ULL(63, 12)
#define VTD_SCE_RID_PASID		GENMASK_ULL(19, 0)
#define VTD_SCE_RSVD1			GENMASK_ULL(63, 21)

/* Scalable-mode PASID directory entry (9.5) */
#define VTD_PDE_P			BIT_ULL(0)
#define VTD_PDE_FPD			BIT_ULL(1)
#define VTD_PDE_RSVD			GENMASK_ULL(11, 2)
#define VTD_PDE_PTP			GENMASK_ULL(63, 12)

/* Scalable-mode PASID table entry (9.6), 512 bits */
#define VTD_PTE_P			BIT_ULL(0)
#define VTD_PTE_FPD			BIT_ULL(1)
#define VTD_PTE_AW			GENMASK_ULL(4, 2)
#define VTD_PTE_PGTT			GENMASK_ULL(8, 6)
#define VTD_PTE_RSVD0			(BIT_ULL(5) | GENMASK_ULL(11, 9))
#define VTD_PTE_SSPTPTR			GENMASK_ULL(63, 12)
#define VTD_PTE_DID			GENMASK_ULL(15, 0)
#define VTD_PTE_RSVD1			GENMASK_ULL(22, 16)
#define VTD_PTE_FLPM			GENMASK_ULL(3, 2)	/* qw2 */
#define VTD_PTE_FSPTPTR			GENMASK_ULL(63, 12)	/* qw2 */
#define VTD_PGTT_FS			1
#define VTD_PGTT_SS			2
#define VTD_PGTT_NESTED			3
#define VTD_PGTT_PT			4

/* First-stage paging entries (9.7): IA-32e format */
#define VTD_FS_P			BIT_ULL(0)
#define VTD_FS_RW			BIT_ULL(1)
#define VTD_FS_US			BIT_ULL(2)
#define VTD_FS_PS			BIT_ULL(7)

/* Second-level paging entries (9.8) */
#define VTD_SL_R			BIT_ULL(0)
#define VTD_SL_W			BIT_ULL(1)
#define VTD_SL_PS			BIT_ULL(7)
#define VTD_SL_SNP			BIT_ULL(11)
#define VTD_SL_TM			BIT_ULL(62)
#define VTD_SL_ADDR_MAX			GENMASK_ULL(51, 12)
#define VTD_SL_LEVEL_BITS		9
#define VTD_SL_ENTRIES			512

/* Fault reasons (legacy mode, 7.1.3) */
#define VTD_FR_ROOT_ENTRY_P		0x1
#define VTD_FR_CONTEXT_ENTRY_P		0x2
#define VTD_FR_CONTEXT_ENTRY_INV	0x3
#define VTD_FR_ADDR_BEYOND_MGAW		0x4
#define VTD_FR_WRITE			0x5
#define VTD_FR_READ			0x6
#define VTD_FR_PAGING_ENTRY_INV		0x7
#define VTD_FR_ROOT_TABLE_INV		0x8
#define VTD_FR_CONTEXT_TABLE_INV	0x9
#define VTD_FR_ROOT_ENTRY_RSVD		0xa
#define VTD_FR_CONTEXT_ENTRY_RSVD	0xb
#define VTD_FR_PAGING_ENTRY_RSVD	0xc
#define VTD_FR_CONTEXT_ENTRY_TT		0xd
#define VTD_FR_INTERRUPT_ADDR		0xe
/* Scalable-mode fault reasons (7.1.3) */
#define VTD_FR_SM_ROOT_ENTRY_INV	0x38
#define VTD_FR_SM_ROOT_ENTRY_P		0x39
#define VTD_FR_SM_ROOT_ENTRY_RSVD	0x3a
#define VTD_FR_SM_CONTEXT_ENTRY_INV	0x40	/* cannot be read */
#define VTD_FR_SM_CONTEXT_ENTRY_P	0x41
#define VTD_FR_SM_CONTEXT_ENTRY_RSVD	0x42
#define VTD_FR_SM_PASID_TOO_LARGE	0x46
#define VTD_FR_SM_PDE_INV		0x50	/* cannot be read */
#define VTD_FR_SM_PDE_P			0x51
#define VTD_FR_SM_PDE_RSVD		0x52
#define VTD_FR_SM_PTE_INV		0x58	/* cannot be read */
#define VTD_FR_SM_PTE_P			0x59
#define VTD_FR_SM_PTE_RSVD		0x5a
#define VTD_FR_SM_PTE_BAD		0x5b	/* an invalid PGTT or AW */
#define VTD_FR_SM_FS_ENTRY_INV		0x70
#define VTD_FR_SM_FS_ENTRY_RSVD		0x72
#define VTD_FR_SM_SL_ENTRY_INV		0x78
#define VTD_FR_SM_SL_ENTRY_RSVD		0x7a
#define VTD_FR_SM_INTERRUPT_ADDR	0x87
/* pviommu's own, beyond VT-d's 8 bits: what the host could not do. */
#define PVIOMMU_FR_HOST_MAP		0x100
#define PVIOMMU_FR_HOST_ATTACH		0x101
#define PVIOMMU_FR_HOST_PASID		0x102

#define VTD_PAGE_SHIFT			12
#define VTD_PAGE_SIZE			BIT_ULL(VTD_PAGE_SHIFT)

#endif /* _PVIOMMU_VTD_H */
