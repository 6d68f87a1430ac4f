"""The segmentation pipeline as jobs: count (cached), build a lexicon, segment and score.

``count_corpus`` reads the corpus once and keeps the n-gram counts (and, when it fits, the encoded text)
so that ``build_lexicon`` + ``segment_corpus`` can rerun with new thresholds without recounting.
``run_segmentation`` chains the three for the CLI and the benchmark.
"""
from __future__ import annotations

import contextlib
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterator

import numpy as np
import torch

from engines.errors import InputError
from engines.segment import corpus as corpus_mod
from engines.segment.counting import Counter, NgramTable, count_units, ngram_codes, unique_counts
from engines.segment.evaluate import Scores, join_lines, score, words_from_starts
from engines.segment.gold import detect_format, parse_gold
from engines.segment.hashindex import HashIndex
from engines.segment.lexicon import (Lexicon, LexiconParams, Pieces, cut_pieces, decode_rows, display_word,
                                     merge_pieces, position_counts, strong_ngrams, text_to_units,
                                     units_to_text, word_codes, word_scores)
from engines.segment.names import find_names
from engines.segment.numbers import number_measure_words
from engines.segment.parallel import ordered_map, torch_threads
from engines.segment.segmenter import segment_units, split_cost
from engines.segment.units import OFFSET, Encoded, encode

CACHE_LIMIT_CHARS = 8_000_000  # keep encoded chunks in memory up to this many characters (~25 B each)


@dataclass
class SegmentParams:
    method: str = "ngram"  # "ngram" (min-PMI of n-grams) or "pmi" (minimum-entropy pairs)
    max_n: int = 4
    min_count: int = 2
    thresholds: tuple[float, ...] = (0.0, 0.8, 4.5, 7.0)  # ln-PMI per n (n = 1 unused)
    max_len: int = 6
    class_rule: bool = True
    pair_threshold: float | None = 0.0  # also take pairs with PMI above this as words (None: off)
    pair_weight: float = 0.05  # their count is this fraction of the pair count
    word_bonus: float = 3.5  # nats added per word in the path score (balances Σ log p's bias to long words)
    redundancy: float | None = None  # drop words whose best split loses less than this many nats
    cnum: bool = True  # runs of two or more Chinese numerals (一九九八) are one number unit, like digits
    numbers: bool = True  # PKU number convention: a number and its measure word are two words (numbers.py)
    names: bool = True  # split names after surnames learned from the corpus (names.py)

    def lexicon_params(self) -> LexiconParams:
        return LexiconParams(method=self.method, max_n=self.max_n, min_count=self.min_count,
                             thresholds=tuple(self.thresholds), max_len=self.max_len, class_rule=self.class_rule)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Chunk:
    enc: Encoded
    units: torch.Tensor
    gold: np.ndarray | None  # gold word starts over the chunk's non-space characters
    first_line: int
    n_lines: int
    raw: list[str]


@dataclass
class Counted:
    """Cached counts of a corpus (and its encoded chunks when small enough)."""

    name: str
    source: corpus_mod.CorpusSource
    table: NgramTable
    chunks: list[Chunk] | None
    stats: corpus_mod.ReadStats
    n_chars: int
    n_lines: int
    has_gold: bool
    max_n: int
    gold_spec: str | None = None
    max_lines: int | None = None
    seconds: float = 0.0
    cnum: bool = False

    def bits_per_char_before(self) -> float:
        c = self.table.counts[0].astype(np.float64)
        total = c.sum()
        if total <= 0 or self.n_chars <= 0:
            return float("nan")
        return float(-(c * np.log2(c / total)).sum() / self.n_chars)


def _gold_lines(spec: str | None) -> tuple[list[str], str] | None:
    if spec is None:
        return None
    source = corpus_mod.resolve(spec)
    lines = [line for chunk in corpus_mod.iter_line_chunks(source) for line in chunk]
    return lines, (source.gold_format or detect_format(lines))


