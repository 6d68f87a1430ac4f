"""Text to units in one pass over the code points (the rules of :mod:`engines.segment.units`): character
classes, digit and latin runs with what may stand inside or after them, runs of Chinese numerals, and the
separators, punctuation tokens and spaces."""
from __future__ import annotations

import numba
import numpy as np

from engines.segment.units import AFTER, ALNUM, DIGIT, INNER, LATIN, NUM, OFFSET, PUNCT, SPACE


@numba.njit(cache=True, nogil=True)
def encode_units(cp: np.ndarray, classes: np.ndarray, numerals: np.ndarray, cnum: bool
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Units, their characters' offsets, the characters that start a punctuation token and the spaces of
    code points ``cp`` (``classes``: the class of every code point; ``numerals``: the BMP's Chinese
    numerals, joined into NUM runs of two or more when ``cnum``)."""
    n = cp.size
    cls = np.empty(n, np.uint8)
    isal = np.empty(n, np.bool_)
    for i in range(n):
        cls[i] = classes[cp[i]]
        isal[i] = cls[i] == DIGIT or cls[i] == LATIN
    run = np.empty(n, np.bool_)
    digit = np.empty(n, np.bool_)  # digit-like: a run of these alone is a number
    for i in range(n):
        c = cls[i]
        before = i > 0 and isal[i - 1]
        inner = c == INNER and before and i + 1 < n and isal[i + 1]  # 3.5, 1/3, 12:30
        after = c == AFTER and before  # 20%
        if (c == INNER and not inner) or (c == AFTER and not after):
            cls[i] = PUNCT
        run[i] = isal[i] or inner or after
        digit[i] = c == DIGIT or inner or after
    if cnum:
        numeral = np.empty(n, np.bool_)
        for i in range(n):
            numeral[i] = cp[i] <= 0xFFFF and numerals[cp[i]] and not run[i]
        for i in range(n):
            if numeral[i] and ((i > 0 and numeral[i - 1]) or (i + 1 < n and numeral[i + 1])):
                run[i] = True
                digit[i] = True
    units = np.empty(n, np.int64)
    offsets = np.empty(n, np.int64)
    forced = np.empty(n, np.bool_)
    spaces = np.empty(n, np.bool_)
    k = 0
    for i in range(n):
        nonunit = (cls[i] == PUNCT or cls[i] == SPACE) and not run[i]
        if run[i]:
            if i == 0 or not run[i - 1]:  # a run starts: NUM when all its characters are digit-like
                letters = False
                j = i
                while j < n and run[j]:
                    letters = letters or not digit[j]
                    j += 1
                units[k], offsets[k] = ALNUM if letters else NUM, i
                k += 1
        elif nonunit:
            if i == 0 or not ((cls[i - 1] == PUNCT or cls[i - 1] == SPACE) and not run[i - 1]):
                units[k], offsets[k] = 0, i  # a separator stands for the whole stretch
                k += 1
        else:
            units[k], offsets[k] = cp[i] + OFFSET, i
            k += 1
        spaces[i] = cls[i] == SPACE and not run[i]
        # a punctuation token starts: not the same mark again right after one
        forced[i] = cls[i] == PUNCT and not run[i] and (
            i == 0 or cls[i - 1] != PUNCT or cp[i - 1] != cp[i] or run[i - 1])
    return units[:k].copy(), offsets[:k].copy(), forced, spaces
