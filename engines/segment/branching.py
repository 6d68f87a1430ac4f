"""Left and right branching entropy of every counted n-gram (Jin & Tanaka-Ishii 2006, "Unsupervised
segmentation of Chinese text by use of branching entropy"; the second statistic of HanLP's and SmoothNLP's
new-word discovery): H_R(w) = -Σ_c p(c|w) ln p(c|w) over the unit c after w, H_L(w) over the unit before.

Computed once per counted corpus from its cached text, in two passes (its chunks on threads: every n's
neighbours, then the moments), and kept next to its n-gram counts:

* an occurrence of w next to a separator, a line end or punctuation counts as a neighbour of its own
  (every end is different), so with T = n(w): H_R(w) = ln T - Σ_c n(wc) ln n(wc) / T;
* memory is bounded like the counts: only the (n+1)-grams whose n-gram prefix or suffix occurs twice or
  more are kept (an n-gram seen once has entropy 0 whatever its neighbour), merged every few chunks, and
  the pass stops with an :class:`~engines.errors.InputError` over the counting budget.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engines.errors import InputError
from engines.segment.budget import MERGE_FACTOR, counting_budget
from engines.segment.counted import Chunk, Counted, iter_chunks
from engines.segment.counting import MISSING, NgramTable, ngram_codes
from engines.segment.hashindex import HashIndex
from engines.segment.parallel import ordered_map

MERGE_EVERY = 4  # chunks between merges of the pending (n+1)-gram arrays
ENTROPY_SHARE = 0.4  # the branching entropy's share of the "both" score (see ngram_scores)


@dataclass
class Branching:
    """Per n (index n-1): the n-grams seen at least twice (sorted codes), their left and right branching
    entropy (nats), and the mean and standard deviation over the corpus's positions of the min-PMI score
    and of the freedom min(H_L, H_R) of the n-grams there (for n >= 2; what maps one onto the other)."""

    codes: list[np.ndarray]
    left: list[np.ndarray]
    right: list[np.ndarray]
    moments: dict[int, tuple[float, float, float, float]]  # n -> (mean PMI, sd PMI, mean freedom, sd freedom)

    def __post_init__(self) -> None:
        self._index: dict[int, HashIndex] = {}

    def index(self, n: int) -> HashIndex:
        """The hash index of the n-grams (built on first use; :func:`branching_entropy` builds them all before
        its result is shared between threads)."""
        if n not in self._index:
            self._index[n] = HashIndex(self.codes[n - 1])
        return self._index[n]

    def lookup(self, n: int, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """H_L and H_R of the n-grams with codes ``query`` (0 for those seen once, unseen or MISSING)."""
        q = np.asarray(query, np.int64)
        left, right = np.zeros(len(q)), np.zeros(len(q))
        if n > len(self.codes):
            return left, right
        row = self.index(n).lookup(q)
        hit = row >= 0
        left[hit], right[hit] = self.left[n - 1][row[hit]], self.right[n - 1][row[hit]]
        return left, right

    def freedom(self, n: int, query: np.ndarray) -> np.ndarray:
        """min(H_L, H_R) of the n-grams ``query``: how freely w combines on both sides (high: a word)."""
        left, right = self.lookup(n, query)
        return np.minimum(left, right)


def _merge(codes: np.ndarray, counts: np.ndarray, *carried: np.ndarray):
    """Distinct (n+1)-gram codes (sorted) with summed counts, each with its first entry of the ``carried``
    arrays (their prefix and suffix codes)."""
    order = np.argsort(codes, kind="stable")
    codes, counts = codes[order], counts[order]
    edge = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if codes.size else np.zeros(0, np.int64)
    return (codes[edge], np.add.reduceat(counts, edge) if codes.size else counts,
            *(array[order][edge] for array in carried))


def _next_prefixes(pre: np.ndarray) -> np.ndarray:
    """The n-gram after each position's (its suffix n-gram, as the (n+1)-gram there ends), MISSING at the end."""
    suf = np.full_like(pre, MISSING)
    suf[:-1] = pre[1:]
    return suf


def _distinct(ext: np.ndarray, keep: np.ndarray, *keys: np.ndarray) -> tuple[np.ndarray, ...]:
    """The distinct (n+1)-grams ``ext`` where ``keep`` is set (sorted), their counts and each one's first
    entry of ``keys``."""
    uniq, first, cnt = np.unique(ext[keep], return_index=True, return_counts=True)
    return (uniq, cnt.astype(np.int64), *(key[keep][first] for key in keys))


def _group_entropy(keys: np.ndarray, counts: np.ndarray, codes: HashIndex, totals: np.ndarray) -> np.ndarray:
    """ln T - Σ n ln n / T per n-gram of the index ``codes`` (with counts ``totals``), the extensions grouped
    by ``keys``."""
    part = codes.sum_by_row(keys, counts * np.log(counts.astype(np.float64)))
    t = totals.astype(np.float64)
    return np.maximum(np.log(t) - part / t, 0.0)


