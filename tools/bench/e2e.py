#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the end-to-end benchmark's lines (tools/vm/init, bench-e2e) into
a table and JSON.

Input lines, for each path (stock QEMU + VFIO type1, patched QEMU +
pviommu):
  PVIOMMU-E2E <path> BENCH <bytes> <pairs> <ns> <ns> ...   (repetitions)
  PVIOMMU-E2E <path> COUNT <phase> vfio_map=N ...           (at each phase)
A phase's counts are the next phase's snapshot less its own.

Times are the L2 guest's CLOCK_MONOTONIC under L0's -icount (1 ns per
instruction of the emulated machine): repeatable, and they include the
guest's own work, QEMU's and the host kernel's, all of it emulated.
"""
import json
import statistics
import sys

TARGETS = {4096: 1.0, 65536: 2.0, 1310720: 5.0}
PAGE_TARGET_NS = 2000


def parse(path):
    bench, counts = {}, {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) < 4 or w[0] != 'PVIOMMU-E2E':
                continue
            who, kind = w[1], w[2]
            if kind == 'BENCH':
                size, pairs = int(w[3]), int(w[4])
                bench.setdefault(who, {})[size] = (pairs,
                                                   [int(x) for x in w[5:]])
            elif kind == 'COUNT':
                counts.setdefault(who, []).append(
                    (w[3], {k: int(v) for k, v in
                            (x.split('=') for x in w[4:])}))
    return bench, counts


def per_phase(snaps):
    """{phase: {event: count}} from consecutive snapshots."""
    out = {}
    for (name, a), (_, b) in zip(snaps, snaps[1:]):
        out[name] = {k: b[k] - a[k] for k in a}
    return out


def main():
    bench, counts = parse(sys.argv[1])
    if set(bench) != {'stock', 'pviommu'}:
        print('e2e: both paths must have run', file=sys.stderr)
        return 1
    phases = {who: per_phase(counts.get(who, [])) for who in bench}
    out = {}
    print()
    print('%-8s %12s %12s %9s %8s  %s' % ('buffer', 'stock pair/s',
          'pv pair/s', 'speedup', 'target', 'per pair: stock ioctls '
          'map+unmap | pviommu INVALIDATE, host maps+unmaps'))
    rows = {}
    for size in sorted(bench['stock']):
        res = {}
        for who in ('stock', 'pviommu'):
            pairs, times = bench[who][size]
            med = statistics.median(times)
            res[who] = {'pairs_per_s': pairs / (med / 1e9),
                        'ns_per_pair': med / pairs,
                        'repetitions_ns': times}
            c = phases[who].get(str(size))
            if c:
                n = pairs * len(times)
                res[who]['per_pair'] = {k: round(v / n, 2)
                                        for k, v in c.items()}
        speed = res['pviommu']['pairs_per_s'] / res['stock']['pairs_per_s']
        target = TARGETS.get(size)
        key = 'e2e_%dk' % (size // 1024)
        out[key] = dict(res, speedup_vs_stock_qemu=round(speed, 2),
                        target_speedup=target,
                        target_met=bool(target and speed >= target))
        rows[size] = res
        sp = res['stock'].get('per_pair', {})
        pp = res['pviommu'].get('per_pair', {})
        print('%-8s %12.0f %12.0f %8.2fx %7s  %s+%s | %s, %s+%s' % (
            '%dK' % (size // 1024), res['stock']['pairs_per_s'],
            res['pviommu']['pairs_per_s'], speed,
            '>=%.0fx' % target if target else '',
            sp.get('vfio_map', '?'), sp.get('vfio_unmap', '?'),
            pp.get('invalidate', '?'), pp.get('iommu_map', '?'),
            pp.get('iommu_unmap', '?')))
    # What grows with the buffer: the per-4K-page part of a pair.
    small, big = min(rows), max(rows)
    pages = (big - small) // 4096
    for who in ('stock', 'pviommu'):
        per_page = (rows[big][who]['ns_per_pair'] -
                    rows[small][who]['ns_per_pair']) / pages
        out.setdefault('per_page_ns', {})[who] = round(per_page, 1)
    met = out['per_page_ns']['pviommu'] <= PAGE_TARGET_NS
    out['per_page_target_ns'] = PAGE_TARGET_NS
    print('\nper 4 KiB page of a pair (what grows with the buffer): '
          'stock %.0f ns, pviommu %.0f ns (target <= %d ns: %s)' % (
              out['per_page_ns']['stock'], out['per_page_ns']['pviommu'],
              PAGE_TARGET_NS, 'met' if met else 'MISSED'))
    out['versions'] = dict(a.split('=', 1) for a in sys.argv[3:])
    with open(sys.argv[2], 'w') as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print('figures: %s' % sys.argv[2])
    return 0


if __name__ == '__main__':
    sys.exit(main())
