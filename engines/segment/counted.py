"""A corpus read and counted once (the ``count_corpus`` job): its n-gram counts and, when it fits, its
encoded text, so that the lexicon and the segmentation can rerun with new settings without recounting.

The text comes as :class:`Chunk` objects (encoded units, gold word starts when there is a gold
segmentation, the raw lines); :func:`iter_chunks` hands them out again, from memory or reading anew.
Counting may run in several spawned processes whose tables are merged (Su Jianlin: the smaller
per-process tables can make the speed-up exceed the number of cores, https://kexue.fm/archives/6920).
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from engines.budget import processes
from engines.device import DeviceLike
from engines.errors import InputError
from engines.segment import corpus as corpus_mod
from engines.segment import kernels
from engines.segment.budget import counting_budget
from engines.segment.counting import Counter, NgramTable, count_units, resolve_device
from engines.segment.gold import detect_format, parse_gold
from engines.segment.parallel import ordered_map
from engines.segment.ranges import ByteRange, range_line_chunks
from engines.segment.units import Encoded, encode

WORKER_BYTES = 150 * 2**20  # a spawned counting process: its interpreter, numpy and its chunk's tables
CACHE_LIMIT_CHARS = 8_000_000  # keep encoded chunks in memory up to this many characters (~25 B each)


@dataclass
class Chunk:
    enc: Encoded
    gold: np.ndarray | None  # gold word starts over the chunk's non-space characters
    first_line: int
    n_lines: int
    raw: list[str]
    open_end: bool = False  # the last line continues in the next chunk (a long line read in pieces)
    weight: float = 1.0  # what its candidate pieces count for in a lexicon (a base corpus's: engines.segment.base)

    @property
    def n_chars(self) -> int:
        return self.enc.n_chars

    @property
    def units(self) -> np.ndarray:
        return self.enc.units

    def line_of(self) -> np.ndarray:
        """The line (within the chunk) of each non-space character."""
        return np.cumsum(self.enc.cp == 10)[~self.enc.spaces]

    def char_starts(self, word_start_units: np.ndarray) -> np.ndarray:
        """Word starts over the non-space characters, from word starts over the units (punctuation tokens
        always start a word)."""
        return self._starts(word_start_units)[~self.enc.spaces]

    def segmented(self, word_start_units: np.ndarray) -> tuple[str, int]:
        """The chunk's lines, words separated by single spaces, each ended by a line break, and how many
        words they hold (:func:`engines.segment.kernels.text.joined_words`)."""
        out, words = kernels.joined_words(self.enc.cp, self.enc.spaces, self._starts(word_start_units))
        return out.tobytes().decode("utf-32-le"), words

    def _starts(self, word_start_units: np.ndarray) -> np.ndarray:
        """Word starts over all the characters (spaces included)."""
        enc = self.enc
        full = np.zeros(len(enc.cp), bool)
        full[enc.offsets[(enc.units > 0) & word_start_units]] = True
        full |= enc.forced
        return full


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
    gold_source: corpus_mod.CorpusSource | None = None
    max_lines: int | None = None
    seconds: float = 0.0
    cnum: bool = False
    ranges: list[ByteRange] | None = None  # the byte ranges it was counted in (a distributed run)
    cluster: Any = field(default=None, repr=False, compare=False)  # a ClusterMap while the run holds one
    branching: Any = None  # the n-grams' branching entropies, once a statistic needs them (engines.segment.branching)
    base: NgramTable | None = None  # a base corpus's own counts, when its counts are added (engines.segment.base)
    pooled: Any = None  # then: this text and the base corpus, the Counted its lexicon is built on
    own: NgramTable | None = None  # then: the text's own counts (``table`` holds the pooled ones)

    def bits_per_char_before(self) -> float:
        c = (self.own if self.own is not None else self.table).counts[0].astype(np.float64)
        total = c.sum()
        if total <= 0 or self.n_chars <= 0:
            return float("nan")
        return float(-(c * np.log2(c / total)).sum() / self.n_chars)


class LineWriter:
    """A ``write_line`` for a text file that also takes text without an end (``end=""``): the segmentation
    writes each chunk's lines to it in one call, and streams a long line, read in pieces, piece by piece
    instead of holding it whole."""

    def __init__(self, handle) -> None:
        self.handle = handle

    def __call__(self, text: str, end: str = "\n") -> None:
        self.handle.write(text)  # not text + end: a chunk's text is megabytes
        self.handle.write(end)


class WholeLines:
    """Hands ``write_line`` the lines of chunks whose last line may go on in the next chunk: the pieces of
    a long line are joined by a space (a piece ends with a word), as they come to a :class:`LineWriter`
    (one call per chunk, its lines joined), held and joined for any other callable (which gets each line
    whole)."""

    def __init__(self, write_line: Callable[..., None]) -> None:
        self.write_line = write_line
        self._streams = isinstance(write_line, LineWriter)
        self._pieces: list[str] = []
        self._started = False  # streaming: a non-empty piece of the current line is written

    def write_text(self, text: str, open_end: bool) -> None:
        """Write the lines of one chunk given as text, each line ended by a line break (``open_end``: its
        last line continues)."""
        if self._streams and not open_end and not self._started:  # whole lines to a file: as they are
            self.write_line(text, end="")
        else:
            self.write(text.split("\n")[:-1], open_end)

    def write(self, lines: list[str], open_end: bool) -> None:
        """Write the lines of one chunk (``open_end``: its last line continues)."""
        if self._streams:
            parts = []
            for k, line in enumerate(lines):
                ends = not (open_end and k == len(lines) - 1)
                parts.append((" " if self._started and line else "") + line + ("\n" if ends else ""))
                self._started = (self._started or bool(line)) and not ends
            if parts:
                self.write_line("".join(parts), end="")
            return
        lines = list(lines)
        if self._pieces:
            lines[0] = " ".join(p for p in (*self._pieces, lines[0]) if p)
            self._pieces = []
        if open_end:
            self._pieces.append(lines.pop())
        for line in lines:
            self.write_line(line)


def iter_chunks(counted: Counted, reporter=None) -> Iterator[Chunk]:
    """The corpus's chunks again: from memory when cached, else read anew (range by range when it was
    counted in byte ranges, so that the chunks are those the ranges' tasks see)."""
    if counted.chunks is not None:
        yield from counted.chunks
    elif counted.ranges is not None:
        counted.source.check_unchanged()
        for rng in counted.ranges:
            yield from range_chunks(rng, counted.source.gold_format, counted.cnum)
    else:
        yield from read_chunks(counted.source, counted.gold_source, reporter, None, counted.max_lines, counted.cnum)


