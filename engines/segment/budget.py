"""The memory the n-gram counts may take: what the machine has available (``MemAvailable``), less what the
process's address-space limit (``RLIMIT_AS``) leaves, halved for everything else the pipeline holds.

Counting stops with a message once merging its tables would need more (text so varied that its distinct
n-grams approach its length is no corpus of words: random data, or a mix of scripts and codes).
"""
from __future__ import annotations

import os
import resource

MERGE_FACTOR = 4  # a merge holds the old table, the new ones, their concatenation and its sorted copy


def available_bytes() -> int:
    """Bytes this process may still allocate (the machine's available memory and the address-space limit)."""
    available = _meminfo_available()
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        available = min(available, max(soft - _address_space(), 0))
    return available


def counting_budget() -> int:
    """Bytes the n-gram counting may take at its peak (half of :func:`available_bytes`)."""
    return available_bytes() // 2


def _meminfo_available() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 1 << 34  # unknown: 16 GiB


def _address_space() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
