"""A segmented chunk as text in one pass: its words separated by single spaces, each line ended by a line
break (what ``segmented.txt`` holds)."""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def joined_words(cp: np.ndarray, spaces: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, int]:
    """The code points of the chunk's text (``cp``, lines ended by line breaks) without its spaces
    (``spaces``), a space before each character that ``starts`` a word other than a line's first, and how
    many words (a line's first character starts one)."""
    out = np.empty(2 * cp.size, np.uint32)
    k = 0
    words = 0
    fresh = True  # no character of the current line written yet
    for i in range(cp.size):
        if cp[i] == 10:
            out[k] = 10
            k += 1
            fresh = True
        elif not spaces[i]:
            if fresh or starts[i]:
                words += 1
                if not fresh:
                    out[k] = 32
                    k += 1
            out[k] = cp[i]
            k += 1
            fresh = False
    return out[:k].copy(), words