def _extensions(reporter, counted: Counted, budget: int) -> list[tuple[np.ndarray, ...]]:
    """Per n (index n-1): the (n+1)-grams of the text whose prefix or suffix n-gram occurs at least twice, their
    codes, counts and the codes of their prefix and suffix (one pass over the text for every n)."""
    table = counted.table
    max_n = table.max_n

    def of_chunk(chunk: Chunk) -> list[tuple[np.ndarray, ...]]:
        codes = ngram_codes(chunk.units, max_n + 1)
        out = []
        for n in range(1, max_n + 1):
            ext, pre = codes[n], codes[n - 1]
            often = table.lookup(n, pre, 2) > 0  # the suffix at i is the prefix at i + 1
            keep = ext != MISSING
            keep[:-1] &= often[:-1] | often[1:]
            keep[-1:] &= often[-1:]
            out.append(_distinct(ext, keep, pre, _next_prefixes(pre)))
        return out

    empty = tuple(np.zeros(0, np.int64) for _ in range(4))
    pending: list[list[tuple[np.ndarray, ...]]] = []
    merged = [empty] * max_n

    def merge_pending() -> None:
        for n in range(1, max_n + 1):
            merged[n - 1] = _merge(*(np.concatenate([m, *(p[n - 1][j] for p in pending)])
                                     for j, m in enumerate(merged[n - 1])))
        pending.clear()

    for _, part in ordered_map(of_chunk, iter_chunks(counted, reporter)):
        reporter.check()
        pending.append(part)
        if len(pending) >= MERGE_EVERY:
            merge_pending()
            if MERGE_FACTOR * sum(a.nbytes for m in merged for a in m) > budget:
                raise InputError(f"{counted.name}: the neighbours of its n-grams need more memory than the counting "
                                 f"budget of {budget / 2**20:,.0f} MiB; read fewer lines with --max-lines")
    merge_pending()
    return merged


def _moments(reporter, counted: Counted, out: Branching) -> None:
    """Mean and sd over the positions of the corpus (n-grams seen twice or more) of min-PMI and freedom."""
    from engines.segment.lexicon import strong_ngrams
    from engines.segment.params import SegmentParams

    max_n = counted.table.max_n
    params = SegmentParams(max_n=max_n, min_count=2)
    sums = {n: np.zeros(5) for n in range(2, max_n + 1)}  # count, Σx, Σx², Σy, Σy²

    def of_chunk(chunk: Chunk) -> list[list[float]]:
        codes = ngram_codes(chunk.units, max_n)
        scores = strong_ngrams(counted.table, codes, params)[0]
        rows = []
        for n in range(2, max_n + 1):
            x = scores[n - 1]
            ok = np.isfinite(x)
            y = out.freedom(n, codes[n - 1][ok])
            x = x[ok]
            rows.append([x.size, x.sum(), (x * x).sum(), y.sum(), (y * y).sum()])
        return rows

    for _, rows in ordered_map(of_chunk, iter_chunks(counted, reporter)):  # summed in the chunks' order
        reporter.check()
        for n, row in zip(range(2, max_n + 1), rows):
            sums[n] += row
    for n, (m, sx, sxx, sy, syy) in sums.items():
        m = max(m, 1.0)
        mx, my = sx / m, sy / m
        out.moments[n] = (mx, max(np.sqrt(max(sxx / m - mx * mx, 0.0)), 1e-9),
                          my, max(np.sqrt(max(syy / m - my * my, 0.0)), 1e-9))


def branching_entropy(reporter, counted: Counted, memory_budget: int | None = None) -> Branching:
    """Job: the branching entropies of ``counted``'s n-grams (n <= the n counted), from its cached text."""
    table: NgramTable = counted.table
    budget = counting_budget() if memory_budget is None else memory_budget
    out = Branching([], [], [], {})
    reporter.progress(0.0, "branching entropy: the n-grams' neighbours")
    for n, (ext, cnt, pre, suf) in enumerate(_extensions(reporter, counted, budget), start=1):
        often = table.counts[n - 1] >= 2
        codes, totals = table.codes[n - 1][often], table.counts[n - 1][often]
        out.codes.append(codes)
        index = out.index(n)  # built here, before the threads of the passes below read it
        out.right.append(_group_entropy(pre, cnt, index, totals))
        out.left.append(_group_entropy(suf, cnt, index, totals))
    reporter.progress(0.5, "branching entropy: normalising")
    _moments(reporter, counted, out)
    return out


