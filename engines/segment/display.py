"""What a reader of the segmented text is shown: each line's predicted words, its gold words, and the
statistic behind every gap (the PMI of the two units across it)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engines.segment.branching import Branching, gap_entropies, gap_ngrams
from engines.segment.counted import Chunk
from engines.segment.counting import NgramTable, ngram_codes
from engines.segment.evaluate import join_lines


@dataclass
class DisplayLine:
    words: list[str]
    gold: list[str] | None
    gaps: list[float | None]  # PMI of the two units across each gap after a word (None: punctuation/none)
    entropies: list[tuple[float, float] | None] | None = None  # H_R of the word before, H_L of the one after


def gap_pmi(chunk: Chunk, table: NgramTable) -> np.ndarray:
    """PMI of each unit with the next one (NaN across separators), per unit position."""
    codes = ngram_codes(chunk.units, 2)
    c1 = np.maximum(table.lookup(1, codes[0]).astype(np.float64), 1)
    c2 = table.lookup(2, codes[1]).astype(np.float64)
    right = np.ones_like(c1)
    right[:-1] = c1[1:]
    total = max(table.total(1), 1)
    pmi = np.log(total * np.maximum(c2, 0.5) / (c1 * right))
    valid = chunk.units > 0
    valid[:-1] &= chunk.units[1:] > 0
    valid[-1:] = False
    pmi[~valid] = np.nan
    return pmi


def _shown(chunk: Chunk, pred: np.ndarray, limit: int):
    """Of the first ``limit`` lines of a chunk: how many, where they stop (non-space characters), the line of
    each non-space character, the predicted word starts among them, and each one's unit (-1: none)."""
    enc = chunk.enc
    line_of = chunk.line_of()
    n = max(min(limit, chunk.n_lines), 0)
    stop = int(np.searchsorted(line_of, n))
    unit_at_char = np.full(len(enc.cp), -1, np.int64)
    unit_at_char[enc.offsets] = np.arange(len(enc.offsets))
    unit_of = unit_at_char[np.flatnonzero(~enc.spaces)]  # per non-space character
    return n, stop, line_of, np.flatnonzero(pred[:stop]), unit_of


def display_ngrams(chunk: Chunk, pred: np.ndarray, limit: int, max_n: int) -> list[np.ndarray]:
    """Per n: the codes of the n-grams whose branching entropies the gaps of the lines
    :func:`lines_to_display` shows would say (for :func:`engines.segment.branching.branching_at`)."""
    n, _, _, starts, unit_of = _shown(chunk, pred, limit)
    if n == 0:
        return [np.zeros(0, np.int64)] * max_n
    return gap_ngrams(chunk.units, *_gaps(chunk, unit_of[starts]), max_n)


def lines_to_display(chunk: Chunk, pred: np.ndarray, table: NgramTable, limit: int,
                     branching: Branching | None = None) -> list[DisplayLine]:
    """The first ``limit`` lines of a chunk segmented at ``pred`` (word starts over its non-space
    characters), with the gold words, the PMI across each gap and, with ``branching``, the branching
    entropies on either side of it."""
    n, stop, line_of, starts, unit_of = _shown(chunk, pred, limit)
    if n == 0:
        return []
    cp = chunk.enc.cp[~chunk.enc.spaces]
    pred_lines = join_lines(cp[:stop], pred[:stop], line_of[:stop], n)
    gold_lines = join_lines(cp[:stop], chunk.gold[:stop], line_of[:stop], n) if chunk.gold is not None else None
    # gap statistics: PMI between the last unit of a word and the next one, per predicted word start
    pmi_unit = gap_pmi(chunk, table)
    out = []
    entropy_at = _entropies_at(chunk, unit_of[starts], branching) if branching else None
    by_line = np.split(starts, np.searchsorted(line_of[starts], np.arange(1, n)))
    for k in range(n):
        words = pred_lines[k].split(" ") if pred_lines[k] else []
        gaps: list[float | None] = []
        for s in by_line[k][1:]:
            u = unit_of[s]
            value = pmi_unit[u - 1] if u > 0 else float("nan")
            gaps.append(None if not np.isfinite(value) else float(value))
        gaps.append(None)
        entropies = None
        if entropy_at is not None:
            entropies = [None if g is None else entropy_at.get(int(unit_of[s]))
                         for s, g in zip(by_line[k][1:], gaps)] + [None]
        gold = gold_lines[k].split(" ") if gold_lines is not None and gold_lines[k] else ([] if gold_lines is not None else None)
        out.append(DisplayLine(words, gold, gaps[: len(words)], entropies[: len(words)] if entropies else None))
    return out


def _gaps(chunk: Chunk, start_units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The word start units after the first of a clause (the gaps shown), and every word start and separator
    position (their bounds)."""
    units = chunk.units
    seps = np.flatnonzero(units == 0)
    bounds = np.unique(np.r_[start_units[start_units >= 0], seps, len(units)])
    gaps = start_units[(start_units > 0)]
    return gaps[units[gaps - 1] > 0], bounds


def _entropies_at(chunk: Chunk, start_units: np.ndarray, branching: Branching) -> dict[int, tuple[float, float]]:
    """(H_R of the word before, H_L of the word after) at each word start unit after the first of a clause."""
    gaps, bounds = _gaps(chunk, start_units)
    right, left = gap_entropies(chunk.units, gaps, bounds, branching)
    return {int(g): (float(r), float(le)) for g, r, le in zip(gaps, right, left)}
