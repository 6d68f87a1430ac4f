"""The number convention of the PKU / People's Daily standard, applied to a learned lexicon.

The statistics join a number with the word after it ("一种", "两国", "５０多", "３个": strongly associated
pairs), while the standard keeps a numeral and its measure word apart and joins only dates, times and
magnitudes ("１９９８年", "１２月", "３１日", "十二月", "５万"). With the numerals as the one piece of prior
knowledge (like the digits of :mod:`engines.segment.units`), this removes from the lexicon the words made of
a number and one unit after it, where

- the number is a digit run: unless the unit is a calendar or magnitude unit (年 月 日 时 万 亿);
- the number is a run of Chinese numerals: when the unit is a *measure word*, i.e. found after at least
  ``min_numerals`` different numerals in the corpus (个, 种, 年, 国 ...: but not 些, 定, 起, which follow 一
  alone), unless the run has two or more numerals and the unit is a calendar or magnitude unit (十二月).

Words such as 一些, 一定 or 统一 are untouched; the segmenter then spells removed words as two.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from engines.segment.counting import PRIME, NgramTable
from engines.segment.units import CNUM_CHARS, NUM, OFFSET

CALENDAR_MAGNITUDE = "年月日时万亿"


@lru_cache(maxsize=1)
def _ids() -> tuple[np.ndarray, np.ndarray]:
    numerals = np.array([ord(c) + OFFSET for c in CNUM_CHARS], np.int64)
    joiners = np.array([ord(c) + OFFSET for c in CALENDAR_MAGNITUDE], np.int64)
    return numerals, joiners


def numeral_diversity(units: np.ndarray, table: NgramTable, min_count: int = 2) -> np.ndarray:
    """For each unit: how many different numerals (the digit class and each Chinese numeral) come right
    before it at least ``min_count`` times."""
    numerals, _ = _ids()
    before = np.r_[NUM, numerals]
    codes = before[None, :] * PRIME + np.asarray(units, np.int64)[:, None]
    counts = table.lookup(2, codes.ravel()).numpy().reshape(codes.shape)
    return (counts >= min_count).sum(1)


def number_measure_words(rows: np.ndarray, lens: np.ndarray, table: NgramTable, min_numerals: int = 3) -> np.ndarray:
    """Mask of the words (unit rows padded with 0, lengths) that join a number with a measure word."""
    numerals, joiners = _ids()
    rows = np.asarray(rows, np.int64)
    lens = np.asarray(lens, np.int64)
    out = np.zeros(len(lens), bool)
    if rows.size == 0:
        return out
    is_cn = np.isin(rows, numerals)
    # the numeral run at the start of each word: a digit unit alone, or leading Chinese numerals
    lead_cn = np.cumprod(is_cn, axis=1).sum(1)
    digit = rows[:, 0] == NUM
    run = np.where(digit, 1, lead_cn)
    cand = (run >= 1) & (lens == run + 1)
    if not cand.any():
        return out
    idx = np.flatnonzero(cand)
    last = rows[idx, run[idx]]
    joins = np.isin(last, joiners)
    measure = numeral_diversity(last, table) >= min_numerals
    drop = np.where(digit[idx], ~joins, measure & ~(joins & (run[idx] >= 2)))
    out[idx[drop]] = True
    return out