def _chunks(source: corpus_mod.CorpusSource, gold_spec: str | None, reporter=None, stats=None,
            max_lines: int | None = None, cnum: bool = False) -> Iterator[Chunk]:
    """Encoded chunks of the corpus, with gold starts when the corpus is a gold file or gold is given."""
    stats = stats if stats is not None else corpus_mod.ReadStats()
    fmt = source.gold_format
    separate = None
    if gold_spec is not None and not (gold_spec == "peoples-daily" and fmt == "wordtag"):
        gold = _gold_lines(gold_spec)
        separate = parse_gold(gold[0], gold[1])
        gold_offsets = np.r_[0, np.cumsum([len(r) for r in separate.raw])]
    first_line = 0
    sniffed = False
    for lines in corpus_mod.iter_line_chunks(source, stats, reporter, max_lines=max_lines):
        if not sniffed:
            sniffed = True
            if fmt is None and detect_format(lines) == "wordtag":
                fmt = source.gold_format = "wordtag"
        gold = None
        if fmt is not None:
            parsed = parse_gold(lines, fmt)
            raw, gold = parsed.raw, parsed.starts
        else:
            raw = lines
        if separate is not None:
            n = len(raw)
            if first_line + n > len(separate.raw):
                raise InputError(f"the gold file has {len(separate.raw)} lines, the corpus more")
            want = separate.raw[first_line:first_line + n]
            have = ["".join(r.split()) for r in raw]
            for k, (a, b) in enumerate(zip(have, want)):
                if a != b:
                    raise InputError(f"line {first_line + k + 1}: the gold text differs from the corpus text")
            gold = separate.starts[gold_offsets[first_line]:gold_offsets[first_line + n]]
        text = "\n".join(raw) + "\n"
        enc = encode(text, cnum=cnum)
        if gold is not None and len(gold) != int((~enc.spaces).sum()):
            # the corpus line holds spaces that the gold parse removed: score on the gold characters
            gold = None if separate is not None else gold
        yield Chunk(enc, torch.from_numpy(enc.units), gold, first_line, len(raw), raw)
        first_line += len(raw)


def count_corpus(reporter, corpus: str, gold: str | None = None, max_n: int = 4, max_lines: int | None = None,
                 workers: int = 1, cache_limit: int = CACHE_LIMIT_CHARS, cnum: bool = True,
                 device: str | torch.device = "cpu") -> Counted:
    """Job: read and count a corpus (n-grams up to ``max_n``), keeping the encoded text when it fits.

    ``workers`` > 1 counts the chunks in that many spawned processes and merges their tables (Su: the
    smaller per-process tables can make the speed-up exceed the number of cores); ``device`` runs the
    hashing and ``torch.unique`` there (a GPU), the tables come back to the CPU.
    """
    t0 = time.perf_counter()
    source = corpus_mod.resolve(corpus)
    stats = corpus_mod.ReadStats()
    dev = torch.device(device)
    chunks: list[Chunk] | None = []
    n_chars = n_lines = 0
    has_gold = True
    counter = Counter()
    with contextlib.ExitStack() as stack:
        stack.enter_context(torch_threads(1))
        submit = None
        if workers > 1:  # split: count chunks in spawned worker processes, merge here
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            pool = stack.enter_context(ProcessPoolExecutor(workers, multiprocessing.get_context("spawn")))
            submit = lambda chunk: pool.submit(count_units_worker, chunk.enc.units, max_n)  # noqa: E731
        counted = ordered_map(lambda chunk: count_units(chunk.units.to(dev), max_n),
                              _chunks(source, gold, reporter, stats, max_lines, cnum),
                              submit=submit, window=2 * workers if submit else None)
        for chunk, table in counted:
            reporter.check()
            counter.add_table(table)
            n_chars += chunk.enc.n_chars
            n_lines += chunk.n_lines
            has_gold &= chunk.gold is not None
            if chunks is not None:
                chunks.append(chunk)
                if n_chars > cache_limit:
                    chunks = None  # too big: later passes read the corpus again
    table = counter.result()
    if n_chars == 0:
        raise InputError(f"{source.name} holds no text")
    reporter.progress(1.0, f"counted {n_chars:,} characters, {table.distinct():,} distinct n-grams")
    return Counted(source.name, source, table, chunks, stats, n_chars, n_lines, has_gold, max_n,
                   gold, max_lines, time.perf_counter() - t0, cnum)


