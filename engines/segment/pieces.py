"""Half words and cross-boundary pieces among the words a segmentation used, judged on its output.

- A *half word* sits (nearly) always inside one longer lexicon word: 细水长 inside 细水长流. Its
  branching entropy on that side is about zero, so no boundary is ever seen there (a boundary is likely
  where the branching entropy rises: Jin & Tanaka-Ishii 2006). Measured with the n-gram counts: the
  largest share n(e)/n(w) over the lexicon words e that are w and one unit more.
- A *cross-boundary piece* (它的, 这是, 参加了) is not worth its place in the lexicon by the minimum-entropy
  criterion (Su Jianlin 2018, minimum entropy (2): https://kexue.fm/archives/5476): a word earns its
  entry when coding it as one word saves enough over coding its best split into other words,
  ln p(w) − Σ ln p(parts) with the word frequencies of the segmented text; pieces whose saving is below
  :data:`MIN_SAVING` nats per extra unit are dropped. (Su drops a word saving less than len(w) − 1 nats,
  1 per extra unit; measured with the frequencies of the segmented text that drops next to nothing, while
  3 per extra unit raises F1 on People's Daily from 0.8245 to 0.8270 and the share of dictionary words
  among the 1,000 most frequent entries: tests/benchmarks/bench_lexicon_quality.py.)
Both are dropped like rare words, and the clauses that used them are segmented again (:mod:`.usage`).
"""
from __future__ import annotations

import math

import numpy as np

from engines.segment.counting import NgramTable
from engines.segment.hashindex import HashIndex
from engines.segment.lexicon import Lexicon, word_codes
from engines.segment.segmenter import WordIndex, split_cost

HALF_SHARE = 0.9  # a word whose occurrences are at least this share inside one longer string is a half word
MIN_SAVING = 3.0  # nats per extra unit a word must save over its best split (Su: 1, len(w) - 1 in all)


def half_words(lexicon: Lexicon, table: NgramTable, min_count: int = 1) -> np.ndarray:
    """Mask of the lexicon's words w inside a longer lexicon word e = cw or wc (one unit more, short
    enough for the counted n-grams) that holds at least :data:`HALF_SHARE` of w's occurrences, n(e) >= share
    n(w) (n-gram counts; those rarer than ``min_count`` read as 0: the smaller index of
    :meth:`NgramTable.lookup`)."""
    codes = lexicon.codes
    index = HashIndex(codes)
    rows, lens = lexicon.unit_rows()
    share = np.zeros(len(codes))
    for ln in range(3, min(table.max_n, rows.shape[1]) + 1):
        longer = np.flatnonzero(lens == ln)
        if longer.size == 0:
            continue
        n_e = table.lookup(ln, codes[longer], min_count).astype(np.float64)
        for part in (word_codes(rows[longer, :ln - 1]), word_codes(rows[longer, 1:ln])):
            row = index.lookup(part)
            ok = row >= 0
            n_w = table.lookup(ln - 1, part[ok], min_count).astype(np.float64)
            np.maximum.at(share, row[ok], n_e[ok] / np.maximum(n_w, 1.0))
    return lexicon.multi() & (share >= HALF_SHARE)


def unfit_pieces(lexicon: Lexicon, uses: np.ndarray, half: np.ndarray, index: WordIndex | None = None
                 ) -> np.ndarray:
    """Mask of the lexicon's multi-unit words that are half words (``half``, :func:`half_words`) or
    cross-boundary pieces, given each word's count in the segmented text (``uses``; ``index``: the
    lexicon's :class:`WordIndex` when at hand)."""
    codes = lexicon.codes
    multi = np.flatnonzero(lexicon.multi() & (uses > 0))
    saving = np.full(len(codes), math.inf)
    if multi.size:
        total = float(uses.sum())
        logp = np.log(np.maximum(uses, 0.5).astype(np.float64) / total)
        rows, lens = lexicon.unit_rows()
        index = index if index is not None else WordIndex(codes, rows, lens)
        best = split_cost(rows[multi], lens[multi], index, logp, int(lens[multi].max()), math.log(0.5 / total))
        saving[multi] = (logp[multi] - best) / (lens[multi] - 1)
    return lexicon.multi() & (half | (saving < MIN_SAVING))
