"""Segmenting every line of a counted corpus with a lexicon (the ``segment_corpus`` job) and scoring it:
against gold when there is one, and by the bits per character the segmented text costs (the
minimum-entropy figure of merit, Su Jianlin 2018: https://kexue.fm/archives/5476).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from engines.segment.counted import Chunk, Counted, WholeLines, iter_chunks
from engines.segment.counting import ngram_codes, sum_by_code, unique_counts
from engines.segment.display import DisplayLine, lines_to_display
from engines.segment.evaluate import Scores, join_lines, score
from engines.segment.hashindex import HashIndex
from engines.segment.lexicon import Lexicon
from engines.segment.params import SegmentParams
from engines.segment.parallel import ordered_map
from engines.threads import torch_threads
from engines.segment.reference import oov_mask
from engines.segment.segmenter import segment_units


@dataclass
class SegmentResult:
    scores: Scores | None
    bits_before: float
    bits_after: float
    n_chars: int
    n_words: int
    lines: list[DisplayLine] = field(default_factory=list)
    seconds: float = 0.0
    lexicon_size: int = 0
    sample: list[list[str]] = field(default_factory=list)  # the words of the first lines

    def metrics(self) -> dict:
        out = {"bits_per_char_before": self.bits_before, "bits_per_char_after": self.bits_after,
               "characters": self.n_chars, "words": self.n_words, "lexicon_size": self.lexicon_size}
        if self.scores is not None:
            out.update(self.scores.as_dict())
        return out


def path_scores(lexicon: Lexicon, word_bonus: float) -> tuple[torch.Tensor, float]:
    """What each word adds to a path's score, log p(w) + ``word_bonus``, and what a unit missing from the
    lexicon adds (half a count's log-probability, plus the bonus)."""
    unknown = math.log(0.5 / max(float(lexicon.counts.sum()), 1.0)) + word_bonus
    return lexicon.logp() + word_bonus, unknown


def segment_corpus(reporter, counted: Counted, lexicon: Lexicon, params: SegmentParams,
                   write_line: Callable[[str], None] | None = None, display_lines: int = 0,
                   reference: set[str] | None = None, sample_lines: int = 0) -> SegmentResult:
    """Job: segment every line with the unigram LM over ``lexicon``; score against gold when present.

    ``write_line`` receives every segmented line, whole (words separated by single spaces); the result keeps the
    first ``display_lines`` lines as :class:`DisplayLine` objects and the words of the first ``sample_lines``
    lines;
    ``reference`` (a dictionary) makes the OOV recall."""
    t0 = time.perf_counter()
    index = HashIndex(lexicon.codes.numpy())
    logp, unk = path_scores(lexicon, params.word_bonus)
    max_len = max(lexicon.max_len, 1)
    total_scores: Scores | None = Scores() if counted.has_gold else None
    word_tables: list[tuple[np.ndarray, np.ndarray]] = []
    n_words = 0
    shown: list[DisplayLine] = []
    sampled: list[list[str]] = []
    writer = WholeLines(write_line) if write_line is not None else None

    def segment(chunk: Chunk) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:  # checks between its stages
        reporter.check()
        grams = ngram_codes(chunk.units, max_len)
        ws = segment_units(chunk.units, index, logp, max_len, unk, grams)
        reporter.check()
        uw = torch.nonzero(ws & (chunk.units > 0)).squeeze(1).numpy()
        # word counts of the result (bits per character after)
        return chunk.char_starts(ws), _word_counts(chunk.units.numpy(), uw, max_len, grams)

    with torch_threads(1):
        done = 0
        for chunk, (pred, words) in ordered_map(segment, iter_chunks(counted)):
            reporter.check()
            line_of = chunk.line_of()
            new_line = np.r_[True, line_of[1:] != line_of[:-1]] if len(line_of) else np.zeros(0, bool)
            n_words += int((pred | new_line).sum())
            word_tables.append(words)
            if total_scores is not None and chunk.gold is not None:
                oov = oov_mask(chunk, reference, new_line) if reference is not None else None
                total_scores = total_scores.add(score(pred, chunk.gold, line_of, chunk.n_lines, oov))
            if write_line is not None or len(sampled) < sample_lines:
                lines = join_lines(chunk.enc.cp[~chunk.enc.spaces], pred, line_of, chunk.n_lines)
                sampled.extend(line.split(" ") if line else [] for line in lines[:sample_lines - len(sampled)])
                if writer is not None:
                    writer.write(lines, chunk.open_end)
            if len(shown) < display_lines:
                shown.extend(lines_to_display(chunk, pred, counted.table, display_lines - len(shown)))
            done += chunk.enc.n_chars
            reporter.progress(done / max(1, counted.n_chars), f"segmenting: {done:,} of {counted.n_chars:,} characters")
    codes = np.concatenate([w[0] for w in word_tables]) if word_tables else np.zeros(0, np.int64)
    counts = np.concatenate([w[1] for w in word_tables]) if word_tables else np.zeros(0, np.int64)
    _, counts = sum_by_code(codes, counts)
    c = counts.astype(np.float64)
    bits_after = float(-(c * np.log2(c / c.sum())).sum() / counted.n_chars) if c.size else float("nan")
    return SegmentResult(total_scores, counted.bits_per_char_before(), bits_after, counted.n_chars, n_words,
                         shown, time.perf_counter() - t0, int(lexicon.multi().sum()), sampled)


def _word_counts(units: np.ndarray, starts: np.ndarray, max_len: int,
                 grams: list[torch.Tensor]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct word codes (by units, class units included) and counts of one segmented chunk
    (``grams``: the chunk's ``ngram_codes`` up to ``max_len``)."""
    t = len(units)
    ends = np.r_[starts[1:], t]
    seps = np.flatnonzero(units == 0)
    nxt_sep = seps[np.minimum(np.searchsorted(seps, starts), len(seps) - 1)] if len(seps) else np.full(len(starts), t)
    nxt_sep = np.where(nxt_sep > starts, nxt_sep, t)
    ends = np.minimum(ends, nxt_sep)
    lens = np.clip(ends - starts, 1, max_len)
    wc = np.empty(len(starts), np.int64)
    for ln in range(1, max_len + 1):
        sel = lens == ln
        wc[sel] = grams[ln - 1].numpy()[starts[sel]]
    return unique_counts(torch.from_numpy(wc))
