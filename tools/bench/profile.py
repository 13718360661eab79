#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# profile.py TRACE [OVERHEAD]: sum a function_graph trace by function and
# depth (the traced function is depth 1). Under -icount the durations are
# instruction counts. Each traced call inflates its callers by about
# OVERHEAD instructions of tracing (default 700); the "net" column removes
# that from each function's inclusive figure, counting the traced calls
# below it.
import collections
import re
import sys

# " 0)   1.234 us    |      foo();"  or  " 0)               |    foo() {"
# closing lines: " 0)   5.678 us    |    }  /* foo */" (with funcgraph-tail)
line_re = re.compile(r"^\s*\d+\)\s+(?:[+!#*@$ ]\s*)?([\d.]+)?\s*(us|ms)?\s*\|(\s*)(.*)$")
overhead = float(sys.argv[2]) if len(sys.argv) > 2 else 700.0
totals = collections.Counter()
nets = collections.Counter()
calls = collections.Counter()
stack = []	# [depth, name, traced calls below]
ioctls = 0
below_root = 0
root_depth = 1


def add(depth, name, ns, below):
    global ioctls, below_root
    totals[(depth, name)] += ns
    nets[(depth, name)] += ns - below * overhead
    calls[(depth, name)] += 1
    if depth == root_depth:
        ioctls += 1
        below_root += below


for raw in open(sys.argv[1], errors="replace"):
    m = line_re.match(raw)
    if not m:
        continue
    dur, unit, indent, text = m.groups()
    depth = len(indent) // 2
    text = text.strip()
    ns = float(dur) * (1000000 if unit == "ms" else 1000) if dur else None
    text = re.sub(r"\s*\[[^]]*\]", "", text)
    if text.endswith("{"):
        stack.append([depth, text[:-1].strip().rstrip("()"), 0])
        continue
    if text.startswith("}"):
        if not stack:
            continue
        d, name, below = stack.pop()
        if stack:
            stack[-1][2] += below + 1
        if ns is not None:
            add(d, name, ns, below)
        continue
    name = text.rstrip(";").rstrip("()")
    if stack:
        stack[-1][2] += 1
    if ns is not None:
        add(depth, name, ns, 0)

if not ioctls:
    sys.exit("profile: nothing traced")
top = sum(v for (d, n), v in totals.items() if d == root_depth)
net = sum(v for (d, n), v in nets.items() if d == root_depth)
print("%d calls of the traced function: %.0f ns (instructions) each traced,"
      " %.1f traced calls below each, %.0f net of %.0f per traced call"
      % (ioctls, top / ioctls, below_root / ioctls, net / ioctls, overhead))
print("  %-44s %10s %10s %7s %8s" % ("function", "ns/call", "net/call",
                                     "net %", "calls"))
for (depth, name), ns in sorted(nets.items(), key=lambda kv: -kv[1])[:40]:
    print("  %-44s %10.0f %10.0f %6.1f%% %8d" % (
        "  " * (depth - 1) + name, ns / ioctls,
        nets[(depth, name)] / ioctls, 100 * nets[(depth, name)] / net,
        calls[(depth, name)]))
