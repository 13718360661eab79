/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's edu device (1234:11e8), the test device: BAR0 registers and its
 * 4 KiB DMA buffer at 0x40000. Shared by the kselftests (pviommu_guest.h)
 * and the end-to-end benchmark's L2 driver (tools/vm/l2dma).
 */
#ifndef _PVIOMMU_EDU_H
#define _PVIOMMU_EDU_H

#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_START	1
#define EDU_DMA_TO_RAM	2
#define EDU_DMA_IRQ	4		/* raise an interrupt when done */
#define EDU_IRQ_DMA	0x100		/* its interrupt status bit */
#define EDU_BUF		0x40000ULL

#endif /* _PVIOMMU_EDU_H */
