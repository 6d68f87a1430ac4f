"""The min-PMI of the n-gram at each position over its split points (the cohesion of minimum entropy, part
two: Su Jianlin 2018, https://kexue.fm/archives/5476), in one pass instead of n - 1 whole-array passes.
"""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def min_pmi(logc: np.ndarray, log_total: float, n: int) -> np.ndarray:
    """At each position i: min over k = 1..n-1 of ln N + ln c(n-gram) - ln c(left k units) - ln c(right n-k
    units), where ``logc[m - 1, i]`` is ln of the count of the m-gram starting at i and the right part reads
    0 past the end (in the order of operations of the numpy expression it replaces: equal bit for bit)."""
    t = logc.shape[1]
    out = np.empty(t)
    for i in range(t):
        best = np.inf
        for k in range(1, n):
            right = logc[n - k - 1, i + k] if i + k < t else 0.0
            value = log_total + logc[n - 1, i] - logc[k - 1, i] - right
            if value < best:
                best = value
        out[i] = best
    return out
