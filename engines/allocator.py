"""The C allocator's handling of large blocks (glibc only; elsewhere nothing changes).

glibc serves a freed large block's size from its heap from then on (its mmap threshold rises up to 32 MB),
so the many short-lived arrays of a streamed pass pile up as heap that is never returned: the
segmentation of 85 MiB of text peaked at 1,328 MiB resident with the default and at 719 MiB with blocks
of 1 MiB and more always mapped (and unmapped when freed). A mapped block costs a page fault per 4 KiB page
on first touch, though, and so does heap that was returned and is taken again: :data:`MAP_FROM` keeps the
arrays of a chunk (a 1 MiB read, ~350k characters: per-position arrays of 3 MB, the 2-D ones of n-gram
codes 11 to 16 MB) on the heap, where they are reused, and maps larger ones; :data:`KEEP_FREE` of free heap
is kept rather than returned, and the chunks' threads share one heap (one arena) instead of each growing
its own. People's Daily end to end 1.31 -> 1.04 s with 183k -> 58k page faults (``/usr/bin/time``), 85 MiB
of it peaking at 544 MiB resident, 554 MiB before (``tests/benchmarks/bench_segment_memory.py 1 16``).
"""
from __future__ import annotations

import ctypes
import functools

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8  # mallopt's parameter numbers (malloc.h)
MAP_FROM = 16 << 20
KEEP_FREE = 128 << 20  # free heap kept for reuse rather than returned to the system (and faulted in again)


@functools.lru_cache(maxsize=1)
def map_large_blocks(threshold: int = MAP_FROM) -> bool:
    """Serve blocks of ``threshold`` bytes and more with mmap (returned to the system when freed), keep
    :data:`KEEP_FREE` of free heap and one arena, once per process; False where the C library is not
    glibc."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the process runs on
    except (OSError, AttributeError, TypeError):
        return False
    if not mallopt(M_MMAP_THRESHOLD, threshold):
        return False
    mallopt(M_TRIM_THRESHOLD, KEEP_FREE)
    mallopt(M_ARENA_MAX, 1)
    return True
