"""Text -> units: the alphabet the statistics see, with character classes as the only prior knowledge.

A *unit* is one Han (or other) character, or one whole run of digits/latin letters (with the decimal
points, slashes and percent signs inside or after it): "１９９８" is one unit of class NUM, "ＣＤＭＡ" one of
class ALNUM. Punctuation and spaces are never inside a word: they become separators (unit 0) and their
own tokens in the output. Everything here is vectorised over code points (numpy), no per-character loop.

Unit ids: 0 separator, 1 NUM (a digit run), 2 ALNUM (a run with letters), code point + OFFSET otherwise.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SEP, NUM, ALNUM = 0, 1, 2
OFFSET = 16
CLASS_NAMES = {NUM: "number", ALNUM: "latin"}  # the class units by their names in engines.segment.catalogue

# character classes
OTHER, DIGIT, LATIN, PUNCT, SPACE, INNER, AFTER = 0, 1, 2, 3, 4, 5, 6
INNER_CHARS = "．.／/·:：,，"  # inside a run: 3.5, 1/3, 12:30, 1,000 (only between two alnum characters)
AFTER_CHARS = "％%‰"  # after a run: 20%
CNUM_CHARS = "〇零一二三四五六七八九十百千万亿两"


@lru_cache(maxsize=1)
def class_table() -> np.ndarray:
    """uint8 class of every code point (only the BMP is looked up; the rest is OTHER)."""
    cp = np.arange(0x10000)
    categories = "".join(map(unicodedata.category, map(chr, range(0x10000))))  # two letters each: Lu, Po...
    major = np.frombuffer(categories.encode("ascii"), np.uint8)[::2]  # L, P, S, Z, C...
    table = np.zeros(0x110000, np.uint8)
    bmp = table[:0x10000]
    bmp[np.isin(major, (ord("Z"), ord("C"))) | (cp == 0xFFFD)] = SPACE
    bmp[np.isin(major, (ord("P"), ord("S")))] = PUNCT
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

    @property
    def n_chars(self) -> int:
        return int((~self.spaces).sum())


def encode(text: str, cnum: bool = False) -> Encoded:
    """Units of ``text``; ``cnum`` also makes runs of two or more Chinese numerals one NUM unit."""
    cp = code_points(text)
    n = len(cp)
    table = class_table()
    cls = table[cp].copy()
    prev = np.empty(n, np.uint8)
    nxt = np.empty(n, np.uint8)
    if n:
        prev[0], prev[1:] = SPACE, cls[:-1]
        nxt[-1], nxt[:-1] = SPACE, cls[1:]
    isal = (cls == DIGIT) | (cls == LATIN)
    pal = (prev == DIGIT) | (prev == LATIN)
    nal = (nxt == DIGIT) | (nxt == LATIN)
    inner = (cls == INNER) & pal & nal
    after = (cls == AFTER) & (pal | ((prev == INNER) & False))
    cls[(cls == INNER) & ~inner] = PUNCT
    cls[(cls == AFTER) & ~after] = PUNCT
    run = isal | inner | after
    digitish = (cls == DIGIT) | inner | after
    if cnum:
        table_cn = _cnum_mask()
        iscn = table_cn[np.minimum(cp, 0xFFFF)] & (cp <= 0xFFFF) & ~run
        pcn = np.r_[False, iscn[:-1]]
        ncn = np.r_[iscn[1:], False]
        cnrun = iscn & (pcn | ncn)
        run = run | cnrun
        digitish = digitish | cnrun
    prun = np.r_[False, run[:-1]]
    # a run restarts where numerals meet digits/letters of a different kind? keep one run.
    nonunit = (cls == PUNCT) | (cls == SPACE)
    nonunit &= ~run
    prev_nonunit = np.r_[False, nonunit[:-1]]
    run_start = run & ~prun
    han = ~run & ~nonunit
    item = han | run_start | (nonunit & ~prev_nonunit)
    pos = np.flatnonzero(item)
    units = np.zeros(len(pos), np.int64)
    is_han = han[pos]
    units[is_han] = cp[pos[is_han]] + OFFSET
    is_run = run_start[pos]
    if is_run.any():
        # a run is NUM when all its characters are digit-like
        run_id = np.cumsum(run_start) - 1
        letters = np.zeros(int(run_start.sum()), np.int64)
        np.add.at(letters, run_id[run & ~digitish], 1)
        units[is_run] = np.where(letters > 0, ALNUM, NUM)
    spaces = cls == SPACE
    spaces &= ~run
    ppunct_cp = np.r_[-1, cp[:-1]]
    pcls = np.r_[np.uint8(SPACE), cls[:-1]]
    forced = (cls == PUNCT) & ~run & ((pcls != PUNCT) | (ppunct_cp != cp) | np.r_[True, run[:-1]])
    return Encoded(cp.astype(np.int32), units, pos.astype(np.int64), forced, spaces)


@lru_cache(maxsize=1)
def _cnum_mask() -> np.ndarray:
    mask = np.zeros(0x10000, bool)
    for ch in CNUM_CHARS:
        mask[ord(ch)] = True
    return mask