def _separate_gold(source: corpus_mod.CorpusSource, gold_source: corpus_mod.CorpusSource | None):
    """The gold segmentation of ``gold_source`` when it is not the corpus itself (a gold corpus scored against
    its own segmentation needs no second reading): raw lines and word starts, with their line offsets."""
    if gold_source is None:
        return None
    if source.gold_format == "wordtag" and gold_source.paths == source.paths:
        return None
    lines = [line for chunk in corpus_mod.iter_line_chunks(gold_source) for line in chunk]
    parsed = parse_gold(lines, gold_source.gold_format or detect_format(lines))
    return parsed, np.r_[0, np.cumsum([len(r) for r in parsed.raw])]


def read_chunks(source: corpus_mod.CorpusSource, gold_source: corpus_mod.CorpusSource | None, reporter=None,
                stats=None, max_lines: int | None = None, cnum: bool = False) -> Iterator[Chunk]:
    """Encoded chunks of the corpus, with gold starts when the corpus is a gold file or gold is given (both
    sources keep the fingerprints of their files: a file changed since an earlier pass stops the reading)."""
    return map(ChunkText.encoded, chunk_texts(source, gold_source, reporter, stats, max_lines, cnum))


@dataclass
class ChunkText:
    """A chunk as read, before it is encoded (:meth:`encoded`, the costly part, which threads can share)."""

    raw: list[str]
    gold: np.ndarray | None
    separate: bool  # the gold starts come from a gold file of their own
    first_line: int
    open_end: bool
    cnum: bool

    def encoded(self) -> Chunk:
        return _chunk(self.raw, self.gold, self.separate, self.first_line, self.open_end, self.cnum)


def chunk_texts(source: corpus_mod.CorpusSource, gold_source: corpus_mod.CorpusSource | None, reporter=None,
                stats=None, max_lines: int | None = None, cnum: bool = False) -> Iterator[ChunkText]:
    """The chunks of :func:`read_chunks` as read, with their gold starts, not yet encoded."""
    stats = stats if stats is not None else corpus_mod.ReadStats()
    fmt = source.gold_format
    separate = _separate_gold(source, gold_source)
    first_line = 0
    sniffed = False
    for lines in corpus_mod.iter_line_chunks(source, stats, reporter, max_lines=max_lines):
        if not sniffed:
            sniffed = True
            if fmt is None and detect_format(lines) == "wordtag":
                fmt = source.gold_format = "wordtag"
        raw, gold = _gold_of(lines, fmt)
        if separate is not None:
            parsed_gold, gold_offsets = separate
            n = len(raw)
            if first_line + n > len(parsed_gold.raw):
                raise InputError(f"the gold file has {len(parsed_gold.raw)} lines, the corpus more")
            want = parsed_gold.raw[first_line:first_line + n]
            have = ["".join(r.split()) for r in raw]
            for k, (a, b) in enumerate(zip(have, want)):
                if a != b:
                    raise InputError(f"line {first_line + k + 1}: the gold text differs from the corpus text")
            gold = parsed_gold.starts[gold_offsets[first_line]:gold_offsets[first_line + n]]
        yield ChunkText(raw, gold, separate is not None, first_line, lines.open_end, cnum)
        first_line += len(raw)


def _gold_of(lines: list[str], fmt: str | None) -> tuple[list[str], np.ndarray | None]:
    """The raw lines of a chunk and, in a gold format, their word starts."""
    if fmt is None:
        return lines, None
    parsed = parse_gold(lines, fmt)
    return parsed.raw, parsed.starts


