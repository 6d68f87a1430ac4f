"""The C allocator's handling of large blocks (glibc only; elsewhere nothing changes).

glibc serves a freed large block's size from its heap from then on (its mmap threshold rises up to 32 MB),
so the many short-lived arrays of a streamed pass (a few MB each) pile up as heap that is never returned:
the segmentation of 85 MiB of text peaked at 1,328 MiB resident with the default and at 719 MiB with
blocks of 1 MiB and more always mapped (and unmapped when freed). A mapped block costs a page fault per
4 KiB page on first touch, though: :data:`MAP_FROM` keeps the per-position arrays of a chunk of Chinese text
(a 1 MiB read, ~350k characters, under 3 MB as int64) on the heap, where they are reused, and maps larger
ones (People's Daily end to end 2.44 -> 2.17 s, 85 MiB of it 31.2 -> 24.3 s, peaking at 666 MiB instead of
572 MiB, ``tests/benchmarks/bench_segment_memory.py 1 16``).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
MAP_FROM = 4 << 20


@functools.lru_cache(maxsize=1)
def map_large_blocks(threshold: int = MAP_FROM) -> bool:
    """Serve blocks of ``threshold`` bytes and more with mmap (returned to the system when freed), once per
    process; False where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = libc.mallopt if libc is not None else None
    except (OSError, AttributeError):
        return False
    return bool(mallopt is not None and mallopt(M_MMAP_THRESHOLD, threshold))
