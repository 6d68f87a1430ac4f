"""The unigram language model's best path over the word graph (Viterbi's dynamic programme), one pass.

At each unit p the words of 1..max_len units ending at p are looked up by their n-gram hash (that of
:func:`engines.segment.counting.ngram_codes`, extended one unit to the left at a time: h' = u * PRIME**l + h,
wrapping around as int64 arithmetic does) until the units are no word's suffix (the table holds the
suffixes too, with a negative row: :class:`engines.segment.segmenter.WordIndex`), and the best prefix
score through p kept with the length of its last word; at a clause's end the back-pointers are followed.
A word never crosses a separator (unit 0).
"""
from __future__ import annotations

import numba
import numpy as np

from engines.segment.counting import PRIME
from engines.segment.kernels.hashing import find


@numba.njit(cache=True, nogil=True)
def best_path(units: np.ndarray, table: np.ndarray, bits: int, logp: np.ndarray, max_len: int,
              unk_logp: float, forbid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Word starts and best prefix scores (``best[p + 1]``: of the clause's prefix ending at p; 0 at a
    clause's start). ``table``: the words' rows of ``logp`` and their suffixes' (negative rows). A unit
    missing from the lexicon scores ``unk_logp``; a word of l units ending at p is not allowed where
    ``forbid[p] == l`` (an empty ``forbid``: none). Of equal scores the shortest last word wins."""
    t = units.size
    power = np.ones(max(max_len, 1), np.int64)  # PRIME ** k, wrapping around as the hash does
    for k in range(1, max_len):
        power[k] = power[k - 1] * PRIME
    best = np.zeros(t + 1)
    back = np.ones(t, np.int64)
    word_start = np.zeros(t, np.bool_)
    start = 0  # the current clause's first unit
    for p in range(t):
        if units[p] <= 0:
            start = p + 1
            continue
        banned = forbid[p] if forbid.size else 0
        code = units[p]
        row = find(table, bits, code)
        value = logp[row] if row >= 0 else unk_logp
        if banned == 1:
            value = -1e18
        value += best[p]
        arg = 1
        for ln in range(2, min(max_len, p - start + 1) + 1):
            if row == -1:  # the last units looked up end no word: neither do more
                break
            code += units[p - ln + 1] * power[ln - 1]
            row = find(table, bits, code)
            if row >= 0 and ln != banned:
                score = best[p - ln + 1] + logp[row]
                if score > value:
                    value, arg = score, ln
        best[p + 1] = value
        back[p] = arg
        if p + 1 == t or units[p + 1] <= 0:  # the clause ends: follow its back-pointers
            q = p
            while q >= start:
                q -= back[q]
                word_start[q + 1] = True
    return word_start, best
