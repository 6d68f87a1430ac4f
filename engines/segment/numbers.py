"""The number convention of the PKU / People's Daily standard, applied to a learned lexicon.

The statistics join a number with the word after it ("一种", "两国", "５０多", "３个": strongly associated
pairs), while the standard keeps a numeral and its measure word apart and joins only dates, times and
magnitudes ("１９９８年", "１２月", "３１日", "十二月", "５万"). With the numerals as the one piece of prior
knowledge (like the digits of :mod:`engines.segment.units`), this removes from the lexicon the words made of
a number and one unit after it, where

- the number is a digit run, or a run of two or more Chinese numerals read as one number unit
  (``encode(cnum=True)``, the pipeline's default): unless the unit is a calendar or magnitude unit
  (年 月 日 时 万 亿);
- the number is one Chinese numeral: when the unit is a *measure word*, i.e. found after at least
  ``min_numerals`` different numerals in the corpus (个, 种, 年, 国 ...: but not 些 or 定, which follow 一
  alone; 一起 and 十分 are split too, a price of the rule).

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
    counts = table.lookup(2, codes.ravel(), min_count).reshape(codes.shape)  # rarer pairs read 0: not counted
    return (counts >= min_count).sum(1)


def number_measure_words(rows: np.ndarray, lens: np.ndarray, table: NgramTable, min_numerals: int = 3) -> np.ndarray:
    """Mask of the words (unit rows padded with 0, lengths) that join a number with a measure word."""
    numerals, joiners = _ids()
    rows = np.asarray(rows, np.int64)
    lens = np.asarray(lens, np.int64)
    out = np.zeros(len(lens), bool)
    two = np.flatnonzero(lens == 2)
    if two.size == 0:
        return out
    first, last = rows[two, 0], rows[two, 1]
    digit = first == NUM
    numeral = np.isin(first, numerals, kind="table") & ~np.isin(last, numerals, kind="table")  # 十五, 两万 are one number
    measure = np.zeros(two.size, bool)
    measure[numeral] = numeral_diversity(last[numeral], table) >= min_numerals
    out[two[(digit & ~np.isin(last, joiners, kind="table")) | measure]] = True
    return out
