"""The words a segmentation uses: their spans and codes, their frequencies in the output, and the pruning
of lexicon words used fewer than ``min_count`` times.

A lexicon word the segmenter (almost) never picks is not a word of the text: it is dropped and the clauses
(runs of units between separators) whose best path used it are segmented again without it. The other
words keep their log-probabilities, so a clause whose best path used no dropped word keeps that path (its
score is unchanged and the other paths only lost options): only the clauses that used a dropped word are
solved again. Dropping repeats until every word kept is used at least ``min_count`` times.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from engines.segment import kernels
from engines.segment.counting import sum_tables, unique_counts
from engines.segment.hashindex import HashIndex
from engines.segment.lexicon import Lexicon
from engines.segment.parallel import default_threads, ordered_map
from engines.segment.segmenter import segment_units

MAX_ROUNDS = 20  # dropping rounds at most (each drops at least one word; a few suffice in practice)
BATCH_UNITS = 1 << 23  # chunks whose clauses are segmented again together hold about this many units


def word_spans(units: np.ndarray, word_start: np.ndarray, max_len: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, length in units and hash code (that of :func:`engines.segment.counting.ngram_codes`) of each
    word of a segmented stretch (``word_start``: bool per unit): a word runs up to the next start or
    separator, at most ``max_len`` units (:func:`engines.segment.kernels.ngrams.word_hashes`)."""
    return kernels.word_hashes(np.ascontiguousarray(units, np.int64), np.ascontiguousarray(word_start, bool),
                               max_len)


