"""What a .npy header (or the header of each array in a .npz) claims, checked before numpy reads the data:
numpy allocates the claimed shape first and reads afterwards, so a 100-byte file claiming 10^10 rows
would cost 149 GiB. An array that claims more bytes than its file holds, or more than
:func:`engines.budget.load_budget`, is refused with both sizes in the message.

Layout: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html (magic, version, a
header dict with ``descr``, ``fortran_order`` and ``shape``, then the data)."""
from __future__ import annotations

import math
import zipfile
from pathlib import Path
from typing import BinaryIO

from numpy.lib import format as npy_format

from engines import budget
from engines.errors import InputError


def _claim(handle: BinaryIO) -> tuple[tuple[int, ...], int]:
    """(shape, bytes of data) the header at ``handle`` claims; ValueError for a damaged header."""
    version = npy_format.read_magic(handle)
    read = npy_format.read_array_header_1_0 if version == (1, 0) else npy_format.read_array_header_2_0
    shape, _, dtype = read(handle)
    return shape, math.prod(shape) * dtype.itemsize


def _check(name: str, shape: tuple[int, ...], claimed: int, held: int) -> None:
    limit = budget.load_budget()
    if claimed > held:
        raise InputError(f"{name} claims an array of shape {shape} ({budget.describe(claimed)}) but holds "
                         f"{budget.describe(held)} of data (truncated or forged); it was not read")
    if claimed > limit:
        raise InputError(f"{name} holds an array of shape {shape} ({budget.describe(claimed)}), more than the "
                         f"{budget.describe(limit)} an array may take here; it was not read")


def check_array_claims(path: Path) -> None:
    """InputError when an array in the .npy/.npz at ``path`` claims more than its bytes or the budget;
    ValueError (as numpy's own) for a damaged header, OSError/BadZipFile for an unreadable file."""
    if path.suffix.lower() == ".npz":
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                with archive.open(info) as member:  # reads stop at the directory's file_size
                    shape, claimed = _claim(member)
                    _check(f"{path.name}:{info.filename}", shape, claimed, info.file_size - member.tell())
        return
    with open(path, "rb") as handle:
        shape, claimed = _claim(handle)
        _check(path.name, shape, claimed, path.stat().st_size - handle.tell())
