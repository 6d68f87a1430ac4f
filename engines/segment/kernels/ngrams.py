"""The polynomial hashes of :mod:`engines.segment.counting` (``h_n = h_{n-1} * PRIME + unit``, wrapping
around as int64 arithmetic does) in one pass over the units: of every n-gram, and of the words of a
segmentation.
"""
from __future__ import annotations

import numba
import numpy as np

from engines.segment.counting import MISSING, PRIME


@numba.njit(cache=True, nogil=True)
def ngram_hashes(units: np.ndarray, max_n: int) -> np.ndarray:
    """``out[n - 1, i]``: the hash of ``units[i:i + n]`` (n = 1..max_n), MISSING where that window holds a
    separator (unit 0) or runs past the end."""
    t = units.size
    out = np.empty((max_n, t), np.int64)
    for i in range(t):
        h = 0
        n = 0
        while n < max_n and i + n < t and units[i + n] > 0:
            h = h * PRIME + units[i + n]
            out[n, i] = h
            n += 1
        while n < max_n:
            out[n, i] = MISSING
            n += 1
    return out


@numba.njit(cache=True, nogil=True)
def word_hashes(units: np.ndarray, word_start: np.ndarray, max_len: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, length in units and hash of each word of a segmented stretch (``word_start``: one flag per
    unit): a word runs from a flagged unit other than a separator (unit 0) up to the next flag or
    separator, at most ``max_len`` units; units before the first flag and after a separator up to the
    next flag belong to no word."""
    t = units.size
    starts = np.empty(t, np.int64)
    lens = np.empty(t, np.int64)
    codes = np.empty(t, np.int64)
    k = 0
    i = 0
    while i < t and not word_start[i] and units[i] != 0:
        i += 1
    while i < t:  # i starts a word or is a separator
        h = units[i]
        j = i + 1
        while j < t and not word_start[j] and units[j] != 0:
            if j - i < max_len:
                h = h * PRIME + units[j]
            j += 1
        if units[i] != 0:
            starts[k] = i
            lens[k] = min(j - i, max_len)
            codes[k] = h
            k += 1
        i = j
    return starts[:k].copy(), lens[:k].copy(), codes[:k].copy()
