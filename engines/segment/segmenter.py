"""Unigram language-model segmentation: the best path of Σ log p(w) over the word graph (a numba kernel).

One pass over the units: at each unit p, every word of 1..max_len units ending at p is looked up by its
n-gram hash (:func:`engines.segment.counting.ngram_codes`'s, extended one unit to the left at a time) in the
lexicon's hash index, and the best prefix score through p kept with the length of its last word
(Viterbi's dynamic programme); then the back-pointers are followed from each clause's end. A word never
crosses a separator (unit 0).
"""
from __future__ import annotations

import math

import numba
import numpy as np

from engines.segment.counting import PRIME
from engines.segment.hashindex import HashIndex, find


@numba.njit(cache=True, nogil=True)
def _best_path(units: np.ndarray, table: np.ndarray, bits: int, logp: np.ndarray, max_len: int,
               unk_logp: float, forbid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Word starts and best prefix scores (``best[p + 1]``: of the clause's prefix ending at p; 0 at a
    clause's start). A unit missing from the lexicon scores ``unk_logp``; a word of l units ending at p is
    not allowed where ``forbid[p] == l`` (an empty ``forbid``: none). Of equal scores the shortest last
    word wins."""
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
            code += units[p - ln + 1] * power[ln - 1]
            if ln == banned:
                continue
            row = find(table, bits, code)
            if row >= 0:
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


def best_path(units: np.ndarray, index: HashIndex, logp: np.ndarray, max_len: int, unk_logp: float,
              forbid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Word starts (bool per unit) of the best segmentation of ``units`` and the best prefix scores (see
    :func:`_best_path`; ``index`` maps a word's hash code to its row of ``logp``)."""
    units = np.ascontiguousarray(units, dtype=np.int64)
    forbid = np.zeros(0, np.int64) if forbid is None else np.ascontiguousarray(forbid, dtype=np.int64)
    return _best_path(units, index.table, index.bits, np.ascontiguousarray(logp, dtype=np.float64), max_len,
                      float(unk_logp), forbid)


def segment_units(units: np.ndarray, index: HashIndex, logp: np.ndarray, max_len: int,
                  unk_logp: float) -> np.ndarray:
    """Word starts (bool per unit) of the unigram-LM segmentation of ``units``."""
    return best_path(units, index, logp, max_len, unk_logp)[0]


def split_cost(rows: np.ndarray, lens: np.ndarray, index: HashIndex, logp: np.ndarray, max_len: int,
               unk_logp: float) -> np.ndarray:
    """For each multi-unit word (unit rows padded with 0, lengths): the best log-probability of splitting it
    into other words."""
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
    _, best = best_path(units, index, logp, max_len, unk_logp, forbid)
    return best[ends + 1]


def bits_per_char(log_probs_sum: float, n_chars: int) -> float:
    return -log_probs_sum / math.log(2) / max(n_chars, 1)
