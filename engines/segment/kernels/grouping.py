"""Sums grouped by key: by the keys of a hash table (:mod:`.hashing`), one lookup per item where a
sort-based group-by would sort the items first; of two tables of sorted keys, merged; and the runs of a
sorted array, counted."""
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


@numba.njit(cache=True, nogil=True)
def merge_sums(keys_a: np.ndarray, sums_a: np.ndarray, keys_b: np.ndarray, sums_b: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Two tables of sorted distinct keys with their sums as one (sorted, distinct; a key of both gets the
    sum of its sums): the merge step of merge sort (Knuth, TAOCP vol. 3, 5.2.4), one pass."""
    keys = np.empty(keys_a.size + keys_b.size, np.int64)
    sums = np.empty(keys_a.size + keys_b.size, np.int64)
    i = j = k = 0
    while i < keys_a.size and j < keys_b.size:
        a, b = keys_a[i], keys_b[j]
        if a <= b:
            keys[k], sums[k] = a, sums_a[i]
            i += 1
            if a == b:
                sums[k] += sums_b[j]
                j += 1
        else:
            keys[k], sums[k] = b, sums_b[j]
            j += 1
        k += 1
    while i < keys_a.size:
        keys[k], sums[k] = keys_a[i], sums_a[i]
        i += 1
        k += 1
    while j < keys_b.size:
        keys[k], sums[k] = keys_b[j], sums_b[j]
        j += 1
        k += 1
    return keys[:k].copy(), sums[:k].copy()


@numba.njit(cache=True, nogil=True)
def runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys of a sorted array and how often each comes (the lengths of its runs)."""
    distinct = np.empty(keys.size, np.int64)
    counts = np.empty(keys.size, np.int64)
    k = -1
    for i in range(keys.size):
        if k < 0 or keys[i] != distinct[k]:
            k += 1
            distinct[k] = keys[i]
            counts[k] = 0
        counts[k] += 1
    return distinct[: k + 1].copy(), counts[: k + 1].copy()
