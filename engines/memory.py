"""The memory one loaded thing (a model's weights, an array from a file) may take: a quarter of this
machine's physical memory. A config that describes a larger model, an array header that claims more, or a
weights file larger than that is refused before anything is built or read. Torch-free."""
from __future__ import annotations

import os
from pathlib import Path

from engines.errors import InputError

SHARE = 4  # one loaded model or array may take 1/SHARE of physical memory
FALLBACK_BYTES = 2 << 30  # where the physical memory cannot be asked (8 GiB machines get the same)


def load_budget() -> int:
    """Bytes one loaded model or array may take on this machine."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // SHARE
    except (AttributeError, ValueError, OSError):
        return FALLBACK_BYTES


def human_bytes(n: float) -> str:
    """``n`` bytes in words: "512 bytes", "3.1 MiB", "6.50 GiB"."""
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} bytes"


def check_file_size(path: Path, what: str = "weights file") -> None:
    """InputError when the file at ``path`` is larger than :func:`load_budget` (it is read whole)."""
    size = path.stat().st_size
    budget = load_budget()
    if size > budget:
        raise InputError(f"{path.name} is {human_bytes(size)}, more than the {human_bytes(budget)} a {what} may "
                         f"take here (a quarter of this machine's memory); it was not read")
