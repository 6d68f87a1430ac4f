"""Lexicon construction from cached n-gram counts: the n-gram min-PMI variant and the minimum-entropy
pair method (Su Jianlin, bojone/word-discovery and bojone/nlp-zero), vectorised over unit positions.

1. an n-gram (2 <= n <= max_n, count >= min_count) is *strong* when its weakest split is still
   strongly associated: min over split points of ln(N n(w) / (n(left) n(right))) > threshold[n];
2. every boundary covered by a strong n-gram is joined, every other one cut: the pieces are candidates;
3. candidates are counted (one sort-based unique per chunk), kept when frequent enough and, for long ones,
   when all their inner n-grams are strong;
4. optionally, redundancy removal: a word whose best split into other words costs little is dropped.
With ``max_n = 2`` this is the minimum-entropy pair method: cut between neighbours of low PMI.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from engines.segment import kernels
from engines.segment.branching import Branching, ngram_scores
from engines.segment.catalogue import CLASS_UNITS
from engines.segment.counting import PRIME, NgramTable, ngram_codes, unique_counts
from engines.segment.hashindex import HashIndex
from engines.segment.params import SegmentParams
from engines.segment.units import ALNUM, CLASS_NAMES, NUM, OFFSET

PLACEHOLDER = {NUM: 0xE000, ALNUM: 0xE001}  # private-use code points standing for class units in words
_CLASS_OF = {chr(PLACEHOLDER[unit]): CLASS_UNITS[name] for unit, name in CLASS_NAMES.items()}
_WRITTEN = tuple((ch, unit.symbol) for ch, unit in _CLASS_OF.items())


def units_to_text(rows: np.ndarray) -> np.ndarray:
    """Strings of unit rows (K, L) padded with 0: class units become placeholders."""
    cp = rows.astype(np.int64) - OFFSET
    cp[rows == NUM] = PLACEHOLDER[NUM]
    cp[rows == ALNUM] = PLACEHOLDER[ALNUM]
    cp[rows == 0] = 0
    cp = np.ascontiguousarray(cp.astype(np.uint32))
    return cp.view(f"<U{rows.shape[1]}").ravel()


def written_form(word: str) -> str:
    """A lexicon word as users read it: each class unit written as its symbol (``#年``), one character per
    unit (see :data:`engines.segment.catalogue.CLASS_NOTATION`)."""
    for placeholder, symbol in _WRITTEN:  # str.replace finds a character far faster than str.translate maps
        word = word.replace(placeholder, symbol)
    return word


def word_class(word: str) -> str:
    """The classes of the class units in a lexicon word ("number", "latin", "number+latin"; "" for none)."""
    found = {_CLASS_OF[ch].name for ch in word if ch in _CLASS_OF}
    return "+".join(name for name in CLASS_UNITS.names if name in found) if found else ""


SMALL_COUNT = 1 << 16  # counts below this have their logarithms read from a table


@lru_cache(maxsize=1)
def _log_table() -> np.ndarray:
    return np.log(np.maximum(np.arange(SMALL_COUNT), 1).astype(np.float64))


def log_counts(counts: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """ln max(c, 1) of each count (c >= 0), into ``out`` when given: most read from a table of small counts'
    logarithms (np.log's values, a gather three times faster than the logarithm), the rest computed."""
    out = np.take(_log_table(), np.minimum(counts, SMALL_COUNT - 1), out=out, mode="clip")
    big = np.flatnonzero(counts >= SMALL_COUNT)
    out[big] = np.log(counts[big].astype(np.float64))
    return out


def position_counts(table: NgramTable, codes: np.ndarray, max_n: int, min_count: int = 1) -> list[np.ndarray]:
    """Count of the n-gram starting at each position (n = 1..max_n); below ``min_count`` reads 0, which is
    harmless for scoring: every part of an n-gram is at least as frequent as the n-gram itself (so an
    n-gram whose first n - 1 units read 0 is not looked up)."""
    counts = [table.lookup(1, codes[0], min_count)]
    for n in range(2, max_n + 1):
        counts.append(table.lookup(n, codes[n - 1], min_count, prefix=counts[-1]))
    return counts


def strong_ngrams(table: NgramTable, codes: np.ndarray, params: SegmentParams,
                  counts: list[np.ndarray] | None = None, branching: Branching | None = None
                  ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per position i and n: the score of units[i:i+n] under ``params.statistic`` (the min-PMI, or with
    ``branching`` its branching entropy or both: :func:`~engines.segment.branching.ngram_scores`) and
    whether it is strong."""
    max_n = params.effective_n()
    counts = counts or position_counts(table, codes, max_n)
    log_total = math.log(max(table.total(1), 1))
    t = codes[0].size
    logc = np.empty((max_n, t))
    for n in range(1, max_n + 1):
        log_counts(counts[n - 1], out=logc[n - 1])
    scores, strong = [np.full(t, -math.inf)], [np.zeros(t, bool)]
    for n in range(2, max_n + 1):
        score = kernels.min_pmi(logc, log_total, n)
        np.copyto(score, -math.inf, where=counts[n - 1] < max(params.min_count, 1))  # MISSING reads 0
        if params.statistic != "pmi":
            score = ngram_scores(n, score, codes[n - 1], branching, params.statistic)
        scores.append(score)
        strong.append(score > params.threshold(n))
    return scores, strong


@dataclass
class Pieces:
    """Distinct candidate words (sorted hash codes) with counts, lengths in units and texts."""

    codes: np.ndarray
    counts: np.ndarray
    lengths: np.ndarray
    texts: np.ndarray  # numpy unicode array; class units as placeholders


def cut_pieces(units: np.ndarray, table: NgramTable, params: SegmentParams,
               codes: np.ndarray | None = None, strong: list[np.ndarray] | None = None) -> Pieces:
    """Join boundaries covered by strong n-grams, cut the rest; count the pieces of this chunk
    (``codes``, ``strong``: the chunk's n-gram codes and :func:`strong_ngrams` when at hand)."""
    units = np.asarray(units, np.int64)
    t = units.size
    max_n = params.effective_n()
    length_cap = max(params.max_len, max_n)
    if codes is None or len(codes) < length_cap:
        codes = ngram_codes(units, length_cap)
    if strong is None:
        strong = strong_ngrams(table, codes, params)[1]
    live = units > 0
    joined = np.zeros(t, bool)  # joined[j]: units j and j+1 belong together
    for n in range(2, max_n + 1):
        s = strong[n - 1]
        for o in range(n - 1):
            joined[o:] |= s[: t - o]
    joined &= live
    joined[:-1] &= live[1:]
    joined[-1:] = False
    if params.class_rule:
        # a class unit (a number, a latin run) only starts a word and takes at most one unit after it
        is_class = live & (units < OFFSET)
        joined[:-1] &= ~is_class[1:]
        joined[1:] &= ~is_class[:-1]
    prev_joined = np.r_[False, joined[:-1]]
    starts = np.flatnonzero(live & ~prev_joined)
    ends = np.flatnonzero(live & ~joined)
    lengths = ends - starts + 1
    ok = lengths <= length_cap
    # long candidates: every inner n-gram (3 <= n <= max_n) must be strong
    for n in range(3, max_n + 1):
        long = np.flatnonzero(ok & (lengths >= n))
        for k in range(length_cap - n + 1):  # the n-gram at offset k of each piece that holds one there
            at = long[lengths[long] - n >= k]
            ok[at] &= strong[n - 1][starts[at] + k]
    starts, lengths = starts[ok], lengths[ok]
    piece_codes = codes[lengths - 1, starts]
    uniq, counts = unique_counts(piece_codes)
    row = HashIndex(uniq).lookup(piece_codes)
    first = np.zeros(len(uniq), np.int64)
    first[row[::-1]] = starts[::-1]  # the earliest occurrence wins (last write)
    lens = np.zeros(len(uniq), np.int64)
    lens[row] = lengths
    texts = decode_rows(units, first, lens)
    return Pieces(uniq, counts, lens, texts)


def decode_rows(units: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    lmax = max(int(lens.max()) if len(lens) else 1, 1)
    idx = starts[:, None] + np.arange(lmax)[None, :]
    rows = units[np.minimum(idx, len(units) - 1)]
    rows[np.arange(lmax)[None, :] >= lens[:, None]] = 0
    return units_to_text(rows)


def merge_pieces(parts: list[Pieces]) -> Pieces:
    if len(parts) == 1:
        return parts[0]
    codes = np.concatenate([p.codes for p in parts])
    counts = np.concatenate([p.counts for p in parts])
    lengths = np.concatenate([p.lengths for p in parts])
    width = max(p.texts.dtype.itemsize for p in parts) // 4
    texts = np.concatenate([p.texts.astype(f"<U{width}") for p in parts])
    order = np.argsort(codes, kind="stable")
    codes, counts, lengths, texts = codes[order], counts[order], lengths[order], texts[order]
    edge = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return Pieces(codes[edge], np.add.reduceat(counts, edge), lengths[edge], texts[edge])


@dataclass
class Lexicon:
    """Words (hash codes sorted, with texts, counts, lengths in units) and unigram log-probabilities.

    ``counts`` are the candidate counts the lexicon was built with (how often the cut pass produced each
    word; the segmenter's probabilities); ``uses``, once the text is segmented, how often the segmentation
    used each word (what lexicon.tsv calls its count)."""

    codes: np.ndarray  # int64
    counts: np.ndarray  # int64
    lengths: np.ndarray  # int64
    words: list[str]
    scores: np.ndarray  # float64 min-PMI (cohesion) of each word; +inf for single units
    unit_counts: NgramTable | None = None
    params: SegmentParams = SegmentParams()
    uses: np.ndarray | None = None
    units: np.ndarray | None = field(default=None, repr=False, compare=False)  # unit rows, once made: unit_rows()

    def __len__(self) -> int:
        return int(self.codes.size)

    @property
    def max_len(self) -> int:
        return int(self.lengths.max()) if len(self) else 1

    def logp(self) -> np.ndarray:
        total = float(self.counts.sum())
        return np.log(self.counts.astype(np.float64) / max(total, 1.0))

    def unit_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The words' unit rows (padded with 0, :func:`text_to_units`, made once) and lengths."""
        if self.units is None:
            self.units = text_to_units(np.asarray(self.words, dtype=object).astype(str))[0]
        return self.units, self.lengths

    def multi(self) -> np.ndarray:
        """Mask of the multi-unit words (the discovered vocabulary)."""
        return self.lengths > 1

    def used(self, keep: np.ndarray, uses: np.ndarray) -> "Lexicon":
        """The words ``keep`` marks, with how often the segmentation used each (``uses``, per word)."""
        return Lexicon(self.codes[keep], self.counts[keep], self.lengths[keep],
                       [w for w, x in zip(self.words, keep.tolist()) if x], self.scores[keep], self.unit_counts,
                       self.params, uses[keep], None if self.units is None else self.units[keep])

    def rows(self, only_multi: bool = True, reference: set[str] | None = None,
             base: NgramTable | None = None) -> list[LexiconRow]:
        """The words as users read them (:func:`written_form`), most used first (most frequent candidates
        before segmenting); ``new`` marks the words of text (no class unit) missing from ``reference`` (a
        dictionary), when given; ``base`` (a base corpus's counts) gives each word's count there."""
        from engines.segment.base import base_counts

        uses = self.uses if self.uses is not None else self.counts
        order = np.argsort(-uses, kind="stable")
        if only_multi:
            order = order[self.multi()[order]]
        words = [self.words[i] for i in order.tolist()]
        in_base = [-1] * len(words)
        if base is not None and words:
            in_base = base_counts(*text_to_units(np.asarray(words)), base).tolist()
        written, classes = _written_and_classes(words)
        new = ([not unit_class and word not in reference for word, unit_class in zip(written, classes)]
               if reference is not None else [False] * len(words))
        return list(map(LexiconRow._make, zip(written, classes, uses[order].tolist(), self.counts[order].tolist(),
                                              self.scores[order].tolist(), map(len, written), new, in_base)))


def _written_and_classes(words: list[str]) -> tuple[list[str], list[str]]:
    """:func:`written_form` and :func:`word_class` of every word: the written form of the words joined, and
    the classes computed only for the words holding a placeholder (found with numpy)."""
    joined = "\0".join(words)  # no word holds U+0000 (the padding of unit rows)
    written = written_form(joined).split("\0") if words else []
    classes = [""] * len(words)
    cp = np.frombuffer(joined.encode("utf-32-le"), np.uint32)
    marked = (cp == PLACEHOLDER[NUM]) | (cp == PLACEHOLDER[ALNUM])
    if marked.any():
        word_of = np.cumsum(cp == 0)
        for i in np.flatnonzero(np.bincount(word_of[marked])).tolist():  # (np.unique would import numpy.ma)
            classes[i] = word_class(words[i])
    return written, classes


class LexiconRow(NamedTuple):
    """A lexicon word as users read it: ``word`` in the class-unit notation (``#年``), its ``unit_class``
    ("number", "latin" or ""), count (occurrences in the segmented text), candidate count (pieces of the cut
    pass), min-PMI score, length in characters of ``word`` (one per unit) and whether it is new (missing
    from the reference dictionary) and how often a base corpus writes it (-1: no base corpus; 0: the word
    is new in this text)."""

    word: str
    unit_class: str
    count: int
    candidates: int
    score: float
    length: int
    new: bool = False
    in_base: int = -1


def word_scores(rows: np.ndarray, lens: np.ndarray, table: NgramTable, max_n: int, min_count: int = 1) -> np.ndarray:
    """min-PMI cohesion of each word (unit rows padded with 0) over its split points, using n-grams up to
    ``max_n`` (+inf for single units and longer words). Words seen at least ``min_count`` times may say so:
    their parts are as frequent, so the smaller index of :meth:`NgramTable.lookup` serves them."""
    total = max(table.total(1), 1)
    out = np.full(len(lens), math.inf)
    if len(lens) == 0:
        return out
    mat = np.ascontiguousarray(rows, dtype=np.int64)
    lens = np.asarray(lens, dtype=np.int64)

    def code(sel: np.ndarray, a: int, b: int) -> np.ndarray:  # hash of units[a:b] of the rows ``sel``
        return word_codes(mat[sel, a:b])

    def count(n: int, codes: np.ndarray) -> np.ndarray:
        return np.maximum(table.lookup(n, codes, min_count), 1).astype(np.float64)

    for ln in range(2, min(mat.shape[1], max_n) + 1):
        sel = np.flatnonzero(lens == ln)
        if sel.size == 0:
            continue
        cw = count(ln, code(sel, 0, ln))
        best = np.full(sel.size, math.inf)
        for k in range(1, ln):
            best = np.minimum(best, np.log(total * cw / (count(k, code(sel, 0, k)) * count(ln - k, code(sel, k, ln)))))
        out[sel] = best
    return out


def text_to_units(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit rows (K, L) padded with 0 and lengths, from word texts (inverse of :func:`units_to_text`)."""
    texts = np.asarray(texts)
    width = max(texts.dtype.itemsize // 4, 1)
    cp = np.ascontiguousarray(texts.astype(f"<U{width}")).view(np.uint32).reshape(len(texts), width).astype(np.int64)
    lens = (cp > 0).sum(1)
    rows = np.where(cp > 0, cp + OFFSET, 0)
    rows[cp == PLACEHOLDER[NUM]] = NUM
    rows[cp == PLACEHOLDER[ALNUM]] = ALNUM
    return rows, lens


def word_codes(rows: np.ndarray) -> np.ndarray:
    """Hash codes of unit rows padded with 0 (same hash as :func:`ngram_codes`)."""
    rows = np.asarray(rows, np.int64)
    h = rows[:, 0].copy()
    with np.errstate(over="ignore"):
        for j in range(1, rows.shape[1]):
            col = rows[:, j]
            h = np.where(col > 0, h * PRIME + col, h)
    return h
