"""Open-addressing hash tables of int64 keys (linear probing, Fibonacci hashing: Knuth, TAOCP vol. 3, 6.4).

A table of 2**bits slots holds ``(key, row)`` side by side (one random read fetches both); a free slot's
key is :data:`EMPTY`. Other kernels look keys up inside their own loops with :func:`find`.
"""
from __future__ import annotations

import numba
import numpy as np

EMPTY = np.int64(-(2 ** 63))
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@numba.njit(cache=True, nogil=True)
def find(table: np.ndarray, bits: int, key: int) -> int:
    """Row of ``key`` in ``table`` (2**``bits`` slots), -1 when absent."""
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
def build(keys: np.ndarray, values: np.ndarray, bits: int) -> np.ndarray:
    """The table of ``keys``, each holding its value of ``values`` as its row (a repeated key keeps its first
    value)."""
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
            table[pos, 1] = values[row]
    return table


@numba.njit(cache=True, nogil=True)
def lookup(table: np.ndarray, bits: int, query: np.ndarray) -> np.ndarray:
    """Row of each key of ``query``, -1 when absent."""
    out = np.empty(query.size, np.int64)
    for i in range(query.size):
        out[i] = find(table, bits, query[i])
    return out


@numba.njit(cache=True, nogil=True)
def stored(table: np.ndarray, bits: int, query: np.ndarray, gate: np.ndarray, least: int) -> np.ndarray:
    """The value (row) each key of ``query`` holds, 0 when absent, looked up only where ``gate[i] >= least``
    (everywhere for an empty ``gate``)."""
    out = np.zeros(query.size, np.int64)
    gated = gate.size > 0
    for i in range(query.size):
        if gated and gate[i] < least:
            continue
        value = find(table, bits, query[i])
        if value > 0:
            out[i] = value
    return out
