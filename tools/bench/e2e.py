#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the end-to-end benchmark's lines (tools/vm/init, bench-e2e) into
a table and JSON.

Input lines, for each path (stock: Debian's QEMU + VFIO type1; pviommu:
the patched QEMU with pviommu=on; control: the patched QEMU with
pviommu=off):
  PVIOMMU-E2E <path> BENCH <row> <bytes> <ops> <ns> <ns> ...  (timed pass)
  PVIOMMU-E2E <path> GUEST <row> <bytes> <ops> <flushes>      (count pass)
  PVIOMMU-E2E <path> COUNT <row>-<bytes> vfio_map=N ...       (count pass)
The timed pass runs with nothing counted; the counts come from a second
pass over the same rows, in the same boot.

Times are the L2 guest's clock under L0's -icount (1 ns per instruction
of the emulated machine): repeatable, and they include the guest's own
work, QEMU's and the host kernel's, all of it emulated.
"""
import json
import statistics
import sys

# (row, bytes): (JSON key, label, target speedup over stock QEMU)
ROWS = [
    (('vfio_huge', 4096), 'e2e_4k', 'VFIO pair 4K, huge page', 1.0),
    (('vfio_huge', 65536), 'e2e_64k', 'VFIO pair 64K, huge page', 1.0),
    (('vfio_huge', 1310720), 'e2e_1280k', 'VFIO pair 1280K, huge page',
     4.0),
    (('vfio_scattered', 65536), 'e2e_64k_scattered',
     'VFIO pair 64K, scattered', 1.0),
    (('vfio_scattered', 1310720), 'e2e_1280k_scattered',
     'VFIO pair 1280K, scattered', 1.5),
    (('dma_page', 4096), 'e2e_dma_page_4k', 'dma_map_page + unmap, 4K', 1.5),
    (('dma_sg', 65536), 'e2e_dma_sg_16', 'dma_map_sg + unmap, 16 pages',
     3.0),
]
PATHS = ('stock', 'pviommu', 'control')


def parse(path):
    bench, guest, counts = {}, {}, {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) < 4 or w[0] != 'PVIOMMU-E2E':
                continue
            who, kind = w[1], w[2]
            if kind == 'BENCH':
                bench.setdefault(who, {})[(w[3], int(w[4]))] = (
                    int(w[5]), [int(x) for x in w[6:]])
            elif kind == 'GUEST':
                guest.setdefault(who, {})[(w[3], int(w[4]))] = (
                    int(w[5]), int(w[6]))
            elif kind == 'COUNT':
                row, _, size = w[3].rpartition('-')
                if not size.isdigit():
                    continue
                counts.setdefault(who, {})[(row, int(size))] = {
                    k: int(v) for k, v in (x.split('=') for x in w[4:])}
    return bench, guest, counts


def main():
    bench, guest, counts = parse(sys.argv[1])
    if set(bench) != set(PATHS):
        print('e2e: all three paths must have run', file=sys.stderr)
        return 1
    out = {}
    print()
    print('%-30s %9s %9s %9s %7s %7s %8s  %s' % (
        'workload (L2), ops/s', 'stock', 'pviommu', 'control', 'pv/st',
        'ctl/st', 'target', 'per op: guest flushes | stock ioctls '
        'map+unmap | pviommu INVALIDATE, host maps+unmaps'))
    slower = []
    for key, name, label, target in ROWS:
        if any(key not in bench[who] for who in PATHS):
            print('e2e: row %s missing' % name, file=sys.stderr)
            return 1
        res = {}
        for who in PATHS:
            ops, times = bench[who][key]
            med = statistics.median(times)
            r = {'ops_per_s': ops / (med / 1e9), 'ns_per_op': med / ops,
                 'repetitions_ns': times}
            n, flushes = guest.get(who, {}).get(key, (0, -1))
            if n and flushes >= 0:
                r['guest_flushes_per_op'] = round(flushes / n, 2)
            c = counts.get(who, {}).get(key)
            if c and n:
                r['per_op'] = {k: round(v / n, 2) for k, v in c.items()}
            res[who] = r
        speed = res['pviommu']['ops_per_s'] / res['stock']['ops_per_s']
        ctl = res['control']['ops_per_s'] / res['stock']['ops_per_s']
        out[name] = dict(res, speedup_vs_stock_qemu=round(speed, 2),
                         control_vs_stock_qemu=round(ctl, 2),
                         target_speedup=target,
                         target_met=bool(speed >= target))
        if speed < 1.0:
            slower.append(name)
        sp = res['stock'].get('per_op', {})
        pp = res['pviommu'].get('per_op', {})
        print('%-30s %9.0f %9.0f %9.0f %6.2fx %6.2fx %7s  %s/%s | %s+%s '
              '| %s, %s+%s' % (
                  label, res['stock']['ops_per_s'],
                  res['pviommu']['ops_per_s'], res['control']['ops_per_s'],
                  speed, ctl, '>=%.1fx' % target,
                  res['stock'].get('guest_flushes_per_op', '?'),
                  res['pviommu'].get('guest_flushes_per_op', '?'),
                  sp.get('vfio_map', '?'), sp.get('vfio_unmap', '?'),
                  pp.get('invalidate', '?'), pp.get('iommu_map', '?'),
                  pp.get('iommu_unmap', '?')))
    # What grows with the buffer: the per-4K-page part of a huge-page pair.
    small, big = ('vfio_huge', 4096), ('vfio_huge', 1310720)
    pages = (big[1] - small[1]) // 4096
    for who in PATHS:
        per_page = (out['e2e_1280k'][who]['ns_per_op'] -
                    out['e2e_4k'][who]['ns_per_op']) / pages
        out.setdefault('per_page_ns', {})[who] = round(per_page, 1)
    print('\nper 4 KiB page of a huge-page pair (what grows with the '
          'buffer): stock %.0f ns, pviommu %.0f ns, control %.0f ns' % (
              out['per_page_ns']['stock'], out['per_page_ns']['pviommu'],
              out['per_page_ns']['control']))
    print('rows slower than stock QEMU: %s' % (', '.join(slower) or 'none'))
    # The paths measured the same case only if the guest flushed the same.
    bad = []
    for key, name, _, _ in ROWS:
        f = {out[name][who].get('guest_flushes_per_op') for who in PATHS}
        if len(f) != 1 or None in f:
            bad.append(name)
    if bad:
        print('e2e: the guest flushed differently on the paths (or was '
              'not counted) in: %s' % ', '.join(bad), file=sys.stderr)
    out['slower_than_stock'] = slower
    out['versions'] = dict(a.split('=', 1) for a in sys.argv[3:])
    with open(sys.argv[2], 'w') as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print('figures: %s' % sys.argv[2])
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
