"""Unigram language-model segmentation: the best path of Σ log p(w) over the word graph, batched.

All clauses (runs of units between separators) are solved at once: they are sorted by length and the
dynamic programme advances one column at a time over the clauses still active, so the Python loop runs
``longest clause × max word length`` times while each step is a vector operation over every clause.
The back-pointers are followed the same way, one word per step for all clauses.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from engines.segment.counting import MISSING, ngram_codes

NEG = -1e18
MAX_CLAUSE = 1024  # a clause longer than this many units is solved in pieces (a word never spans a cut)


def edge_logp(units: torch.Tensor, index, logp: torch.Tensor, max_len: int,
              unk_logp: float, forbid: torch.Tensor | None = None,
              grams: list[torch.Tensor] | None = None) -> list[torch.Tensor]:
    """lp[l-1][p] = log p of the word of l units ending at unit p (NEG if no such word).

    ``forbid`` (optional, per unit position): a word of length l ending at p is not allowed when
    forbid[p] == l (used to split a word with the other words only). ``grams``: ``ngram_codes(units,
    max_len)`` when the caller has them already.
    """
    t = units.numel()
    grams = grams if grams is not None else ngram_codes(units, max_len)
    out = []
    for ln in range(1, max_len + 1):
        q = grams[ln - 1].numpy()
        valid = np.flatnonzero(q != MISSING)
        lp_start = torch.full((t,), NEG, dtype=torch.float64)
        row = index.lookup(q[valid])
        hit = row >= 0
        lp_start[torch.from_numpy(valid[hit])] = logp[torch.from_numpy(row[hit])]
        if ln == 1:
            lp_start = torch.where((units > 0) & (lp_start <= NEG / 2), torch.full_like(lp_start, unk_logp), lp_start)
        lp_end = torch.full((t,), NEG, dtype=torch.float64)
        if t - ln + 1 > 0:
            lp_end[ln - 1:] = lp_start[: t - ln + 1]
        if forbid is not None:
            lp_end = torch.where(forbid == ln, torch.full_like(lp_end, NEG), lp_end)
        out.append(lp_end)
    return out


def bounded_clauses(starts: torch.Tensor, ends: torch.Tensor, cap: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Clauses (first and last unit) with those longer than ``cap`` units cut into pieces of ``cap``: the
    programme's Python loop runs at most ``cap`` columns, whatever the text (a line without punctuation)."""
    lengths = ends - starts + 1
    if lengths.numel() == 0 or int(lengths.max()) <= cap:
        return starts, ends
    pieces = (lengths + cap - 1) // cap
    offset = torch.arange(int(pieces.sum())) - torch.repeat_interleave(torch.cumsum(pieces, 0) - pieces, pieces)
    new_starts = torch.repeat_interleave(starts, pieces) + offset * cap
    return new_starts, torch.minimum(new_starts + cap - 1, torch.repeat_interleave(ends, pieces))


def best_path(units: torch.Tensor, lp: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Word starts (bool per unit) of the best segmentation, and the best prefix scores.

    ``units`` must begin with a separator (0) so that no word can reach before the first clause. The
    scores are first permuted into column-major order (column j = the j-th unit of every clause at least
    j + 1 long, longest clauses first), so every step of the programme reads contiguous memory.
    """
    t = units.numel()
    max_len = len(lp)
    live = units > 0
    prev_live = torch.zeros(t, dtype=torch.bool)
    prev_live[1:] = live[:-1]
    next_live = torch.zeros(t, dtype=torch.bool)
    next_live[:-1] = live[1:]
    starts, ends = bounded_clauses(torch.nonzero(live & ~prev_live).squeeze(1),
                                   torch.nonzero(live & ~next_live).squeeze(1), MAX_CLAUSE)
    best = torch.zeros(t + 1, dtype=torch.float64)  # best[p + 1]: best score of a clause prefix ending at p
    back = torch.ones(t, dtype=torch.int64)
    if starts.numel() == 0:
        return torch.zeros(t, dtype=torch.bool), best
    lengths = ends - starts + 1
    order = torch.argsort(lengths, descending=True)
    starts_sorted = starts[order]
    lengths_sorted = lengths[order]
    max_clause = int(lengths_sorted[0])
    active = torch.searchsorted(-lengths_sorted, -torch.arange(1, max_clause + 1), right=True).tolist()
    offsets = [0]
    for n in active:
        offsets.append(offsets[-1] + n)
    # flat position of (column j, row r) at offsets[j] + r
    col = torch.repeat_interleave(torch.arange(max_clause), torch.tensor(active))
    row = torch.arange(offsets[-1]) - torch.tensor(offsets[:-1]).repeat_interleave(torch.tensor(active))
    perm = starts_sorted[row] + col
    lp_perm = torch.stack(lp)[:, perm]  # (L, live units), column-major
    best_perm = torch.empty(offsets[-1], dtype=torch.float64)
    back_perm = torch.empty(offsets[-1], dtype=torch.int64)
    zeros = torch.zeros(active[0], dtype=torch.float64)
    for j in range(max_clause):
        n, off = active[j], offsets[j]
        span = min(max_len, j + 1)
        rows = []
        for ln in range(1, span + 1):
            k = j - ln  # the column before the word
            prev = zeros[:n] if k < 0 else best_perm[offsets[k]: offsets[k] + n]
            rows.append(prev + lp_perm[ln - 1, off: off + n])
        value, arg = torch.stack(rows).max(0)
        best_perm[off: off + n] = value
        back_perm[off: off + n] = arg + 1
    best[perm + 1] = best_perm
    back[perm] = back_perm
    word_start = torch.zeros(t, dtype=torch.bool)
    ptr = ends.clone()
    first = starts.clone()
    while ptr.numel():
        s = ptr - back[ptr] + 1
        word_start[s] = True
        keep = s > first
        ptr, first = s[keep] - 1, first[keep]
    return word_start, best


def segment_units(units: torch.Tensor, index, logp: torch.Tensor, max_len: int,
                  unk_logp: float, grams: list[torch.Tensor] | None = None) -> torch.Tensor:
    """Word starts (bool per unit) of the unigram-LM segmentation of ``units`` (``grams``: their
    ``ngram_codes(units, max_len)`` when at hand)."""
    padded = torch.cat([torch.zeros(1, dtype=torch.int64), units.to(torch.int64)])
    if grams is not None:
        missing = torch.full((1,), MISSING, dtype=torch.int64)
        grams = [torch.cat([missing, g]) for g in grams]
    lp = edge_logp(padded, index, logp, max_len, unk_logp, grams=grams)
    word_start, _ = best_path(padded, lp)
    return word_start[1:]


def split_cost(words_units: list, index, logp: torch.Tensor, max_len: int, unk_logp: float) -> torch.Tensor:
    """For each multi-unit word: the best log-probability of splitting it into other words (NEG if none)."""
    if not words_units:
        return torch.zeros(0, dtype=torch.float64)
    flat = [0]
    ends = []
    for w in words_units:
        flat.extend(int(u) for u in w)
        ends.append(len(flat) - 1)
        flat.append(0)
    units = torch.tensor(flat, dtype=torch.int64)
    forbid = torch.zeros(units.numel(), dtype=torch.int64)
    ends_t = torch.tensor(ends)
    forbid[ends_t] = torch.tensor([len(w) for w in words_units])
    lp = edge_logp(units, index, logp, max_len, unk_logp, forbid=forbid)
    _, best = best_path(units, lp)
    return best[ends_t + 1]


def bits_per_char(log_probs_sum: float, n_chars: int) -> float:
    return -log_probs_sum / math.log(2) / max(n_chars, 1)
