"""Lines for the text VAE: from a Chinese text file, the runs of exactly ``length`` Han characters between
punctuation (the lines of a five- or seven-character poetry collection); from the built-in ``reviews`` corpus,
its Han runs cut into consecutive windows of ``length`` characters. Read in chunks through
:func:`engines.segment.corpus.iter_line_chunks` (encoding detection, garbled files refused) and stopped at
``max_lines`` lines, so memory stays bounded for any file."""
from __future__ import annotations

import re
from typing import Iterator

from engines.errors import InputError
from engines.latent.text_catalogue import BUILTIN_TEXT
from engines.segment.corpus import iter_line_chunks, resolve

HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")  # CJK unified ideographs (+ ext. A, compatibility)


def lines_of(text: str, length: int, windows: bool) -> Iterator[str]:
    """The Han runs of ``text`` of exactly ``length`` characters, or with ``windows`` every whole window of
    ``length`` characters of each run."""
    for run in HAN.findall(text):
        if windows:
            yield from (run[i:i + length] for i in range(0, len(run) - length + 1, length))
        elif len(run) == length:
            yield run


def read_lines(text: str, length: int, max_lines: int, reporter=None) -> tuple[str, list[str]]:
    """(name, lines) of the file or folder at ``text``, or of the built-in corpus :data:`BUILTIN_TEXT`."""
    windows = text == BUILTIN_TEXT
    source = resolve(text)
    lines: list[str] = []
    for chunk in iter_line_chunks(source, reporter=reporter):
        for line in chunk:
            lines.extend(lines_of(line, length, windows))
        if len(lines) >= max_lines:
            del lines[max_lines:]
            break
    if len(lines) < 2:
        shape = f"windows of {length} Han characters" if windows else \
            f"lines of exactly {length} Han characters between punctuation (a poetry collection)"
        raise InputError(f"{source.name} holds {len(lines)} {shape}; a text VAE needs at least 2")
    return source.name, lines