def ngram_scores(n: int, pmi: np.ndarray, codes: np.ndarray, branching: Branching, statistic: str) -> np.ndarray:
    """The score of the n-gram at each position under ``statistic`` (see
    :data:`engines.segment.catalogue.STATISTICS`), on the ln-PMI scale so that one threshold per n serves all:

    * ``pmi``: the min-PMI over split points (``pmi``, as computed by the caller);
    * ``entropy``: the freedom F(w) = min(H_L(w), H_R(w)) mapped onto the PMI scale by matching mean and
      sd over the corpus's positions: μ_PMI + σ_PMI (F - μ_F) / σ_F;
    * ``both``: (1 - s) PMI + s entropy with s = :data:`ENTROPY_SHARE`: cohesion inside and freedom at the
      edges together. Chosen on the whole People's Daily 1998-01 (F1 at s = 0.3, 0.4, 0.5: 0.8298, 0.8314,
      0.8303; the minimum of the two, the AND of PMI + entropy new-word discovery: 0.8169; PMI alone
      0.8270, entropy alone 0.8191)."""
    if statistic == "pmi":
        return pmi
    mp, sp, mf, sf = branching.moments[n]
    entropy = mp + sp * (branching.freedom(n, codes) - mf) / sf
    entropy = np.where(np.isfinite(pmi), entropy, pmi)  # invalid positions stay -inf
    return entropy if statistic == "entropy" else (1 - ENTROPY_SHARE) * pmi + ENTROPY_SHARE * entropy


def branching_of(reporter, counted: Counted) -> Branching:
    """``counted``'s branching entropies: computed on first use, then kept with its counts."""
    if counted.branching is None:
        counted.branching = branching_entropy(reporter, counted)
    return counted.branching


def branching_at(reporter, counted: Counted, wanted: list[np.ndarray]) -> Branching:
    """Job: the branching entropies of the n-grams ``wanted[n - 1]`` only (codes), the values
    :func:`branching_entropy` gives them (the same sums of the same terms in the same order), from one pass
    over the text with a lookup per position and n in a table of those n-grams: for the gaps of the lines on
    screen, a few thousand n-grams, where the whole table's take a second. Without moments."""
    table = counted.table
    max_n = table.max_n
    out = Branching([], [], [], {})
    for n in range(1, max_n + 1):
        query = np.unique(wanted[n - 1]) if n <= len(wanted) else np.zeros(0, np.int64)
        out.codes.append(query[table.lookup(n, query, 2) > 0])  # seen once: entropy 0, as in the whole table
        out.index(n)  # built before the threads below read it

    def of_chunk(chunk: Chunk) -> list[tuple[tuple[np.ndarray, ...], ...]]:
        codes = ngram_codes(chunk.units, max_n + 1)
        sides = []
        for n in range(1, max_n + 1):
            ext, pre = codes[n], codes[n - 1]
            found = out.index(n).lookup(pre) >= 0
            right = found & (ext != MISSING)  # w at i: the (n+1)-gram at i is w and the unit after it
            left = ext != MISSING  # w at i + 1: the (n+1)-gram at i is the unit before w and w
            left[:-1] &= found[1:]
            left[-1:] = False
            sides.append((_distinct(ext, right, pre), _distinct(ext, left, _next_prefixes(pre))))
        return sides

    parts = [sides for _, sides in ordered_map(of_chunk, iter_chunks(counted, reporter))]
    for n in range(1, max_n + 1):
        totals = table.lookup(n, out.codes[n - 1])
        for side, entropies in ((0, out.right), (1, out.left)):
            _, cnt, key = _merge(*(np.concatenate([p[n - 1][side][j] for p in parts]) for j in range(3)))
            entropies.append(_group_entropy(key, cnt, out.index(n), totals))
    return out


def _gap_sides(units: np.ndarray, gaps: np.ndarray, bounds: np.ndarray, max_n: int):
    """The n-gram codes of ``units`` (n <= max_n) and, at each gap, the lengths (at most max_n) of the word
    before it and of the word after it."""
    codes = ngram_codes(units, max_n)
    at = np.searchsorted(bounds, gaps)
    before = np.minimum(gaps - bounds[np.maximum(at - 1, 0)], max_n)
    after = np.minimum(bounds[np.minimum(at + 1, len(bounds) - 1)] - gaps, max_n)
    return codes, before, after


def gap_ngrams(units: np.ndarray, gaps: np.ndarray, bounds: np.ndarray, max_n: int) -> list[np.ndarray]:
    """Per n (index n - 1): the codes of the n-grams whose entropies :func:`gap_entropies` reads at these
    gaps (what :func:`branching_at` needs)."""
    codes, before, after = _gap_sides(units, gaps, bounds, max_n)
    return [np.r_[codes[n - 1][gaps[before == n] - n], codes[n - 1][gaps[after == n]]] for n in range(1, max_n + 1)]


def gap_entropies(units: np.ndarray, gaps: np.ndarray, bounds: np.ndarray, branching: Branching
                  ) -> tuple[np.ndarray, np.ndarray]:
    """At each gap before unit ``gaps[k]``: H_R of the word before it and H_L of the word after it (their
    last, first n <= max_n units; ``bounds``: every word start and separator position, sorted)."""
    codes, before, after = _gap_sides(units, gaps, bounds, len(branching.codes))
    right, left = np.zeros(len(gaps)), np.zeros(len(gaps))
    for n in range(1, len(branching.codes) + 1):
        sel = np.flatnonzero(before == n)
        right[sel] = branching.lookup(n, codes[n - 1][gaps[sel] - n])[1]
        sel = np.flatnonzero(after == n)
        left[sel] = branching.lookup(n, codes[n - 1][gaps[sel]])[0]
    return right, left
