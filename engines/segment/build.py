"""Building the lexicon from cached counts (the ``build_lexicon`` job): one cut pass over the text
(:mod:`engines.segment.lexicon`), the strong pairs as extra words, then the conventions of the People's
Daily standard (numbers apart from measure words, :mod:`.numbers`; names split after learned surnames,
:mod:`.names`) and the minimum-entropy redundancy removal (Su Jianlin 2018, minimum entropy (2):
https://kexue.fm/archives/5476).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from engines.errors import InputError
from engines.segment.branching import branching_of
from engines.segment.chunkmap import map_chunks
from engines.segment.counted import Chunk, Counted
from engines.segment.counting import NgramTable, ngram_codes, unique_counts
from engines.segment.hashindex import HashIndex
from engines.segment.lexicon import (Lexicon, Pieces, cut_pieces, decode_rows, merge_pieces, position_counts,
                                     strong_ngrams, text_to_units, units_to_text, word_codes, word_scores)
from engines.segment.names import find_names
from engines.segment.numbers import number_measure_words
from engines.segment.params import SegmentParams
from engines.segment.segmenter import WordIndex, split_cost


def _strong_pairs(chunk_units: np.ndarray, codes: np.ndarray, strong: np.ndarray) -> Pieces:
    """The pairs at the positions marked ``strong``, counted (the pair words of the lexicon)."""
    pos = np.flatnonzero(strong)
    pair_codes = codes[1][pos]
    uniq, counts = unique_counts(pair_codes)
    row = HashIndex(uniq).lookup(pair_codes)
    first = np.zeros(len(uniq), np.int64)
    first[row[::-1]] = pos[::-1]
    lens = np.full(len(uniq), 2, np.int64)
    return Pieces(uniq, counts, lens, decode_rows(chunk_units, first, lens))


def _weighted(pieces: Pieces, weight: float) -> Pieces:
    """The pieces of a chunk that counts ``weight`` times (a base corpus's), rounded (0: dropped)."""
    if weight == 1.0:
        return pieces
    counts = np.rint(pieces.counts * weight).astype(np.int64)
    keep = counts > 0
    return Pieces(pieces.codes[keep], counts[keep], pieces.lengths[keep], pieces.texts[keep])


def cut_chunk(chunk: Chunk, table: NgramTable, params: SegmentParams, branching=None,
              check: Callable[[], None] = lambda: None) -> tuple[Pieces, Pieces | None]:
    """The cut pass over one chunk: its pieces and, with a pair threshold, its strong pairs, each counted
    ``chunk.weight`` times; ``branching`` for the entropy statistics (``check`` runs between the stages)."""
    check()
    codes = ngram_codes(chunk.units, max(params.max_len, params.effective_n()))
    counts = position_counts(table, codes, max(params.effective_n(), 2), params.min_count)
    check()
    scores, strong = strong_ngrams(table, codes, params, counts, branching)
    check()
    pieces = _weighted(cut_pieces(chunk.units, table, params, codes, strong=strong), chunk.weight)
    if params.pair_threshold is None:
        return pieces, None
    return pieces, _weighted(_strong_pairs(chunk.units, codes, scores[1] > params.pair_threshold), chunk.weight)


def build_lexicon(reporter, counted: Counted, params: SegmentParams) -> Lexicon:
    """Job: the lexicon for ``params`` from cached counts (one cut pass over the cached text, and over a base
    corpus's when its counts were added: :mod:`engines.segment.base`)."""
    if counted.pooled is not None:
        counted = counted.pooled
    if params.effective_n() > counted.table.max_n:
        raise InputError(f"n-grams were counted up to {counted.table.max_n}; recount for n = {params.effective_n()}")
    branching = None if params.statistic == "pmi" else branching_of(reporter, counted)
    counted.table.prepare(max(params.effective_n(), 2), params.min_count)  # the cut pass's lookups
    parts, pairs = [], []
    done = 0
    for n_chars, (chunk_pieces, chunk_pairs) in map_chunks(reporter, counted, cut_chunk, counted.table, params,
                                                              branching):
        reporter.check()
        parts.append(chunk_pieces)
        if chunk_pairs is not None:
            pairs.append(chunk_pairs)
        if len(parts) >= 4:
            parts = [merge_pieces(parts)]
            pairs = [merge_pieces(pairs)] if pairs else []
        done += n_chars
        reporter.progress(done / max(1, counted.n_chars), f"cutting: {done:,} of {counted.n_chars:,} characters")
    pieces = merge_pieces(parts)
    keep = (pieces.counts >= params.min_count) | (pieces.lengths == 1)
    codes, counts, lens, texts = pieces.codes[keep], pieces.counts[keep], pieces.lengths[keep], pieces.texts[keep]
    if pairs:
        pair = merge_pieces(pairs)
        new = HashIndex(codes).lookup(pair.codes) < 0
        width = max(texts.dtype.itemsize, pair.texts.dtype.itemsize) // 4
        codes = np.r_[codes, pair.codes[new]]
        counts = np.r_[counts, np.maximum((pair.counts[new] * params.pair_weight).astype(np.int64), 1)]
        lens = np.r_[lens, pair.lengths[new]]
        texts = np.r_[texts.astype(f"<U{width}"), pair.texts[new].astype(f"<U{width}")]
    words = (codes, counts, lens, texts, text_to_units(texts)[0])  # and their unit rows
    if params.numbers:
        keep = ~number_measure_words(words[4], lens, counted.table)
        words = tuple(a[keep] for a in words)
    if params.names:
        words = split_names(*words, counted.table, params.min_count)
    if params.redundancy is not None:
        words = remove_redundant(*words, params.redundancy)
    order = np.argsort(words[0])
    codes, counts, lens, texts, rows = (a[order] for a in words)
    scores = word_scores(rows, lens, counted.table, counted.table.max_n, params.min_count)
    return Lexicon(codes, counts, lens, texts.tolist(), scores, counted.table, params, units=rows)


def split_names(codes, counts, lens, texts, rows, table: NgramTable, min_count: int = 1):
    """Respell the names that begin with a learned surname as surname + given name (their counts move;
    the words of three units have counts of ``min_count`` or more); the words with their unit rows."""
    found = find_names(rows, lens, counts, table, min_count=min_count)
    if found.words.size == 0:
        return codes, counts, lens, texts, rows
    keep = np.ones(len(codes), bool)
    keep[found.words] = False
    moved = counts[found.words]
    surname = rows[found.words, :1]
    parts = [Pieces(codes[keep], counts[keep], lens[keep], texts[keep]),
             Pieces(word_codes(found.given), moved, np.full(len(moved), 2), units_to_text(found.given)),
             Pieces(word_codes(surname), moved, np.ones(len(moved), np.int64), units_to_text(surname))]
    merged = merge_pieces(parts)
    return merged.codes, merged.counts, merged.lengths, merged.texts, text_to_units(merged.texts)[0]


def remove_redundant(codes, counts, lens, texts, rows, threshold: float):
    """Minimum-entropy redundancy removal: drop w when ln p(w) - best ln p(split into other words) < threshold
    (the words with their unit rows)."""
    logp = np.log(counts.astype(np.float64) / counts.sum())
    multi = np.flatnonzero(lens > 1)
    if multi.size == 0:
        return codes, counts, lens, texts, rows
    best = split_cost(rows[multi], lens[multi], WordIndex(codes, rows, lens), logp, int(lens.max()), math.log(0.5 / counts.sum()))
    gain = logp[multi] - best
    keep = np.ones(len(codes), bool)
    keep[multi[gain < threshold]] = False
    return codes[keep], counts[keep], lens[keep], texts[keep], rows[keep]
