#!/usr/bin/env python3
"""Means over a dotnet-counters csv: GC pause share, collections per second by generation, allocation
rate, CPU, lock contentions. Usage: dotnet-counters collect -p PID --counters System.Runtime --format csv -o FILE;
counters-summary.py FILE"""
import csv, sys, collections
rows = collections.defaultdict(list)
for r in csv.DictReader(open(sys.argv[1])):
    try: rows[r['Counter Name']].append(float(r['Mean/Increment']))
    except ValueError: pass
def mean(k): v = rows.get(k, []); return sum(v) / len(v) if v else float('nan')
cpu = mean('dotnet.process.cpu.time (s / 1 sec)[cpu.mode=user]') + mean('dotnet.process.cpu.time (s / 1 sec)[cpu.mode=system]')
pause = mean('dotnet.gc.pause.time (s / 1 sec)')
print(f"cpu {cpu:.2f} cores; GC pause {100*pause:.1f} % of wall time; "
      f"gen0/gen1/gen2 per s {mean('dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen0]'):.1f}/"
      f"{mean('dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen1]'):.2f}/{mean('dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen2]'):.2f}; "
      f"allocated {mean('dotnet.gc.heap.total_allocated (By / 1 sec)')/1e6:.0f} MB/s; gen2 {mean('dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen2]')/1e6:.0f} MB; "
      f"lock contentions {mean('dotnet.monitor.lock_contentions ({contention} / 1 sec)'):.0f}/s; threads {mean('dotnet.thread_pool.thread.count ({thread} / 1 sec)'):.0f}")
