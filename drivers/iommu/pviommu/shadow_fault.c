// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow engine's faults, both kinds: the fault records the guest
 * sees when the engine cannot give a device what its tables say, and the
 * failures the tests inject into every fallible step of the engine.
 */
#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/slab.h>

#include "shadow_private.h"
#include "trace.h"
#include "vtd.h"

/*
 * Fault injection, in builds with CONFIG_PVIOMMU_FAULT_INJECTION (the
 * test builds; see Documentation/pviommu/testing.rst): with @e->fail_nth at n,
 * the nth fallible step of the engine from then on fails, once, as the
 * kernel's per-task fail-nth makes should_fail() do. Debian's kernels are
 * built without CONFIG_FAULT_INJECTION, where neither exists.
 */
bool pviommu_engine_fail(struct pviommu_engine *e)
{
	unsigned int n;

	if (!IS_ENABLED(CONFIG_PVIOMMU_FAULT_INJECTION))
		return false;
	n = READ_ONCE(e->fail_nth);
	if (likely(!n))
		return false;
	WRITE_ONCE(e->fail_nth, n - 1);
	return n == 1;
}

void *pviommu_engine_zalloc(struct pviommu_engine *e, size_t size)
{
	return pviommu_engine_fail(e) ? NULL : kzalloc(size, GFP_KERNEL_ACCOUNT);
}

static int engine_read(void *priv, u64 gpa, void *buf, size_t len)
{
	struct pviommu_engine *e = priv;

	return pviommu_engine_fail(e) ? -EFAULT : e->read(e->read_priv, gpa, buf, len);
}

/* How walks and context reads read guest memory. */
void pviommu_engine_reader(struct pviommu_engine *e, pviommu_read_fn *read,
			   void **priv)
{
	if (IS_ENABLED(CONFIG_PVIOMMU_FAULT_INJECTION)) {
		*read = engine_read;
		*priv = e;
	} else {
		*read = e->read;
		*priv = e->read_priv;
	}
}

void pviommu_engine_fault(struct pviommu_engine *e, struct pviommu_shadow *s,
			  struct pviommu_sdev *d, u64 iova, u32 reason)
{
	if (!d) {
		list_for_each_entry(d, &e->devs, node)
			if (d->shadow == s)
				break;
		if (list_entry_is_head(d, &e->devs, node))
			return;
	}
	/*
	 * FPD is the guest's say over the faults of its own tables; what the
	 * host could not do is the VMM's to know (QEMU logs it, the guest
	 * gets no record of it).
	 */
	if (d->ctx.fpd && reason < PVIOMMU_FR_HOST_MAP)
		return;
	/* Walk faults in scalable mode: the SM reasons for the same. */
	if (d->ctx.scalable) {
		if (reason == VTD_FR_PAGING_ENTRY_INV)
			reason = d->ctx.first_stage ? VTD_FR_SM_FS_ENTRY_INV :
			       VTD_FR_SM_SL_ENTRY_INV;
		else if (reason == VTD_FR_PAGING_ENTRY_RSVD)
			reason = d->ctx.first_stage ? VTD_FR_SM_FS_ENTRY_RSVD :
			       VTD_FR_SM_SL_ENTRY_RSVD;
		else if (reason == VTD_FR_INTERRUPT_ADDR)
			reason = VTD_FR_SM_INTERRUPT_ADDR;
	}
	trace_pviommu_fault(d->sid, iova, reason);
	e->stats.faults++;
	if (e->fault)
		e->fault(e->fault_priv, d->sid, iova, reason);
}