def count_units_worker(units: np.ndarray, max_n: int) -> NgramTable:
    """Top-level (picklable) worker of the multiprocess count."""
    torch.set_num_threads(1)
    return count_units(torch.from_numpy(units), max_n)


def _iter_cached(counted: Counted, reporter=None) -> Iterator[Chunk]:
    if counted.chunks is not None:
        yield from counted.chunks
    else:
        yield from _chunks(counted.source, counted.gold_spec, reporter, None, counted.max_lines, counted.cnum)


def _strong_pairs(chunk_units: torch.Tensor, codes, strong: torch.Tensor) -> Pieces:
    """The pairs at the positions marked ``strong``, counted (the pair words of the lexicon)."""
    pos = np.flatnonzero(strong.numpy())
    pair_codes = codes[1].numpy()[pos]
    uniq, counts = unique_counts(torch.from_numpy(pair_codes))
    row = HashIndex(uniq).lookup(pair_codes)
    first = np.zeros(len(uniq), np.int64)
    first[row[::-1]] = pos[::-1]
    lens = np.full(len(uniq), 2, np.int64)
    return Pieces(uniq, counts, lens, decode_rows(chunk_units.numpy(), first, lens))


def build_lexicon(reporter, counted: Counted, params: SegmentParams) -> Lexicon:
    """Job: the lexicon for ``params`` from cached counts (one cut pass over the cached text)."""
    lp = params.lexicon_params()
    if lp.effective_n() > counted.table.max_n:
        raise InputError(f"n-grams were counted up to {counted.table.max_n}; recount for n = {lp.effective_n()}")

    def cut(chunk: Chunk) -> tuple[Pieces, Pieces | None]:
        codes = ngram_codes(chunk.units, max(lp.max_len, lp.effective_n()))
        counts = position_counts(counted.table, codes, max(lp.effective_n(), 2), params.min_count)
        scores, strong = strong_ngrams(counted.table, codes, lp, counts)
        pieces = cut_pieces(chunk.units, counted.table, lp, codes, strong=strong)
        if params.pair_threshold is None:
            return pieces, None
        return pieces, _strong_pairs(chunk.units, codes, scores[1] > params.pair_threshold)

    with torch_threads(1):
        parts, pairs = [], []
        for k, (_, (chunk_pieces, chunk_pairs)) in enumerate(ordered_map(cut, _iter_cached(counted))):
            reporter.check()
            parts.append(chunk_pieces)
            if chunk_pairs is not None:
                pairs.append(chunk_pairs)
            if len(parts) >= 4:
                parts = [merge_pieces(parts)]
                pairs = [merge_pieces(pairs)] if pairs else []
            reporter.progress(None, f"cutting: chunk {k + 1}")
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
        if params.numbers:
            rows, _ = text_to_units(texts)
            keep = ~number_measure_words(rows, lens, counted.table)
            codes, counts, lens, texts = codes[keep], counts[keep], lens[keep], texts[keep]
        if params.names:
            codes, counts, lens, texts = _split_names(codes, counts, lens, texts, counted.table)
        if params.redundancy is not None:
            codes, counts, lens, texts = _remove_redundant(codes, counts, lens, texts, params.redundancy)
        order = np.argsort(codes)
        codes, counts, lens, texts = codes[order], counts[order], lens[order], texts[order]
        rows, _ = text_to_units(texts)
        scores = word_scores(rows, lens, counted.table, counted.table.max_n, params.min_count)
    return Lexicon(torch.from_numpy(codes), torch.from_numpy(counts), torch.from_numpy(lens), texts.tolist(),
                   scores, counted.table, lp)


