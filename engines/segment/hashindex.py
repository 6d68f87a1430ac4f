"""A hash index over int64 keys: key -> row, -1 when absent (the tables of :mod:`.kernels.hashing`), and
sums grouped by its keys (:mod:`.kernels.grouping`).

Looking up two million n-gram codes in a sorted table with ``searchsorted`` costs ~20 dependent random
reads per query; linear probing in a table at most a quarter full costs ~1.2.
"""
from __future__ import annotations

import numpy as np

from engines.segment import kernels

SPREAD = 4  # slots per key at least (a quarter full: fewer probes)
LARGE = 1 << 20  # above this many keys: half full, to bound the memory (16 B per slot)


NO_GATE = np.zeros(0, np.int64)


class HashIndex:
    """The rows of int64 keys (their positions in the array given, or rows given), found by key; ``table``
    and ``bits`` are what kernels pass to :func:`engines.segment.kernels.hashing.find`."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray | None = None) -> None:
        """``rows``: the row of each key (default: its position in ``keys``; -1 stands for absence, a
        negative row is not a row of other arrays); a repeated key keeps its first."""
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        self.size = len(keys)
        spread = SPREAD if self.size <= LARGE else 2
        self.bits = max(4, int(np.ceil(np.log2(max(spread * self.size, 16)))))
        rows = np.arange(self.size) if rows is None else np.ascontiguousarray(rows, dtype=np.int64)
        self.table = kernels.build(keys, rows, self.bits)

    def lookup(self, query: np.ndarray) -> np.ndarray:
        """Row of each query key in the keys given at construction, -1 if absent."""
        query = np.ascontiguousarray(query, dtype=np.int64)
        if self.size == 0 or len(query) == 0:
            return np.full(len(query), -1, np.int64)
        return kernels.lookup(self.table, self.bits, query)

    def stored(self, query: np.ndarray, gate: np.ndarray | None = None, least: int = 1) -> np.ndarray:
        """The row each query key was given (positive rows: values such as counts), 0 where it is absent;
        with ``gate`` (int64, one per query) only the keys whose gate is ``least`` or more are looked up,
        the others read 0."""
        if self.size == 0:
            return np.zeros(len(query), np.int64)
        return kernels.stored(self.table, self.bits, np.ascontiguousarray(query, dtype=np.int64),
                              np.ascontiguousarray(gate if gate is not None else NO_GATE, dtype=np.int64), least)

    def sum_by_row(self, query: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Per row: the sum of the float ``weights`` of the query keys found there, added in query order (as
        ``np.bincount`` adds)."""
        out = np.zeros(self.size)
        if self.size and len(query):
            kernels.add_at(self.table, self.bits, np.ascontiguousarray(query, dtype=np.int64),
                            np.ascontiguousarray(weights, dtype=np.float64), out)
        return out
