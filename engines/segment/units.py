"""Text -> units: the alphabet the statistics see, with character classes as the only prior knowledge.

A *unit* is one Han (or other) character, or one whole run of digits/latin letters (with the decimal
points, slashes and percent signs inside or after it): "１９９８" is one unit of class NUM, "ＣＤＭＡ" one of
class ALNUM. Punctuation and spaces are never inside a word: they become separators (unit 0) and their
own tokens in the output. The code points are read in one compiled pass
(:mod:`engines.segment.kernels.encoding`), not a Python loop per character.

Unit ids: 0 separator, 1 NUM (a digit run), 2 ALNUM (a run with letters), code point + OFFSET otherwise.
"""
from __future__ import annotations

import functools
import threading
import unicodedata
from dataclasses import dataclass

import numpy as np

from engines.segment import kernels

SEP, NUM, ALNUM = 0, 1, 2
OFFSET = 16
CLASS_NAMES = {NUM: "number", ALNUM: "latin"}  # the class units by their names in engines.segment.catalogue

# character classes
OTHER, DIGIT, LATIN, PUNCT, SPACE, INNER, AFTER = 0, 1, 2, 3, 4, 5, 6
INNER_CHARS = "．.／/·:：,，"  # inside a run: 3.5, 1/3, 12:30, 1,000 (only between two alnum characters)
AFTER_CHARS = "％%‰"  # after a run: 20%
CNUM_CHARS = "〇零一二三四五六七八九十百千万亿两"


_building = threading.Lock()  # the chunks' threads ask for the class table at once: one builds it


def class_table() -> np.ndarray:
    """uint8 class of every code point (only the BMP is looked up; the rest is OTHER), built once."""
    with _building:
        return _class_table()


@functools.lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    cp = np.arange(0x10000)
    categories = "".join(map(unicodedata.category, map(chr, range(0x10000))))  # two letters each: Lu, Po...
    major = np.frombuffer(categories.encode("ascii"), np.uint8)[::2]  # L, P, S, Z, C...
    table = np.zeros(0x110000, np.uint8)
    bmp = table[:0x10000]
    bmp[np.isin(major, (ord("Z"), ord("C")), kind="table") | (cp == 0xFFFD)] = SPACE
    bmp[np.isin(major, (ord("P"), ord("S")), kind="table")] = PUNCT
    bmp[(major == ord("L")) & ((cp < 0x2E80) | ((0xFF00 <= cp) & (cp <= 0xFFEF)))] = LATIN  # letters, not CJK
    bmp[((0x30 <= cp) & (cp <= 0x39)) | ((0xFF10 <= cp) & (cp <= 0xFF19))] = DIGIT  # 0-9 and ０-９
    table[0xD800:0xE000] = SPACE
    for ch in INNER_CHARS:
        table[ord(ch)] = INNER
    for ch in AFTER_CHARS:
        table[ord(ch)] = AFTER
    return table


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


@dataclass
class Encoded:
    """A chunk of text as units. ``cp`` are the code points of ``text`` (lines joined by newlines).

    ``units[k]`` starts at character ``offsets[k]``; separators (0) stand for runs of punctuation/space.
    ``forced`` marks characters that start a punctuation token (always a word start); ``spaces`` the
    characters dropped from the output (whitespace, newlines).
    """

    cp: np.ndarray
    units: np.ndarray
    offsets: np.ndarray
    forced: np.ndarray
    spaces: np.ndarray

    @functools.cached_property
    def n_chars(self) -> int:
        """Characters other than spaces (computed once)."""
        return int(self.spaces.size - np.count_nonzero(self.spaces))


def encode(text: str, cnum: bool = False) -> Encoded:
    """Units of ``text`` (one pass: :func:`engines.segment.kernels.encoding.encode_units`); ``cnum`` also
    makes runs of two or more Chinese numerals one NUM unit."""
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.int32)
    units, offsets, forced, spaces = kernels.encode_units(cp, class_table(), _cnum_mask(), cnum)
    return Encoded(cp, units, offsets, forced, spaces)


@functools.lru_cache(maxsize=1)
def _cnum_mask() -> np.ndarray:
    mask = np.zeros(0x10000, bool)
    for ch in CNUM_CHARS:
        mask[ord(ch)] = True
    return mask

