"""Segmenting every line of a counted corpus with a lexicon (the ``segment_corpus`` job) and scoring it:
against gold when there is one, and by the bits per character the segmented text costs (the
minimum-entropy figure of merit, Su Jianlin 2018: https://kexue.fm/archives/5476).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Callable

import numpy as np

from engines.segment.branching import branching_at
from engines.segment.chunkmap import map_chunks
from engines.segment.counted import Chunk, Counted, WholeLines, iter_chunks
from engines.segment.counting import sum_tables
from engines.segment.display import DisplayLine, display_ngrams, lines_to_display
from engines.segment.evaluate import Scores, score
from engines.segment.lexicon import Lexicon
from engines.segment.parallel import ordered_map
from engines.segment.params import SegmentParams
from engines.segment.pieces import half_words, unfit_pieces
from engines.segment.reference import oov_mask
from engines.segment.segmenter import WordIndex, segment_units
from engines.segment.usage import Paths, drop_rare, word_counts

MERGE_EVERY = 16  # chunks' word tables summed together once this many are pending


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
    lexicon: Lexicon | None = None  # the lexicon as used: words used at least min_count times, with their counts
    dropped: int = 0  # words of the lexicon given that the segmentation used fewer than min_count times


    def metrics(self) -> dict:
        out = {"bits_per_char_before": self.bits_before, "bits_per_char_after": self.bits_after,
               "characters": self.n_chars, "words": self.n_words, "lexicon_size": self.lexicon_size,
               "lexicon_dropped": self.dropped}
        if self.scores is not None:
            out.update(self.scores.as_dict())
        return out


def path_scores(lexicon: Lexicon, word_bonus: float) -> tuple[np.ndarray, float]:
    """What each word adds to a path's score, log p(w) + ``word_bonus``, and what a unit missing from the
    lexicon adds (half a count's log-probability, plus the bonus)."""
    unknown = math.log(0.5 / max(float(lexicon.counts.sum()), 1.0)) + word_bonus
    return lexicon.logp() + word_bonus, unknown


def segment_chunk(chunk: Chunk, paths: Paths, check: Callable[[], None] = lambda: None
                  ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """One chunk's word starts (``np.packbits``) and the distinct words it uses with their counts."""
    check()
    ws = segment_units(chunk.units, paths.index, paths.logp, paths.max_len, paths.unknown)
    check()
    return np.packbits(ws), word_counts(chunk.units, ws, paths.max_len)


def segment_corpus(reporter, counted: Counted, lexicon: Lexicon, params: SegmentParams,
                   write_line: Callable[[str], None] | None = None, display_lines: int = 0,
                   reference: set[str] | None = None, sample_lines: int = 0) -> SegmentResult:
    """Job: segment every line with the unigram LM over ``lexicon``, drop the words used fewer than
    ``params.min_count`` times (segmenting again the clauses that used them, :func:`.usage.drop_rare`), then
    score against gold when present.

    ``write_line`` receives every segmented line, whole (words separated by single spaces); the result keeps the
    first ``display_lines`` lines as :class:`DisplayLine` objects, the words of the first ``sample_lines``
    lines and the lexicon as used (each word's count in the output); ``reference`` (a dictionary) makes the
    OOV recall. A corpus too large to keep in memory is read again for each dropping round and to write."""
    t0 = time.perf_counter()
    logp, unk = path_scores(lexicon, params.word_bonus)
    paths = Paths(WordIndex(lexicon.codes, *lexicon.unit_rows()), logp, unk, max(lexicon.max_len, 1))

    packed, tables = [], []
    done = 0
    for n_chars, (bits, words) in map_chunks(reporter, counted, segment_chunk, paths):
        reporter.check()
        packed.append(bits)
        tables.append(words)
        if len(tables) >= MERGE_EVERY:  # the words' counts stay bounded by the distinct words, not the text
            tables = [sum_tables(tables)]
        done += n_chars
        reporter.progress(done / max(1, counted.n_chars), f"segmenting: {done:,} of {counted.n_chars:,} characters")
    used = sum_tables(tables)
    unfit = None
    if params.prune_pieces:
        unfit = partial(unfit_pieces, lexicon, half=half_words(lexicon, counted.table, params.min_count),
                        index=paths.index)
    # with a base corpus the lexicon's words were counted over both texts: a short text uses most once
    least = 1 if counted.pooled is not None else params.min_count
    keep, uses, used = drop_rare(reporter, lambda: iter_chunks(counted), lexicon, paths, packed, used, least,
                                 unfit)
    result = _score_and_write(reporter, counted, packed, write_line, display_lines, reference, sample_lines)
    c = used[1][used[1] > 0].astype(np.float64)
    result.bits_before = counted.bits_per_char_before()
    result.bits_after = float(-(c * np.log2(c / c.sum())).sum() / counted.n_chars) if c.size else float("nan")
    result.lexicon = lexicon.used(keep, uses)
    result.lexicon_size = int(result.lexicon.multi().sum())
    result.dropped = int((lexicon.multi() & ~keep).sum())
    result.seconds = time.perf_counter() - t0
    return result


def _display(reporter, counted: Counted, parts: list[tuple[Chunk, np.ndarray, int]]) -> list[DisplayLine]:
    """The lines shown (``parts``: chunk, its word starts, how many of its lines) with the branching entropies
    at their gaps: the corpus's own once computed, else those of the gaps' n-grams only (:func:`branching_at`,
    a pass over the text instead of the whole table's entropies)."""
    if not parts:
        return []
    branching = counted.branching
    if branching is None:
        wanted = [display_ngrams(chunk, pred, limit, counted.table.max_n) for chunk, pred, limit in parts]
        branching = branching_at(reporter, counted, [np.concatenate(codes) for codes in zip(*wanted)])
    return [line for chunk, pred, limit in parts for line in lines_to_display(chunk, pred, counted.table, limit,
                                                                              branching)]


def _score_and_write(reporter, counted: Counted, packed: list[np.ndarray],
                     write_line: Callable[[str], None] | None, display_lines: int, reference: set[str] | None,
                     sample_lines: int) -> SegmentResult:
    """Score, write and show the chunks' final word starts (``packed``, one per chunk): each chunk's lines
    and scores are made on threads (:func:`.parallel.ordered_map`), written and summed here in order."""
    total_scores: Scores | None = Scores() if counted.has_gold else None
    n_words = 0
    shown: list[tuple[Chunk, np.ndarray, int]] = []  # the chunks whose lines are shown, and how many
    n_shown = 0
    sampled: list[list[str]] = []
    writer = WholeLines(write_line) if write_line is not None else None
    done = 0

    def lines_of(item: tuple[int, Chunk]) -> tuple[np.ndarray | None, int, Scores | None, str | None]:
        k, chunk = item
        ws = np.unpackbits(packed[k], count=chunk.units.size).astype(bool)
        pred, words, scores, text = None, 0, None, None
        scored = total_scores is not None and chunk.gold is not None
        if scored or display_lines:  # the word starts over the characters
            pred = chunk.char_starts(ws)
            line_of = chunk.line_of()
            new_line = np.r_[True, line_of[1:] != line_of[:-1]] if len(line_of) else np.zeros(0, bool)
            words = int((pred | new_line).sum())
            if scored:
                oov = oov_mask(chunk, reference, new_line) if reference is not None else None
                scores = score(pred, chunk.gold, line_of, chunk.n_lines, oov)
        if write_line is not None or len(sampled) < sample_lines or pred is None:  # sampled only grows
            text, words = chunk.segmented(ws)
        return pred, words, scores, text

    for (k, chunk), (pred, words, scores, text) in ordered_map(lines_of, enumerate(iter_chunks(counted))):
        reporter.check()
        reporter.progress(done / max(1, counted.n_chars), f"scoring and writing: {done:,} of {counted.n_chars:,} characters")
        done += chunk.enc.n_chars
        n_words += words
        if scores is not None:
            total_scores = total_scores.add(scores)
        if text is not None and len(sampled) < sample_lines:
            lines = text.split("\n")[:-1][: sample_lines - len(sampled)]  # each line ends with a break
            sampled.extend(line.split(" ") if line else [] for line in lines)
        if writer is not None:
            writer.write_text(text, chunk.open_end)
        if n_shown < display_lines and chunk.n_lines:
            shown.append((chunk, pred, min(display_lines - n_shown, chunk.n_lines)))
            n_shown += shown[-1][2]
    return SegmentResult(total_scores, float("nan"), float("nan"), counted.n_chars, n_words,
                         _display(reporter, counted, shown), sample=sampled)
