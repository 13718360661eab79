#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# profile.py TRACE: sum a function_graph trace by function and depth (the
# traced function is depth 1). Under -icount the durations are instruction
# counts; each traced call adds roughly 700 of tracing overhead.
import collections
import re
import sys

# " 0)   1.234 us    |      foo();"  or  " 0)               |    foo() {"
# closing lines: " 0)   5.678 us    |    }  /* foo */" (with funcgraph-tail)
line_re = re.compile(r"^\s*\d+\)\s+(?:[+!#*@$ ]\s*)?([\d.]+)?\s*(us|ms)?\s*\|(\s*)(.*)$")
totals = collections.Counter()
calls = collections.Counter()
stack = []
ioctls = 0
root_depth = 1
for raw in open(sys.argv[1], errors="replace"):
    m = line_re.match(raw)
    if not m:
        continue
    dur, unit, indent, text = m.groups()
    depth = len(indent) // 2
    text = text.strip()
    us = float(dur) * (1000 if unit == "ms" else 1) if dur else None
    text = re.sub(r"\s*\[[^]]*\]", "", text)
    if text.endswith("{"):
        stack.append((depth, text[:-1].strip().rstrip("()")))
        continue
    if text.startswith("}"):
        if not stack:
            continue
        d, name = stack.pop()
        if us is not None:
            totals[(d, name)] += us
            calls[(d, name)] += 1
            if d == root_depth:
                ioctls += 1
        continue
    name = text.rstrip(";").rstrip("()")
    if us is not None:
        totals[(depth, name)] += us
        calls[(depth, name)] += 1

if not ioctls:
    sys.exit("profile: nothing traced")
top = sum(v for (d, n), v in totals.items() if d == root_depth)
print("%d calls of the traced function, %.0f ns (instructions) each, "
      "tracing overhead included; by callee:" % (ioctls, top * 1000 / ioctls))
for (depth, name), us in sorted(totals.items(), key=lambda kv: -kv[1])[:30]:
    print("  %s%-40s %9.0f ns/ioctl %6.1f%%  (%d calls)" % (
        "  " * depth, name, us * 1000 / ioctls, 100 * us / top,
        calls[(depth, name)]))
