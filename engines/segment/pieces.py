"""Half words and cross-boundary pieces among the words a segmentation used, judged on its output.

- A *half word* sits (nearly) always inside one longer lexicon word: 细水长 inside 细水长流. Its
  branching entropy on that side is about zero, so no boundary is ever seen there (a boundary is likely
  where the branching entropy rises: Jin & Tanaka-Ishii 2006). Measured with the n-gram counts: the
  largest share n(e)/n(w) over the one-unit extensions e of w's occurrences (the unit before or after it).
- A *cross-boundary piece* (它的, 这是, 参加了) is not worth its place in the lexicon by the minimum-entropy
  criterion (Su Jianlin 2018, minimum entropy (2): https://kexue.fm/archives/5476): a word earns its
  entry when coding it as one word saves enough over coding its best split into other words,
  ln p(w) − Σ ln p(parts) with the word frequencies of the segmented text; pieces whose saving is below
  :data:`MIN_SAVING` nats per extra unit are dropped. (Su drops a word saving less than len(w) − 1 nats,
  1 per extra unit; measured with the frequencies of the segmented text that drops next to nothing, while
  3 per extra unit raises F1 on People's Daily from 0.8245 to 0.8271 and the share of dictionary words
  among the 1,000 most frequent entries: tests/benchmarks/bench_lexicon_quality.py.)
Both are dropped like rare words, and the clauses that used them are segmented again (:mod:`.usage`).
"""
from __future__ import annotations

import math

import numpy as np
import torch

from engines.segment.counting import PRIME, NgramTable
from engines.segment.hashindex import HashIndex
from engines.segment.lexicon import Lexicon, text_to_units
from engines.segment.segmenter import split_cost
from engines.segment.usage import lookup_values, span_codes, word_spans

HALF_SHARE = 0.9  # a word whose occurrences are at least this share inside one longer string is a half word
MIN_SAVING = 3.0  # nats per extra unit a word must save over its best split (Su: 1, len(w) - 1 in all)


def extension_shares(units: np.ndarray, word_start: np.ndarray, table: NgramTable, words: HashIndex,
                     max_len: int, min_count: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """For each multi-unit word of a segmented stretch short enough for the counted n-grams: its code and
    the largest share n(e)/n(w) over the one-unit extensions e of its occurrences that are lexicon words
    (``words``), distinct codes sorted. n-grams rarer than ``min_count`` read as 0 (the smaller index of
    :meth:`NgramTable.lookup`)."""
    t = len(units)
    starts = np.flatnonzero(word_start & (units > 0))
    lens = word_spans(units, starts, max_len)
    out_codes, out_shares = [], []
    for ln in range(2, table.max_n):
        s = starts[lens == ln]
        if s.size == 0:
            continue
        code = span_codes(units, s, np.full(len(s), ln))
        n_w = table.lookup(ln, code, min_count).numpy().astype(np.float64)
        after = np.where(s + ln < t, units[np.minimum(s + ln, t - 1)], 0)
        right_code = code * PRIME + after
        right = np.where((after > 0) & (words.lookup(right_code) >= 0),
                         table.lookup(ln + 1, right_code, min_count).numpy(), 0)
        before = np.where(s > 0, units[np.maximum(s - 1, 0)], 0)
        left_code = span_codes(units, np.maximum(s - 1, 0), np.full(len(s), ln + 1))
        left = np.where((before > 0) & (words.lookup(left_code) >= 0),
                        table.lookup(ln + 1, left_code, min_count).numpy(), 0)
        out_codes.append(code)
        out_shares.append(np.maximum(left, right) / np.maximum(n_w, 1.0))
    if not out_codes:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    return max_by_code(np.concatenate(out_codes), np.concatenate(out_shares))


def max_by_code(codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct codes (sorted) and the largest value of each."""
    order = np.argsort(codes, kind="stable")
    codes, values = codes[order], values[order]
    if codes.size == 0:
        return codes, values
    edge = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return codes[edge], np.maximum.reduceat(values, edge)


def unfit_pieces(lexicon: Lexicon, uses: np.ndarray, shares: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Mask of the lexicon's multi-unit words that are half words or cross-boundary pieces, given each
    word's count in the segmented text (``uses``) and the extension shares of the words used."""
    codes = lexicon.codes.numpy()
    half = lookup_values(shares, codes) >= HALF_SHARE
    multi = np.flatnonzero(lexicon.multi() & (uses > 0))
    saving = np.full(len(codes), math.inf)
    if multi.size:
        total = float(uses.sum())
        logp = torch.log(torch.from_numpy(np.maximum(uses, 0.5)).double() / total)
        rows, lens = text_to_units(np.asarray(lexicon.words, dtype=object)[multi].astype(str))
        best = split_cost([rows[i, :lens[i]] for i in range(len(multi))], HashIndex(codes), logp,
                          int(lens.max()), math.log(0.5 / total))
        saving[multi] = (logp[multi].numpy() - best.numpy()) / (lens - 1)
    return lexicon.multi() & (half | (saving < MIN_SAVING))