def _split_names(codes, counts, lens, texts, table: NgramTable):
    """Respell the names that begin with a learned surname as surname + given name (their counts move)."""
    rows, _ = text_to_units(texts)
    found = find_names(rows, lens, counts, table)
    if found.words.size == 0:
        return codes, counts, lens, texts
    keep = np.ones(len(codes), bool)
    keep[found.words] = False
    moved = counts[found.words]
    surname = rows[found.words, :1]
    parts = [Pieces(codes[keep], counts[keep], lens[keep], texts[keep]),
             Pieces(word_codes(found.given), moved, np.full(len(moved), 2), units_to_text(found.given)),
             Pieces(word_codes(surname), moved, np.ones(len(moved), np.int64), units_to_text(surname))]
    merged = merge_pieces(parts)
    return merged.codes, merged.counts, merged.lengths, merged.texts


def _remove_redundant(codes, counts, lens, texts, threshold: float):
    """Minimum-entropy redundancy removal: drop w when ln p(w) - best ln p(split into other words) < threshold."""
    rows, _ = text_to_units(texts)
    order = np.argsort(codes)
    index = HashIndex(codes)
    logp = torch.log(torch.from_numpy(counts).double() / counts.sum())
    multi = np.flatnonzero(lens > 1)
    if multi.size == 0:
        return codes, counts, lens, texts
    best = split_cost([rows[i, :lens[i]] for i in multi], index, logp, int(lens.max()), math.log(0.5 / counts.sum()))
    gain = logp[multi].numpy() - best.numpy()
    keep = np.ones(len(codes), bool)
    keep[multi[gain < threshold]] = False
    del order
    return codes[keep], counts[keep], lens[keep], texts[keep]


@dataclass
class DisplayLine:
    words: list[str]
    gold: list[str] | None
    gaps: list[float | None]  # PMI of the two units across each gap after a word (None: punctuation/none)


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

    def metrics(self) -> dict:
        out = {"bits_per_char_before": self.bits_before, "bits_per_char_after": self.bits_after,
               "characters": self.n_chars, "words": self.n_words, "lexicon_size": self.lexicon_size}
        if self.scores is not None:
            out.update(self.scores.as_dict())
        return out


def char_starts(chunk: Chunk, word_start_units: torch.Tensor) -> np.ndarray:
    """Predicted word starts over the chunk's non-space characters."""
    enc = chunk.enc
    full = np.zeros(len(enc.cp), bool)
    full[enc.offsets[(enc.units > 0) & word_start_units.numpy()]] = True
    full |= enc.forced
    return full[~enc.spaces]


def _line_of(chunk: Chunk) -> np.ndarray:
    enc = chunk.enc
    return np.cumsum(enc.cp == 10)[~enc.spaces] - np.int64(0)


def _gap_pmi(chunk: Chunk, table: NgramTable) -> np.ndarray:
    """PMI of each unit with the next one (NaN across separators), per unit position."""
    codes = ngram_codes(chunk.units, 2)
    c1 = table.lookup(1, codes[0]).double().clamp(min=1)
    c2 = table.lookup(2, codes[1]).double()
    right = torch.ones_like(c1)
    right[:-1] = c1[1:]
    total = max(table.total(1), 1)
    pmi = torch.log(total * c2.clamp(min=0.5) / (c1 * right))
    valid = (chunk.units > 0)
    valid[:-1] &= chunk.units[1:] > 0
    valid[-1] = False
    return torch.where(valid, pmi, torch.full_like(pmi, float("nan"))).numpy()


