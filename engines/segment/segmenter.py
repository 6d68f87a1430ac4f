"""Unigram language-model segmentation: the best path of Σ log p(w) over the word graph, batched.

All clauses (runs of units between separators) are solved at once: they are sorted by length and the
dynamic programme advances one column at a time over the clauses still active, so the Python loop runs
``longest clause × max word length`` times while each step is a vector operation over every clause.
The back-pointers are followed the same way, one word per step for all clauses.
"""
from __future__ import annotations

import math

import numpy as np

from engines.segment.counting import MISSING, ngram_codes

NEG = -1e18
MAX_CLAUSE = 1024  # a clause longer than this many units is solved in pieces (a word never spans a cut)


def edge_logp(units: np.ndarray, index, logp: np.ndarray, max_len: int, unk_logp: float,
              forbid: np.ndarray | None = None, grams: list[np.ndarray] | None = None) -> np.ndarray:
    """lp[l-1, p] = log p of the word of l units ending at unit p (NEG if no such word), an (L, T) array.

    ``forbid`` (optional, per unit position): a word of length l ending at p is not allowed when
    forbid[p] == l (used to split a word with the other words only). ``grams``: ``ngram_codes(units,
    max_len)`` when the caller has them already.
    """
    t = units.size
    grams = grams if grams is not None else ngram_codes(units, max_len)
    out = np.full((max_len, t), NEG)
    for ln in range(1, max_len + 1):
        q = grams[ln - 1][: max(t - ln + 1, 0)]  # the word starting at p - ln + 1 ends at p
        valid = np.flatnonzero(q != MISSING)
        row = index.lookup(q[valid])
        hit = row >= 0
        end = out[ln - 1, ln - 1:]
        end[valid[hit]] = logp[row[hit]]
        if ln == 1:
            end[(units > 0) & (end <= NEG / 2)] = unk_logp
        if forbid is not None:
            out[ln - 1, forbid == ln] = NEG
    return out


def bounded_clauses(starts: np.ndarray, ends: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Clauses (first and last unit) with those longer than ``cap`` units cut into pieces of ``cap``: the
    programme's Python loop runs at most ``cap`` columns, whatever the text (a line without punctuation)."""
    lengths = ends - starts + 1
    if lengths.size == 0 or int(lengths.max()) <= cap:
        return starts, ends
    pieces = (lengths + cap - 1) // cap
    offset = np.arange(int(pieces.sum())) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    new_starts = np.repeat(starts, pieces) + offset * cap
    return new_starts, np.minimum(new_starts + cap - 1, np.repeat(ends, pieces))


def best_path(units: np.ndarray, lp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Word starts (bool per unit) of the best segmentation, and the best prefix scores.

    ``units`` must begin with a separator (0) so that no word can reach before the first clause. The
    scores are first permuted into column-major order (column j = the j-th unit of every clause at least
    j + 1 long, longest clauses first), so every step of the programme reads contiguous memory. Of equal
    scores the shortest last word wins.
    """
    t = units.size
    max_len = len(lp)
    live = units > 0
    starts, ends = bounded_clauses(np.flatnonzero(live & ~np.r_[False, live[:-1]]),
                                   np.flatnonzero(live & ~np.r_[live[1:], False]), MAX_CLAUSE)
    best = np.zeros(t + 1)  # best[p + 1]: best score of a clause prefix ending at p
    back = np.ones(t, np.int64)
    if starts.size == 0:
        return np.zeros(t, bool), best
    lengths = ends - starts + 1
    order = np.argsort(-lengths, kind="stable")
    starts_sorted = starts[order]
    lengths_sorted = lengths[order]
    max_clause = int(lengths_sorted[0])
    active = np.searchsorted(-lengths_sorted, -np.arange(1, max_clause + 1), side="right")
    offsets = np.r_[0, np.cumsum(active)]
    # flat position of (column j, row r) at offsets[j] + r
    col = np.repeat(np.arange(max_clause), active)
    row = np.arange(offsets[-1]) - np.repeat(offsets[:-1], active)
    perm = starts_sorted[row] + col
    lp_perm = lp[:, perm]  # (L, live units), column-major
    best_perm = np.empty(offsets[-1])
    back_perm = np.empty(offsets[-1], np.int64)
    score, better = np.empty(int(active[0])), np.empty(int(active[0]), bool)
    for j, (n, off) in enumerate(zip(active.tolist(), offsets.tolist())):
        value, arg = best_perm[off: off + n], back_perm[off: off + n]
        value[:] = lp_perm[0, off: off + n]  # a word of one unit
        if j > 0:
            value += best_perm[offsets[j - 1]: offsets[j - 1] + n]
        arg[:] = 1
        for ln in range(2, min(max_len, j + 1) + 1):
            k = j - ln  # the column before the word
            word = lp_perm[ln - 1, off: off + n]
            s, b = score[:n], better[:n]
            if k < 0:
                s[:] = word
            else:
                np.add(best_perm[offsets[k]: offsets[k] + n], word, out=s)
            np.greater(s, value, out=b)
            np.copyto(value, s, where=b)
            np.copyto(arg, ln, where=b)
    best[perm + 1] = best_perm
    back[perm] = back_perm
    word_start = np.zeros(t, bool)
    ptr, first = ends, starts
    while ptr.size:
        s = ptr - back[ptr] + 1
        word_start[s] = True
        keep = s > first
        ptr, first = s[keep] - 1, first[keep]
    return word_start, best


def segment_units(units: np.ndarray, index, logp: np.ndarray, max_len: int, unk_logp: float,
                  grams: list[np.ndarray] | None = None) -> np.ndarray:
    """Word starts (bool per unit) of the unigram-LM segmentation of ``units`` (``grams``: their
    ``ngram_codes(units, max_len)`` when at hand)."""
    padded = np.r_[np.zeros(1, np.int64), np.asarray(units, np.int64)]
    if grams is not None:
        grams = [np.r_[MISSING, g] for g in grams]
    lp = edge_logp(padded, index, logp, max_len, unk_logp, grams=grams)
    word_start, _ = best_path(padded, lp)
    return word_start[1:]


def split_cost(rows: np.ndarray, lens: np.ndarray, index, logp: np.ndarray, max_len: int,
               unk_logp: float) -> np.ndarray:
    """For each multi-unit word (unit rows padded with 0, lengths): the best log-probability of splitting it
    into other words (NEG if none)."""
    lens = np.asarray(lens, np.int64)
    if lens.size == 0:
        return np.zeros(0)
    ends = np.cumsum(lens + 1) - 1  # each word's last unit, a separator before each word and after the last
    units = np.zeros(int(ends[-1]) + 2, np.int64)
    inside = np.ones(units.size, bool)
    inside[np.r_[0, ends + 1]] = False
    units[inside] = np.asarray(rows, np.int64)[:, : int(lens.max())][np.arange(int(lens.max())) < lens[:, None]]
    forbid = np.zeros(units.size, np.int64)
    forbid[ends] = lens
    lp = edge_logp(units, index, logp, max_len, unk_logp, forbid=forbid)
    _, best = best_path(units, lp)
    return best[ends + 1]


def bits_per_char(log_probs_sum: float, n_chars: int) -> float:
    return -log_probs_sum / math.log(2) / max(n_chars, 1)
