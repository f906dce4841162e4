"""The garbage collector in the long-running processes (API workers, the projection runner).

A full collection stops every thread of a process while it walks all objects the collector
tracks: in an API worker that has cached thousands of aggregates, 60-260 ms, about twice per
half minute at 500 commands/s (issue 16: these pauses were most of the paced run's p99).
`settle_heap` is called once a process has started: it collects once, then moves what is
alive (modules, the app, its schemas and routes, what was loaded at start) out of the
collector's sight (`gc.freeze`), so no later collection walks it again, and collects the
young generation less often. Objects made later are collected as before; reference counting
frees everything that is not in a cycle at once, as always.
"""

from __future__ import annotations

import gc

#: Allocations (minus deallocations) between collections of the youngest generation
#: (CPython's default is 700), and how many young collections before the next generation's.
THRESHOLDS = (20_000, 20, 100)


def settle_heap() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
