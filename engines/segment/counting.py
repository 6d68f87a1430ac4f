"""n-gram counting as a batched array computation: codes, hashing, unique with counts, merge.

Every n-gram of units (n = 1..max_n, never across a separator) gets a 64-bit code: the unit id for
n = 1, then ``h_n = h_{n-1} * PRIME + unit`` with int64 wrap-around (a polynomial hash; collisions among
millions of n-grams are vanishingly rare). One sort-based unique with counts per n counts a chunk; the
sorted tables of chunks (or of worker processes) merge as merge sort merges. Memory is bounded by the
number of distinct n-grams, not by the corpus size.

The codes come from one compiled pass over the units (:mod:`engines.segment.kernels.ngrams`); the rest is
numpy (its SIMD sort is an order of magnitude faster than torch's CPU sort for int64 keys); given a
``torch.device`` the unique runs there (``torch.unique``, imported only then: a GPU).
Tables are looked up through a vectorised hash index (:mod:`engines.segment.hashindex`), not
``searchsorted``.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engines.device import DeviceLike, as_device
from engines.segment import kernels
from engines.segment.budget import MERGE_FACTOR
from engines.segment.hashindex import HashIndex
from engines.segment.parallel import ordered_map

PENDING_BYTES = 64 << 20  # chunk tables held before they merge into the total (one merge for a small corpus)
PRIME = 1_000_003  # odd, so the hash is a bijection on each step
MISSING = -(2 ** 62)  # code of an n-gram that crosses a separator or the end


def ngram_codes(units: np.ndarray, max_n: int) -> np.ndarray:
    """codes[n-1][i] = hash of units[i:i+n], or MISSING where that window contains a separator/end: an array
    of shape (max_n, len(units)), computed in one pass (:func:`engines.segment.kernels.ngrams.ngram_hashes`)."""
    return kernels.ngram_hashes(np.ascontiguousarray(units, np.int64), max_n)


def resolve_device(device: DeviceLike):
    """Where the counting's unique runs: None (numpy, this process) for the CPU named as a preference
    ("cpu", None, or "auto" finding no GPU), else a ``torch.device``; a ``torch.device`` given stays as it
    is (the CPU's included: the torch path, tested without a GPU). Imports torch only for a preference
    other than "cpu"."""
    if device is None or (isinstance(device, str) and device.lower() == "cpu"):
        return None
    if isinstance(device, str):
        resolved = as_device(device)
        return None if resolved.type == "cpu" else resolved
    return device


def unique_counts(codes: np.ndarray, device=None) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct codes and their counts: numpy's sort and a pass over its runs
    (:func:`engines.segment.kernels.grouping.runs`), or ``torch.unique`` on ``device`` when given one (a
    ``torch.device``; the CPU's too, which keeps that path tested)."""
    if device is not None:
        import torch

        uniq, counts = torch.unique(torch.from_numpy(codes).to(device), sorted=True, return_counts=True)
        return uniq.cpu().numpy(), counts.cpu().numpy().astype(np.int64)
    return kernels.runs(np.sort(np.asarray(codes, np.int64)))


def sum_tables(tables: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The sum of tables of sorted distinct codes with their counts (a code in several gets the sum of its
    counts), sorted and distinct: merged two by two (:func:`engines.segment.kernels.grouping.merge_sums`)."""
    tables = [(np.ascontiguousarray(c, np.int64), np.ascontiguousarray(k, np.int64)) for c, k in tables]
    if not tables:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    while len(tables) > 1:
        merged = [kernels.merge_sums(*a, *b) for a, b in zip(tables[::2], tables[1::2])]
        tables = merged + tables[2 * len(merged):]
    return tables[0]


@dataclass
class NgramTable:
    """Sorted codes and their counts per n (index n-1), numpy int64 arrays."""

    codes: list[np.ndarray] = field(default_factory=list)
    counts: list[np.ndarray] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index: dict = {}
        self._locks: dict = {}
        self._lock = threading.Lock()  # chunks looked up from several threads build each index once

    def _cached(self, key, make: Callable[[], HashIndex]) -> HashIndex:
        """The index ``key``, made by ``make`` once (indexes of other keys are made meanwhile)."""
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._index:
                self._index[key] = make()
            return self._index[key]

    def __getstate__(self):
        return {"codes": self.codes, "counts": self.counts}

    def __setstate__(self, state):
        self.codes, self.counts = state["codes"], state["counts"]
        self.__post_init__()

    @property
    def max_n(self) -> int:
        return len(self.codes)

    def total(self, n: int) -> int:
        return int(self.counts[n - 1].sum()) if len(self.counts) >= n else 0

    def distinct(self) -> int:
        return int(sum(c.size for c in self.codes))

    def index(self, n: int) -> HashIndex:
        """The rows of the n-grams' codes."""
        return self._cached(n, lambda: HashIndex(self.codes[n - 1]))

    def counts_index(self, n: int, min_count: int = 1) -> HashIndex:
        """The n-grams seen ``min_count`` times or more, each code holding its count."""
        def make() -> HashIndex:
            keep = np.flatnonzero(self.counts[n - 1] >= min_count) if min_count > 1 else slice(None)
            return HashIndex(self.codes[n - 1][keep], self.counts[n - 1][keep])

        return self._cached((n, min_count), make)

    def prepare(self, max_n: int, min_count: int = 1) -> None:
        """Make the count indexes of orders 1..max_n for ``min_count`` side by side, on threads."""
        list(ordered_map(lambda n: self.counts_index(n, min_count), range(1, min(max_n, self.max_n) + 1)))

    def lookup(self, n: int, query, min_count: int = 1, prefix: np.ndarray | None = None) -> np.ndarray:
        """Counts of the n-grams with codes ``query`` (0 for unseen or MISSING), int64, read from a table of
        codes holding their counts. N-grams rarer than ``min_count`` read as 0 (a smaller table: faster
        lookups); given ``prefix``, the counts so read of each query's first n - 1 units, only the n-grams
        whose prefix has ``min_count`` or more are looked up (an n-gram is never more frequent than its
        prefix)."""
        if n > self.max_n or not self.codes[n - 1].size:
            return np.zeros(len(query), np.int64)
        # MISSING is never a key: it reads 0
        return self.counts_index(n, min_count).stored(query, prefix, max(min_count, 1))

    def pruned(self, min_count: int) -> "NgramTable":
        keep = [c >= min_count for c in self.counts]
        return NgramTable([c[k] for c, k in zip(self.codes, keep)], [c[k] for c, k in zip(self.counts, keep)])

    def nbytes(self) -> int:
        return int(sum(c.nbytes * 2 for c in self.codes))


def count_units(units: np.ndarray, max_n: int, check: Callable[[], None] | None = None,
                device=None) -> NgramTable:
    """The n-gram table of one chunk of units; ``check`` (a job's ``reporter.check``) runs before each order;
    ``device``: where the unique runs (:func:`unique_counts`)."""
    table = NgramTable()
    for c in ngram_codes(units, max_n):
        if check is not None:
            check()
        uniq, counts = unique_counts(c[c != MISSING], device)
        table.codes.append(uniq)
        table.counts.append(counts)
    return table


def merge(tables: list[NgramTable]) -> NgramTable:
    """Sum of tables (the merge step after counting chunks or processes separately); the orders merge side
    by side on threads."""
    tables = [t for t in tables if t.codes]
    if not tables:
        return NgramTable()
    if len(tables) == 1:
        return tables[0]

    def order(n: int) -> tuple[np.ndarray, np.ndarray]:
        return sum_tables([(t.codes[n], t.counts[n]) for t in tables if t.max_n > n])

    out = NgramTable()
    for _, (codes, counts) in ordered_map(order, range(max(t.max_n for t in tables))):
        out.codes.append(codes)
        out.counts.append(counts)
    return out


class Counter:
    """Accumulates chunk tables, merging them into the total once they hold ``pending_bytes`` (default
    :data:`PENDING_BYTES`), so memory stays bounded by the distinct n-grams."""

    def __init__(self, pending_bytes: int = PENDING_BYTES) -> None:
        self.pending_bytes = pending_bytes
        self._pending: list[NgramTable] = []
        self._table = NgramTable()

    def merge_bytes(self, table: NgramTable | None = None) -> int:
        """Estimated peak bytes of merging what is counted so far and ``table`` (see
        :data:`~engines.segment.budget.MERGE_FACTOR`)."""
        pending = [*self._pending, table] if table is not None else self._pending
        return MERGE_FACTOR * (self._table.nbytes() + sum(t.nbytes() for t in pending))

    def distinct(self) -> int:
        """Distinct n-grams counted so far (an upper bound before the pending tables merge)."""
        return self._table.distinct() + sum(t.distinct() for t in self._pending)

    def add_table(self, table: NgramTable) -> None:
        self._pending.append(table)
        if sum(t.nbytes() for t in self._pending) >= self.pending_bytes:
            self._table = merge([self._table, *self._pending])
            self._pending = []

    def result(self) -> NgramTable:
        if self._pending:
            self._table = merge([self._table, *self._pending])
            self._pending = []
        return self._table
