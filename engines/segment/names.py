"""Surnames learned from the corpus: a person's name is written as surname + given name.

The statistics find "江泽民" or "张宝军" as one word (its parts never occur apart), while the standard writes
"江 泽民". No list of surnames is given: a surname is a character that begins many *bound* three-character
words, ones whose two-character halves hardly occur outside them (c(xy), c(yz) <= ``ratio`` c(xyz)), as
given names do. On People's Daily the learned set starts 李 王 张 陈 刘 吴 赵 杨 马 高 (with a few
non-surnames such as 大 and 小, whose bound words are mostly names too).
Each bound word that begins with a surname is respelled as the surname and a two-character given name.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engines.segment.counting import PRIME, NgramTable
from engines.segment.units import OFFSET


@dataclass
class NameSplit:
    """Which lexicon words are names to split, the surnames found, and the given names' unit pairs."""

    words: np.ndarray  # indices of the three-unit words to split
    surnames: np.ndarray  # unit ids of the learned surnames, most productive first
    given: np.ndarray  # (len(words), 2) unit rows of the given names


def find_names(rows: np.ndarray, lens: np.ndarray, counts: np.ndarray, table: NgramTable,
               ratio: float = 3.0, min_words: int = 6, min_count: int = 1) -> NameSplit:
    """The bound three-unit words of the lexicon that begin with a learned surname (``min_count``: the
    words' counts are that or more, so pairs rarer than it are bound either way and may read 0: the
    smaller index of :meth:`NgramTable.lookup`)."""
    rows = np.asarray(rows, np.int64)
    empty = NameSplit(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 2), np.int64))
    if rows.size == 0 or rows.shape[1] < 3:
        return empty
    three = np.flatnonzero((np.asarray(lens) == 3) & (rows[:, :3] >= OFFSET).all(1))
    if three.size == 0:
        return empty
    r = rows[three, :3]
    c = np.asarray(counts, np.float64)[three]
    left = table.lookup(2, r[:, 0] * PRIME + r[:, 1], min_count)
    right = table.lookup(2, r[:, 1] * PRIME + r[:, 2], min_count)
    bound = (left <= ratio * c) & (right <= ratio * c)
    first, productivity = np.unique(r[bound, 0], return_counts=True)
    surnames = first[productivity >= min_words][np.argsort(-productivity[productivity >= min_words], kind="stable")]
    split = bound & np.isin(r[:, 0], surnames, kind="table")
    return NameSplit(three[split], surnames, r[split, 1:])