def _display(chunk: Chunk, pred: np.ndarray, table: NgramTable, limit: int) -> list[DisplayLine]:
    enc = chunk.enc
    nonspace = ~enc.spaces
    cp = enc.cp[nonspace]
    line_of = _line_of(chunk)
    n = min(limit, chunk.n_lines)
    if n <= 0:
        return []
    stop = int(np.searchsorted(line_of, n))
    pred_lines = join_lines(cp[:stop], pred[:stop], line_of[:stop], n)
    gold_lines = join_lines(cp[:stop], chunk.gold[:stop], line_of[:stop], n) if chunk.gold is not None else None
    # gap statistics: PMI between the last unit of a word and the next one, per predicted word start
    pmi_unit = _gap_pmi(chunk, table)
    char_index = np.flatnonzero(nonspace)  # compressed index -> char position in enc.cp
    unit_at_char = np.full(len(enc.cp), -1, np.int64)
    unit_at_char[enc.offsets] = np.arange(len(enc.offsets))
    out = []
    starts = np.flatnonzero(pred[:stop])
    by_line = np.split(starts, np.searchsorted(line_of[starts], np.arange(1, n)))
    for k in range(n):
        words = pred_lines[k].split(" ") if pred_lines[k] else []
        gaps: list[float | None] = []
        for s in by_line[k][1:]:
            u = unit_at_char[char_index[s]]
            value = pmi_unit[u - 1] if u > 0 else float("nan")
            gaps.append(None if not np.isfinite(value) else float(value))
        gaps.append(None)
        gold = gold_lines[k].split(" ") if gold_lines is not None and gold_lines[k] else ([] if gold_lines is not None else None)
        out.append(DisplayLine(words, gold, gaps[: len(words)]))
    return out


def segment_corpus(reporter, counted: Counted, lexicon: Lexicon, params: SegmentParams,
                   write_line: Callable[[str], None] | None = None, display_lines: int = 0,
                   reference: set[str] | None = None) -> SegmentResult:
    """Job: segment every line with the unigram LM over ``lexicon``; score against gold when present."""
    t0 = time.perf_counter()
    index = HashIndex(lexicon.codes.numpy())
    logp = lexicon.logp() + params.word_bonus
    unk = math.log(0.5 / max(float(lexicon.counts.sum()), 1.0)) + params.word_bonus
    max_len = max(lexicon.max_len, 1)
    total_scores: Scores | None = Scores() if counted.has_gold else None
    word_tables: list[tuple[np.ndarray, np.ndarray]] = []
    n_words = 0
    display: list[DisplayLine] = []

    def segment(chunk: Chunk) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        grams = ngram_codes(chunk.units, max_len)
        ws = segment_units(chunk.units, index, logp, max_len, unk, grams)
        uw = torch.nonzero(ws & (chunk.units > 0)).squeeze(1).numpy()
        # word counts of the result (bits per character after)
        return char_starts(chunk, ws), _word_counts(chunk.units.numpy(), uw, max_len, grams)

    with torch_threads(1):
        for k, (chunk, (pred, words)) in enumerate(ordered_map(segment, _iter_cached(counted))):
            reporter.check()
            line_of = _line_of(chunk)
            new_line = np.r_[True, line_of[1:] != line_of[:-1]] if len(line_of) else np.zeros(0, bool)
            n_words += int((pred | new_line).sum())
            word_tables.append(words)
            if total_scores is not None and chunk.gold is not None:
                oov = None
                if reference is not None:
                    gold_words = words_from_starts(chunk.enc.cp[~chunk.enc.spaces], chunk.gold | new_line)
                    oov = np.fromiter((w not in reference for w in gold_words), bool, len(gold_words))
                total_scores = total_scores.add(score(pred, chunk.gold, line_of, chunk.n_lines, oov))
            if write_line is not None:
                for line in join_lines(chunk.enc.cp[~chunk.enc.spaces], pred, line_of, chunk.n_lines):
                    write_line(line)
            if len(display) < display_lines:
                display.extend(_display(chunk, pred, counted.table, display_lines - len(display)))
            reporter.progress(None, f"segmenting: chunk {k + 1}")
    codes = np.concatenate([w[0] for w in word_tables]) if word_tables else np.zeros(0, np.int64)
    counts = np.concatenate([w[1] for w in word_tables]) if word_tables else np.zeros(0, np.int64)
    from engines.segment.counting import sum_by_code

    _, counts = sum_by_code(codes, counts)
    c = counts.astype(np.float64)
    bits_after = float(-(c * np.log2(c / c.sum())).sum() / counted.n_chars) if c.size else float("nan")
    return SegmentResult(total_scores, counted.bits_per_char_before(), bits_after, counted.n_chars, n_words,
                         display, time.perf_counter() - t0, int(lexicon.multi().sum()))


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


