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

from engines.segment.counting import PRIME, sum_by_code, unique_counts
from engines.segment.hashindex import HashIndex
from engines.segment.lexicon import Lexicon
from engines.segment.parallel import ordered_map
from engines.segment.segmenter import WordIndex, segment_units

MAX_ROUNDS = 20  # dropping rounds at most (each drops at least one word; a few suffice in practice)
BATCH_UNITS = 1 << 23  # chunks whose clauses are segmented again together hold about this many units


def word_spans(units: np.ndarray, word_start: np.ndarray, max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and length in units of each word of a segmented stretch (``word_start``: bool per unit): a word
    runs up to the next start or separator, at most ``max_len`` units."""
    edges = np.flatnonzero(word_start | (units == 0))
    length = np.diff(np.r_[edges, len(units)])
    word = units[edges] > 0
    return edges[word], np.minimum(length[word], max_len)


def span_codes(units: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Hash codes of the words ``units[s:s+l]`` (the hash of :func:`engines.segment.counting.ngram_codes`)."""
    units = units.astype(np.int64, copy=False)
    h = units[starts].copy()
    for j in range(1, int(lens.max()) if len(lens) else 1):
        more = lens > j
        h[more] = h[more] * PRIME + units[starts[more] + j]
    return h


def word_counts(units: np.ndarray, word_start: np.ndarray, max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct word codes and their counts of a segmented stretch of units (``word_start``: bool per unit)."""
    codes = span_codes(units, *word_spans(units, word_start, max_len))
    return unique_counts(codes)


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
    new = segment_units(compact, paths.index, paths.logp, paths.max_len, paths.unknown)
    before, after = word_counts(compact, old, paths.max_len), word_counts(compact, new, paths.max_len)
    out = []
    for (units, word_start), hit in zip(stretches, found):
        if hit is None:
            out.append(None)
            continue
        changed = word_start.copy()
        changed[hit[0]] = new[hit[1]]
        out.append(changed)
    return out, sum_by_code(np.r_[after[0], before[0]], np.r_[after[1], -before[1]])


def _clauses_using(units: np.ndarray, word_start: np.ndarray, dropped: HashIndex, max_len: int):
    """Positions of the units of the clauses whose words include one of ``dropped``, and the clause of each
    (None when none)."""
    starts, lens = word_spans(units, word_start, max_len)
    multi = lens > 1
    hit = np.zeros(len(starts), bool)
    hit[multi] = dropped.lookup(span_codes(units, starts[multi], lens[multi])) >= 0
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
    rows, lens = lexicon.unit_rows()
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
        fewer = Paths(WordIndex(codes[keep], rows[keep], lens[keep]), paths.logp[keep], paths.unknown, paths.max_len)
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
        used = sum_by_code(np.concatenate([c for c, _ in changes]), np.concatenate([n for _, n in changes]))
    uses = lookup_values(used, codes)
    keep &= ~multi | (uses >= least)  # MAX_ROUNDS reached: the rest is not listed
    return keep, uses, used


def lookup_values(table: tuple[np.ndarray, np.ndarray], codes: np.ndarray) -> np.ndarray:
    """The values of ``codes`` in a (codes, values) table, 0 when absent."""
    row = HashIndex(table[0]).lookup(codes)
    return np.r_[table[1], 0][np.where(row >= 0, row, len(table[1]))]
