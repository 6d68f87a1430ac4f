"""A memory budget: what a piece of work will hold, estimated from its sizes before anything is allocated,
compared with the memory this process can still get.

``check("sampling 3,000,000 samples", estimate_bytes((3_000_000, 2, 41), 4))`` raises an InputError that
names the work and both numbers when the estimate does not fit in :data:`SHARE` of the available memory;
``processes(asked, each_bytes)`` caps a number of worker processes at the cores and the memory.
``load_budget()`` is what one loaded model or array may take. Available memory is ``MemAvailable`` of
/proc/meminfo (what psutil reports on Linux, without its 0.1 s import), else psutil's when it is
installed, else the free physical pages (os.sysconf), and never more than the address-space limit
(RLIMIT_AS) allows.
"""
from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path

from engines.errors import InputError

SHARE = 0.5  # the part of the available memory one piece of work may plan to hold
LOAD_SHARE = 4  # one loaded model or array may take 1/LOAD_SHARE of physical memory
FALLBACK_LOAD_BYTES = 2 << 30  # where the physical memory cannot be asked


def estimate_bytes(shape: Iterable[int], itemsize: int = 4) -> int:
    """Bytes of an array of ``shape`` with ``itemsize``-byte items (a float32 by default)."""
    return math.prod(int(n) for n in shape) * int(itemsize)


def available_bytes() -> int:
    """Memory this process can still allocate, in bytes (see the module's docstring for the sources)."""
    found = _meminfo_available() or _psutil_available() or _sysconf_available() or 2**40
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            found = min(found, max(0, soft - _address_space_used()))
    except (ImportError, OSError, ValueError):
        pass
    return found


def cores() -> int:
    """CPU cores this process may run on (its affinity where the OS tells it, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def processes(asked: int, each_bytes: int) -> int:
    """How many of ``asked`` worker processes to start: at most one per core and as many as
    :data:`SHARE` of the available memory holds at ``each_bytes`` each (at least one)."""
    return max(1, min(int(asked), cores(), int(SHARE * available_bytes() // max(1, each_bytes))))


def check(what: str, needed: int, share: float = SHARE) -> None:
    """InputError when ``what`` (a phrase: "sampling 1,000 samples with 4 samplers") would need more than
    ``share`` of the available memory; the message gives the estimate and the memory available."""
    available = available_bytes()
    if needed > share * available:
        raise InputError(f"{what} would need about {describe(needed)} of memory, more than the "
                         f"{describe(int(share * available))} it may use ({share:.0%} of the {describe(available)} "
                         "available); ask for less")


def describe(n: float) -> str:
    """``n`` bytes in words: "512 bytes", "3.1 MiB", "6.50 GiB"."""
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} bytes"


def load_budget() -> int:
    """Bytes one loaded thing (a model's weights, an array from a file) may take: 1/:data:`LOAD_SHARE` of
    physical memory. A config that describes a larger model, an array header that claims more, or a weights
    file larger than that is refused before anything is built or read."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // LOAD_SHARE
    except (AttributeError, ValueError, OSError):
        return FALLBACK_LOAD_BYTES


def check_file_size(path: Path, what: str = "weights file") -> None:
    """InputError when the file at ``path`` is larger than :func:`load_budget` (it is read whole)."""
    size = path.stat().st_size
    limit = load_budget()
    if size > limit:
        raise InputError(f"{path.name} is {describe(size)}, more than the {describe(limit)} a {what} may "
                         f"take here (a quarter of this machine's memory); it was not read")


def _psutil_available() -> int:
    try:
        import psutil
    except ImportError:
        return 0
    return int(psutil.virtual_memory().available)


def _meminfo_available() -> int:
    return _proc_kib("/proc/meminfo", "MemAvailable:")


def _sysconf_available() -> int:
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 0


def _address_space_used() -> int:
    """This process's virtual size (VmSize of /proc/self/status), 0 where it cannot be read."""
    return _proc_kib("/proc/self/status", "VmSize:")


def _proc_kib(path: str, key: str) -> int:
    """The ``key: N kB`` line of a /proc file in bytes, 0 where it cannot be read."""
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0