def reference_dictionary() -> set[str] | None:
    """jieba's dictionary words, when jieba is installed (the reference for "new words" and OOV)."""
    try:
        import jieba
    except ImportError:
        return None
    import os

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    words = set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            word = line.split(" ", 1)[0]
            if word:
                words.add(word)
    return words


def jieba_baseline(reporter, counted: Counted, write_line: Callable[[str], None] | None = None,
                   reference: set[str] | None = None) -> tuple[Scores | None, float]:
    """jieba (supervised dictionary + HMM) on the same lines: scores and seconds (excluding its start-up)."""
    try:
        import jieba
    except ImportError as exc:
        raise InputError("the jieba baseline needs jieba: pip install jieba") from exc
    import logging

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    total: Scores | None = Scores() if counted.has_gold else None
    seconds = 0.0
    for chunk in _iter_cached(counted):
        reporter.check()
        t0 = time.perf_counter()
        segmented = [" ".join(jieba.cut(line)) for line in chunk.raw]
        seconds += time.perf_counter() - t0
        if write_line is not None:
            for line in segmented:
                write_line(line)
        if total is not None and chunk.gold is not None:
            parsed = parse_gold(segmented, "spaces")
            line_of = _line_of(chunk)
            if len(parsed.starts) == len(chunk.gold):
                oov = None
                if reference is not None:
                    new_line = np.r_[True, line_of[1:] != line_of[:-1]]
                    gold_words = words_from_starts(chunk.enc.cp[~chunk.enc.spaces], chunk.gold | new_line)
                    oov = np.fromiter((w not in reference for w in gold_words), bool, len(gold_words))
                total = total.add(score(parsed.starts, chunk.gold, line_of, chunk.n_lines, oov))
    return total, seconds


@dataclass
class PipelineResult:
    counted: Counted
    lexicon: Lexicon
    result: SegmentResult
    timings: dict


def run_segmentation(reporter, corpus: str, gold: str | None = None, params: SegmentParams | None = None,
                     write_line: Callable[[str], None] | None = None, display_lines: int = 0,
                     max_lines: int | None = None, reference: set[str] | None = None, workers: int = 1,
                     device: str | torch.device = "cpu") -> PipelineResult:
    """Job: count, build the lexicon and segment every line (the whole pipeline)."""
    params = params or SegmentParams()
    t0 = time.perf_counter()
    counted = count_corpus(reporter, corpus, gold, max(params.max_n, 2), max_lines, workers=workers,
                           cnum=params.cnum, device=device)
    t1 = time.perf_counter()
    reporter.progress(None, "building the lexicon")
    lexicon = build_lexicon(reporter, counted, params)
    t2 = time.perf_counter()
    reporter.progress(None, "segmenting")
    result = segment_corpus(reporter, counted, lexicon, params, write_line, display_lines, reference)
    t3 = time.perf_counter()
    timings = {"count_s": t1 - t0, "lexicon_s": t2 - t1, "segment_s": t3 - t2, "total_s": t3 - t0}
    return PipelineResult(counted, lexicon, result, timings)
