// SPDX-License-Identifier: GPL-2.0
/*
 * The definitions of pviommu's tracepoints (trace.h).
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
