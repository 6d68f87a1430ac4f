"""Plotted data to files: named columns as CSV, any arrays as NPZ."""
from __future__ import annotations

import csv
import os
from collections.abc import Mapping

import numpy as np

from engines.export.atomic import atomic_write


def is_tabular(columns: Mapping[str, np.ndarray]) -> bool:
    """True when ``columns`` is non-empty and holds 1D arrays of one length (so it fits a CSV)."""
    arrays = [np.asarray(v) for v in columns.values()]
    return bool(arrays) and all(a.ndim == 1 for a in arrays) and len({len(a) for a in arrays}) == 1


def write_csv(path: str | os.PathLike[str], columns: Mapping[str, np.ndarray]) -> None:
    """Write columns with a header row; floats are written exactly (shortest round-trip repr)."""
    if not is_tabular(columns):
        raise ValueError("CSV needs 1D columns of equal length; save these arrays as NPZ instead")
    with atomic_write(path, "w") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns.keys())
        writer.writerows(zip(*(np.asarray(v).tolist() for v in columns.values())))


def write_npz(path: str | os.PathLike[str], arrays: Mapping[str, np.ndarray]) -> None:
    """Write arrays (any shapes) to a compressed NPZ; names become the archive's keys."""
    with atomic_write(path, "wb") as handle:
        np.savez_compressed(handle, **{name: np.asarray(value) for name, value in arrays.items()})