def word_counts(units: np.ndarray, word_start: np.ndarray, max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct word codes and their counts of a segmented stretch of units (``word_start``: bool per unit)."""
    return unique_counts(word_spans(units, word_start, max_len)[2])


@dataclass
class Paths:
    """What the segmenter scores: the words' index, their path scores, the unknown unit's, the longest word."""

    index: HashIndex
    logp: np.ndarray
    unknown: float
    max_len: int


def resegment_clauses(stretches: list[tuple[np.ndarray, np.ndarray]], dropped: HashIndex, paths: Paths):
    """Segment again, with ``paths`` (the lexicon without the dropped words), the clauses of each stretch
    (units, word starts) whose words include one of ``dropped``, all in one dynamic programme (its Python
    loop runs once per batch, not once per chunk; the stretches' clauses are found on threads). Returns each
    stretch's new word starts (None where no clause used a dropped word) and the change of word counts
    (codes, counts)."""
    found, parts, offset = [], [], 0
    using = ordered_map(lambda stretch: _clauses_using(*stretch, dropped, paths.max_len), stretches)
    for (units, word_start), hit in using:
        if hit is None:
            found.append(None)
            continue
        pos, clause = hit
        first = np.r_[True, clause[1:] != clause[:-1]]
        at = offset + np.arange(len(pos)) + np.cumsum(first)  # one separator before each clause
        offset = int(at[-1]) + 1
        found.append((pos, at))
        parts.append((units[pos], word_start[pos], at))
    if not parts:
        return found, (np.zeros(0, np.int64), np.zeros(0, np.int64))
    compact = np.zeros(offset, np.int64)
    old = np.zeros(offset, bool)
    for values, starts, at in parts:
        compact[at] = values
        old[at] = starts
    pieces = ordered_map(lambda span: _solve(compact[span], old[span], paths), _spans(compact, default_threads()))
    news, changes = [], []
    for _, (piece, before, after) in pieces:
        news.append(piece)
        changes += [after, (before[0], -before[1])]
    new = np.concatenate(news)
    out = []
    for (units, word_start), hit in zip(stretches, found):
        if hit is None:
            out.append(None)
            continue
        changed = word_start.copy()
        changed[hit[0]] = new[hit[1]]
        out.append(changed)
    return out, sum_tables(changes)


def _spans(compact: np.ndarray, parts: int) -> list[slice]:
    """About ``parts`` stretches of ``compact`` that each begin at a separator (whole clauses)."""
    seps = np.flatnonzero(compact == 0)
    at = np.minimum(np.searchsorted(seps, np.arange(parts) * len(compact) // parts), len(seps) - 1)
    cuts = sorted({int(seps[k]) for k in at})
    return [slice(a, b) for a, b in zip(cuts, [*cuts[1:], len(compact)])]


def _solve(units: np.ndarray, old: np.ndarray, paths: Paths):
    """New word starts of whole clauses (``units``), and the word counts before and after."""
    new = segment_units(units, paths.index, paths.logp, paths.max_len, paths.unknown)
    return new, word_counts(units, old, paths.max_len), word_counts(units, new, paths.max_len)


def _clauses_using(units: np.ndarray, word_start: np.ndarray, dropped: HashIndex, max_len: int):
    """Positions of the units of the clauses whose words include one of ``dropped``, and the clause of each
    (None when none)."""
    starts, lens, codes = word_spans(units, word_start, max_len)
    multi = lens > 1
    hit = np.zeros(len(starts), bool)
    hit[multi] = dropped.lookup(codes[multi]) >= 0
    if not hit.any():
        return None
    clause = np.cumsum(units == 0)
    marked = np.zeros(int(clause[-1]) + 1, bool)
    marked[clause[starts[hit]]] = True
    pos = np.flatnonzero(marked[clause] & (units > 0))
    return pos, clause[pos]


def drop_rare(reporter, chunks, lexicon: Lexicon, paths: Paths, packed: list[np.ndarray],
              used: tuple[np.ndarray, np.ndarray], min_count: int,
              unfit: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Drop the multi-unit words used fewer than ``min_count`` times (at least once), and in the first round
    those ``unfit`` marks (given each word's count in the output), segmenting again the clauses that used
    them, until none is left (at most :data:`MAX_ROUNDS` rounds).

    ``chunks()`` iterates the corpus's chunks, ``packed`` holds each chunk's word starts (``np.packbits``;
    updated in place), ``used`` the distinct word codes of the output and their counts. Returns the mask
    of the lexicon's words kept, each word's count in the output and ``used`` after the dropping."""
    codes = lexicon.codes
    keep = np.ones(len(codes), bool)
    multi = lexicon.multi()
    least = max(min_count, 1)
    for round_ in range(MAX_ROUNDS):
        uses = lookup_values(used, codes)
        drop = keep & multi & (uses < least)
        if round_ == 0 and unfit is not None:
            drop |= keep & unfit(uses)
        if not drop.any():
            break
        keep &= ~drop
        why = ", half words and pieces across boundaries" if unfit is not None and round_ == 0 else ""
        reporter.progress(None, f"dropping {int(drop.sum()):,} words (round {round_ + 1}): used fewer than "
                                f"{least} times{why}")
        dropped = HashIndex(codes[drop])
        # the same index, the words dropped so far never chosen (a unit is never dropped: a path always exists)
        fewer = Paths(paths.index, np.where(keep, paths.logp, -np.inf), paths.unknown, paths.max_len)
        changes = [used]
        batch: list = []

        def flush() -> None:
            news, change = resegment_clauses([(units, starts) for _, units, starts in batch], dropped, fewer)
            for (k, _, _), new in zip(batch, news):
                if new is not None:
                    packed[k] = np.packbits(new)
            changes.append(change)
            batch.clear()

        for k, chunk in enumerate(chunks()):
            reporter.check()
            units = chunk.units
            batch.append((k, units, np.unpackbits(packed[k], count=len(units)).astype(bool)))
            if sum(len(u) for _, u, _ in batch) >= BATCH_UNITS:
                flush()
        if batch:
            flush()
        used = sum_tables(changes)
    uses = lookup_values(used, codes)
    keep &= ~multi | (uses >= least)  # MAX_ROUNDS reached: the rest is not listed
    return keep, uses, used


def lookup_values(table: tuple[np.ndarray, np.ndarray], codes: np.ndarray) -> np.ndarray:
    """The values of ``codes`` in a (codes, values) table, 0 when absent."""
    row = HashIndex(table[0]).lookup(codes)
    return np.r_[table[1], 0][np.where(row >= 0, row, len(table[1]))]
