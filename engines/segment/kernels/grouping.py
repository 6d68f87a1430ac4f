"""Sums grouped by the keys of a hash table (:mod:`.hashing`): one lookup per item where a sort-based
group-by would sort the items first."""
from __future__ import annotations

import numba
import numpy as np

from engines.segment.kernels.hashing import find


@numba.njit(cache=True, nogil=True)
def add_at(table: np.ndarray, bits: int, keys: np.ndarray, weights: np.ndarray, out: np.ndarray) -> None:
    """``out[row of keys[i]] += weights[i]`` for i in order (the order of ``np.bincount``'s sums), keys
    missing from the table skipped."""
    for i in range(keys.size):
        row = find(table, bits, keys[i])
        if row >= 0:
            out[row] += weights[i]
