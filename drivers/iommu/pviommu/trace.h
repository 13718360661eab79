/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pviommu tracepoints: what the shadow engine does for each guest's
 * invalidations, as perf, trace-cmd and bpftrace see it (events/pviommu/).
 * Disabled, each is a static branch.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pviommu

#if !defined(_PVIOMMU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PVIOMMU_TRACE_H

#include <linux/tracepoint.h>

#include "core.h"

/* One descriptor applied: its VT-d type, the scope, what it covers. */
TRACE_EVENT(pviommu_desc,
	    TP_PROTO(const struct pviommu_qi_action *act, int result),
	    TP_ARGS(act, result),
	    TP_STRUCT__entry(__field(u8, type)
			     __field(u8, scope)
			     __field(u16, did)
			     __field(u16, sid)
			     __field(u64, start)
			     __field(u64, last)
			     __field(int, result)),
	    TP_fast_assign(__entry->type = act->type;
			   __entry->scope = act->scope;
			   __entry->did = act->did;
			   __entry->sid = act->sid;
			   __entry->start = act->start;
			   __entry->last = act->last;
			   __entry->result = result;),
	    TP_printk("type=%u scope=%u did=%u sid=%04x range=%#llx-%#llx result=%d",
		      __entry->type, __entry->scope, __entry->did, __entry->sid,
		      __entry->start, __entry->last, __entry->result)
);

/* One walk of a guest domain's tables over a range. */
TRACE_EVENT(pviommu_walk,
	    TP_PROTO(u16 did, const struct pviommu_walk *w, int result),
	    TP_ARGS(did, w, result),
	    TP_STRUCT__entry(__field(u16, did)
			     __field(u64, start)
			     __field(u64, last)
			     __field(u64, entries)
			     __field(u64, tables)
			     __field(u64, budget)
			     __field(int, result)),
	    TP_fast_assign(__entry->did = did;
			   __entry->start = w->start;
			   __entry->last = w->last;
			   __entry->entries = w->entries;
			   __entry->tables = w->tables_read;
			   __entry->budget = w->budget;
			   __entry->result = result;),
	    TP_printk("did=%u range=%#llx-%#llx entries=%llu tables=%llu budget_left=%llu result=%d",
		      __entry->did, __entry->start, __entry->last,
		      __entry->entries, __entry->tables, __entry->budget,
		      __entry->result)
);

/* A range of host IOVA, mapped or unmapped. */
DECLARE_EVENT_CLASS(pviommu_host_range,
		    TP_PROTO(u64 iova, u64 size, int result),
		    TP_ARGS(iova, size, result),
		    TP_STRUCT__entry(__field(u64, iova)
				     __field(u64, size)
				     __field(int, result)),
		    TP_fast_assign(__entry->iova = iova;
				   __entry->size = size;
				   __entry->result = result;),
		    TP_printk("iova=%#llx size=%#llx pages=%llu result=%d",
			      __entry->iova, __entry->size, __entry->size >> 12,
			      __entry->result)
);

/* A host iommu_map() call (one physically contiguous run). */
DEFINE_EVENT(pviommu_host_range, pviommu_host_map,
	     TP_PROTO(u64 iova, u64 size, int result),
	     TP_ARGS(iova, size, result)
);

/* A host unmap (one or more whole entries). */
DEFINE_EVENT(pviommu_host_range, pviommu_host_unmap,
	     TP_PROTO(u64 iova, u64 size, int result),
	     TP_ARGS(iova, size, result)
);

/* Host IOTLB syncs, then the unpins they made safe. */
TRACE_EVENT(pviommu_host_sync,
	    TP_PROTO(unsigned int domains, unsigned int unpin_runs),
	    TP_ARGS(domains, unpin_runs),
	    TP_STRUCT__entry(__field(unsigned int, domains)
			     __field(unsigned int, unpin_runs)),
	    TP_fast_assign(__entry->domains = domains;
			   __entry->unpin_runs = unpin_runs;),
	    TP_printk("domains=%u unpin_runs=%u", __entry->domains,
		      __entry->unpin_runs)
);

/* A fault record queued for the guest. */
TRACE_EVENT(pviommu_fault,
	    TP_PROTO(u16 sid, u64 iova, u32 reason),
	    TP_ARGS(sid, iova, reason),
	    TP_STRUCT__entry(__field(u16, sid)
			     __field(u64, iova)
			     __field(u32, reason)),
	    TP_fast_assign(__entry->sid = sid;
			   __entry->iova = iova;
			   __entry->reason = reason;),
	    TP_printk("sid=%04x iova=%#llx reason=%#x", __entry->sid,
		      __entry->iova, __entry->reason)
);

/*
 * A device's translation changed: it resolves to the shadow of guest
 * domain @did (@shadow_root, 0 for pass-through), or to none (blocked).
 */
TRACE_EVENT(pviommu_device,
	    TP_PROTO(u16 sid, bool blocked, u16 did, u64 shadow_root, int result),
	    TP_ARGS(sid, blocked, did, shadow_root, result),
	    TP_STRUCT__entry(__field(u16, sid)
			     __field(bool, blocked)
			     __field(u16, did)
			     __field(u64, shadow_root)
			     __field(int, result)),
	    TP_fast_assign(__entry->sid = sid;
			   __entry->blocked = blocked;
			   __entry->did = did;
			   __entry->shadow_root = shadow_root;
			   __entry->result = result;),
	    TP_printk("sid=%04x %s did=%u root=%#llx result=%d", __entry->sid,
		      __entry->blocked ? "blocked" : "translated", __entry->did,
		      __entry->shadow_root, __entry->result)
);

/* A call ran out of budget: where a continuation starts. */
TRACE_EVENT(pviommu_eagain,
	    TP_PROTO(u16 did, u64 next),
	    TP_ARGS(did, next),
	    TP_STRUCT__entry(__field(u16, did)
			     __field(u64, next)),
	    TP_fast_assign(__entry->did = did;
			   __entry->next = next;),
	    TP_printk("did=%u next=%#llx", __entry->did, __entry->next)
);

#endif /* _PVIOMMU_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
