"""An open-addressing hash index over int64 keys: key -> row, -1 when absent (numba kernels).

Looking up two million n-gram codes in a sorted table with ``searchsorted`` costs ~20 dependent random
reads per query; linear probing in a table at most a quarter full costs ~1.2. A slot holds its key and
row side by side (one random read fetches both): ``table[slot] = (key, row)``. Kernels of other modules
look keys up inside their own loops with :func:`find`.
"""
from __future__ import annotations

import numba
import numpy as np

EMPTY = np.int64(-(2 ** 63))
GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing (Knuth, TAOCP vol. 3, 6.4)
SPREAD = 4  # slots per key at least (a quarter full: fewer probes)
LARGE = 1 << 20  # above this many keys: half full, to bound the memory (16 B per slot)


@numba.njit(cache=True, nogil=True)
def find(table: np.ndarray, bits: int, key: int) -> int:
    """Row of ``key`` in a hash table ``table`` of 2**``bits`` (key, row) slots, -1 when absent."""
    mask = (1 << bits) - 1
    pos = np.int64((np.uint64(key) * GOLDEN) >> np.uint64(64 - bits))
    while True:
        k = table[pos, 0]
        if k == key:
            return table[pos, 1]
        if k == EMPTY:
            return -1
        pos = (pos + 1) & mask


@numba.njit(cache=True, nogil=True)
def _build(keys: np.ndarray, bits: int) -> np.ndarray:
    """The table of ``keys`` (row = position in ``keys``; a repeated key keeps its first row)."""
    mask = (1 << bits) - 1
    table = np.empty((1 << bits, 2), np.int64)
    table[:, 0] = EMPTY
    table[:, 1] = -1
    for row in range(keys.size):
        key = keys[row]
        pos = np.int64((np.uint64(key) * GOLDEN) >> np.uint64(64 - bits))
        while table[pos, 0] != EMPTY and table[pos, 0] != key:
            pos = (pos + 1) & mask
        if table[pos, 0] == EMPTY:
            table[pos, 0] = key
            table[pos, 1] = row
    return table


@numba.njit(cache=True, nogil=True)
def _lookup(table: np.ndarray, bits: int, query: np.ndarray) -> np.ndarray:
    out = np.empty(query.size, np.int64)
    for i in range(query.size):
        out[i] = find(table, bits, query[i])
    return out


class HashIndex:
    """The rows of int64 keys (their positions in the array given), found by key."""

    def __init__(self, keys: np.ndarray) -> None:
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        self.size = len(keys)
        spread = SPREAD if self.size <= LARGE else 2
        self.bits = max(4, int(np.ceil(np.log2(max(spread * self.size, 16)))))
        self.table = _build(keys, self.bits)

    def lookup(self, query: np.ndarray) -> np.ndarray:
        """Row of each query key in the keys given at construction, -1 if absent."""
        query = np.ascontiguousarray(query, dtype=np.int64)
        if self.size == 0 or len(query) == 0:
            return np.full(len(query), -1, np.int64)
        return _lookup(self.table, self.bits, query)
