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
import torch

from engines.segment.counting import PRIME, sum_by_code, unique_counts
from engines.segment.hashindex import HashIndex
from engines.segment.lexicon import Lexicon
from engines.segment.segmenter import segment_units

MAX_ROUNDS = 20  # dropping rounds at most (each drops at least one word; a few suffice in practice)


def word_spans(units: np.ndarray, starts: np.ndarray, max_len: int) -> np.ndarray:
    """Length in units of each word starting at ``starts`` (sorted word starts over non-separator units):
    up to the next start or separator, at most ``max_len``."""
    t = len(units)
    ends = np.r_[starts[1:], t]
    seps = np.flatnonzero(units == 0)
    if len(seps):
        nxt = seps[np.minimum(np.searchsorted(seps, starts), len(seps) - 1)]
        ends = np.minimum(ends, np.where(nxt > starts, nxt, t))
    return np.clip(ends - starts, 1, max_len)


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
    starts = np.flatnonzero(word_start & (units > 0))
    codes = span_codes(units, starts, word_spans(units, starts, max_len))
    return unique_counts(torch.from_numpy(codes))


@dataclass
class Paths:
    """What the segmenter scores: the words' index, their path scores, the unknown unit's, the longest word."""

    index: HashIndex
    logp: torch.Tensor
    unknown: float
    max_len: int


def resegment_clauses(units: np.ndarray, word_start: np.ndarray, dropped: HashIndex, paths: Paths):
    """Segment again, with ``paths`` (the lexicon without the dropped words), the clauses whose words include
    one of ``dropped``; returns the new word starts and the change of word counts (codes, counts), or None
    when no clause used a dropped word."""
    starts = np.flatnonzero(word_start & (units > 0))
    lens = word_spans(units, starts, paths.max_len)
    multi = lens > 1
    hit = np.zeros(len(starts), bool)
    hit[multi] = dropped.lookup(span_codes(units, starts[multi], lens[multi])) >= 0
    if not hit.any():
        return None
    clause = np.cumsum(units == 0)
    pos = np.flatnonzero(np.isin(clause, np.unique(clause[starts[hit]])) & (units > 0))
    first = np.r_[True, clause[pos[1:]] != clause[pos[:-1]]]
    at = np.arange(len(pos)) + np.cumsum(first)  # one separator before each clause
    compact = np.zeros(len(pos) + int(first.sum()), np.int64)
    compact[at] = units[pos]
    new = segment_units(torch.from_numpy(compact), paths.index, paths.logp, paths.max_len, paths.unknown).numpy()
    old = np.zeros(len(compact), bool)
    old[at] = word_start[pos]
    before = word_counts(compact, old, paths.max_len)
    after = word_counts(compact, new, paths.max_len)
    out = word_start.copy()
    out[pos] = new[at]
    return out, sum_by_code(np.r_[after[0], before[0]], np.r_[after[1], -before[1]])


def drop_rare(reporter, chunks, lexicon: Lexicon, paths: Paths, packed: list[np.ndarray],
              used: tuple[np.ndarray, np.ndarray], min_count: int,
              unfit: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Drop the multi-unit words used fewer than ``min_count`` times (at least once), and in the first round
    those ``unfit`` marks (given each word's count in the output), segmenting again the clauses that used
    them, until none is left (at most :data:`MAX_ROUNDS` rounds).

    ``chunks()`` iterates the corpus's chunks, ``packed`` holds each chunk's word starts (``np.packbits``;
    updated in place), ``used`` the distinct word codes of the output and their counts. Returns the mask
    of the lexicon's words kept, each word's count in the output and ``used`` after the dropping."""
    codes = lexicon.codes.numpy()
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
        fewer = Paths(HashIndex(codes[keep]), paths.logp[torch.from_numpy(keep)], paths.unknown, paths.max_len)
        changes = [used]
        for k, chunk in enumerate(chunks()):
            reporter.check()
            units = chunk.units.numpy()
            done = resegment_clauses(units, np.unpackbits(packed[k], count=len(units)).astype(bool), dropped, fewer)
            if done is not None:
                packed[k] = np.packbits(done[0])
                changes.append(done[1])
        used = sum_by_code(np.concatenate([c for c, _ in changes]), np.concatenate([n for _, n in changes]))
    uses = lookup_values(used, codes)
    keep &= ~multi | (uses >= least)  # MAX_ROUNDS reached: the rest is not listed
    return keep, uses, used


def lookup_values(table: tuple[np.ndarray, np.ndarray], codes: np.ndarray) -> np.ndarray:
    """The values of ``codes`` in a (codes, values) table, 0 when absent."""
    row = HashIndex(table[0]).lookup(codes)
    return np.r_[table[1], 0][np.where(row >= 0, row, len(table[1]))]