def _chunk(raw: list[str], gold: np.ndarray | None, separate: bool, first_line: int, open_end: bool,
           cnum: bool) -> Chunk:
    text = "\n".join(raw) + "\n"
    enc = encode(text, cnum=cnum)
    if gold is not None and len(gold) != int((~enc.spaces).sum()):
        # the corpus line holds spaces that the gold parse removed: score on the gold characters
        gold = None if separate else gold
    return Chunk(enc, gold, first_line, len(raw), raw, open_end)


def range_chunks(rng: ByteRange, fmt: str | None, cnum: bool, stats: corpus_mod.ReadStats | None = None
                 ) -> Iterator[Chunk]:
    """Encoded chunks of one byte range (``first_line`` counts from the range's first line)."""
    first_line = 0
    for lines in range_line_chunks(rng, stats):
        raw, gold = _gold_of(lines, fmt)
        yield _chunk(raw, gold, False, first_line, lines.open_end, cnum)
        first_line += len(raw)


def count_corpus(reporter, corpus: str, gold: str | None = None, max_n: int = 4, max_lines: int | None = None,
                 workers: int = 1, cache_limit: int | None = None, cnum: bool = True,
                 device: DeviceLike = "cpu", memory_budget: int | None = None) -> Counted:
    """Job: read and count a corpus (n-grams up to ``max_n``), keeping the encoded text when it fits
    (``cache_limit`` characters, spaces and line ends included, default :data:`CACHE_LIMIT_CHARS`).

    ``workers`` > 1 counts the chunks in that many spawned processes (at most one per core, and as many as
    the memory holds at :data:`WORKER_BYTES` each) and merges their tables; ``device`` (a GPU) runs the
    unique there (:func:`~engines.segment.counting.resolve_device`), the tables come back to the CPU.
    Counting stops with an InputError when merging the tables would take more than ``memory_budget`` bytes
    (default: :func:`engines.segment.budget.counting_budget`).
    """
    t0 = time.perf_counter()
    cache_limit = CACHE_LIMIT_CHARS if cache_limit is None else cache_limit
    budget = counting_budget() if memory_budget is None else memory_budget
    source = corpus_mod.resolve(corpus)
    gold_source = corpus_mod.resolve(gold) if gold is not None else None
    stats = corpus_mod.ReadStats()
    dev = resolve_device(device)
    chunks: list[Chunk] | None = []
    n_chars = n_lines = cached = 0
    has_gold = True
    counter = Counter()
    with contextlib.ExitStack() as stack:
        asked, workers = workers, processes(workers, WORKER_BYTES)
        if workers < asked:
            reporter.progress(None, f"counting in {workers} processes, not {asked}: one per core, as memory allows")
        if workers > 1:  # split: count chunks in spawned worker processes, merge here
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            pool = stack.enter_context(ProcessPoolExecutor(workers, multiprocessing.get_context("spawn")))
            submit = lambda chunk: pool.submit(count_units_worker, chunk.enc.units, max_n)  # noqa: E731
            counted = ordered_map(None, read_chunks(source, gold_source, reporter, stats, max_lines, cnum),
                                  submit=submit, window=2 * workers)
        else:  # chunks encoded and counted on threads
            def count(text: ChunkText) -> tuple[Chunk, NgramTable]:
                chunk = text.encoded()
                return chunk, count_units(chunk.units, max_n, reporter.check, dev)

            texts = chunk_texts(source, gold_source, reporter, stats, max_lines, cnum)
            counted = (done for _, done in ordered_map(count, texts))
        for chunk, table in counted:
            reporter.check()
            if counter.merge_bytes(table) > budget:
                raise InputError(over_budget(source.name, counter, table, n_chars + chunk.enc.n_chars, budget))
            counter.add_table(table)
            n_chars += chunk.enc.n_chars
            n_lines += chunk.n_lines - chunk.open_end
            has_gold &= chunk.gold is not None
            if chunks is not None:
                chunks.append(chunk)
                cached += len(chunk.enc.cp)  # blank lines and spaces take memory too
                if cached > cache_limit:
                    chunks = None  # too big: later passes read the corpus again
    table = counter.result()
    if n_chars == 0:
        raise InputError(f"{source.name} holds no text")
    reporter.progress(1.0, f"counted {n_chars:,} characters, {table.distinct():,} distinct n-grams")
    return Counted(source.name, source, table, chunks, stats, n_chars, n_lines, has_gold, max_n,
                   gold_source, max_lines, time.perf_counter() - t0, cnum)


def over_budget(name: str, counter: Counter, table: NgramTable, n_chars: int, budget: int) -> str:
    return (f"{name}: counting its n-grams needs more memory than there is: after {n_chars:,} characters up to "
            f"{counter.distinct() + table.distinct():,} distinct n-grams would take "
            f"{counter.merge_bytes(table) / 2**20:,.0f} MiB to merge, "
            f"over the budget of {budget / 2**20:,.0f} MiB (half the memory available); text this varied is not a corpus of words (random "
            f"data?): check the file, or read fewer lines with --max-lines")


def count_units_worker(units: np.ndarray, max_n: int) -> NgramTable:
    """Top-level (picklable) worker of the multiprocess count."""
    return count_units(units, max_n)
