"""A corpus cut into byte ranges at line ends: the units of work of a distributed run.

A plain UTF-8 or GB18030 file is cut every :data:`RANGE_BYTES` at the next ``\\n`` byte (which in both
encodings is only ever a line feed, never part of a character), so every range holds whole lines and the
ranges read one after the other give the lines of the file. A compressed file, a UTF-16 one, or one whose
encoding its head does not settle (:func:`~engines.segment.corpus.settled_encoding`) is one range, read as
a whole file is.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from engines.segment import corpus as corpus_mod
from engines.segment.corpus import CHUNK_BYTES, PIECE_CHARS, Lines, ReadStats

RANGE_BYTES = 8 << 20  # a task's share of a file
SPLITTABLE = ("utf-8", "utf-8-sig", "gb18030")  # encodings in which a 0x0A byte is always a line feed
_SCAN = 1 << 16  # bytes read at a time while looking for the line end after a cut


@dataclass(frozen=True)
class ByteRange:
    """Bytes ``start`` to ``end`` of ``path``, whole lines; ``encoding`` None: the whole file, its encoding
    detected as it is read."""

    path: Path
    start: int
    end: int
    encoding: str | None = None

    @property
    def size(self) -> int:
        return self.end - self.start


def _line_end_after(raw, pos: int, size: int) -> int:
    """The offset just after the first ``\\n`` at or after ``pos`` (``size`` when there is none)."""
    raw.seek(pos)
    while pos < size:
        block = raw.read(_SCAN)
        hit = block.find(b"\n")
        if hit >= 0:
            return pos + hit + 1
        pos += len(block)
    return size


def plan_ranges(source: corpus_mod.CorpusSource, range_bytes: int | None = None) -> list[ByteRange]:
    """The ranges of every file of ``source``, in reading order, of about ``range_bytes`` each (default
    :data:`RANGE_BYTES`)."""
    range_bytes = range_bytes or RANGE_BYTES
    out: list[ByteRange] = []
    for path in source.paths:
        size = source.fingerprint(path).size
        encoding = corpus_mod.settled_encoding(path) if size > range_bytes else None
        if encoding not in SPLITTABLE:
            out.append(ByteRange(path, 0, size))
            continue
        start = 0
        with open(path, "rb") as raw:
            while start < size:
                end = _line_end_after(raw, start + range_bytes, size) if start + range_bytes < size else size
                out.append(ByteRange(path, start, end, encoding if start == 0 else encoding.replace("-sig", "")))
                start = end
    return out


class _Window:
    """Reads of an open file that stop after ``size`` bytes."""

    def __init__(self, raw, size: int) -> None:
        self.raw, self.left = raw, size

    def read(self, size: int) -> bytes:
        data = self.raw.read(min(size, self.left))
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.raw.close()


def range_line_chunks(rng: ByteRange, stats: ReadStats | None = None, chunk_bytes: int = CHUNK_BYTES,
                      piece_chars: int = PIECE_CHARS) -> Iterator[Lines]:
    """Chunks of lines of one range, as :func:`~engines.segment.corpus.iter_line_chunks` reads them."""
    stats = stats if stats is not None else ReadStats()
    counter = corpus_mod.BadBytes()
    if rng.encoding is None:
        stream, raw = corpus_mod.open_binary(rng.path)
    else:
        raw = open(rng.path, "rb")
        raw.seek(rng.start)
        stream = _Window(raw, rng.size)
    try:
        for lines, _ in corpus_mod.decoded_lines(stream, rng.path.name, counter, stats, chunk_bytes, piece_chars,
                                                 rng.encoding):
            if lines:
                stats.lines += len(lines) - lines.open_end
                yield lines
    finally:
        stats.invalid_bytes += counter.count
        stream.close()
        raw.close()
