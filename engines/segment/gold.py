"""Gold segmentations: ``word/tag`` tokens (People's Daily 1998) or plain words separated by spaces.

Parsing works on whole chunks of lines with numpy over their code points (no per-word Python loop, no
regular expression over the text): the result is the raw text of each line (words joined) and a boundary
mask over its characters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engines.segment.units import code_points

WORD_TAG = re.compile(r"/[A-Za-z]{1,5}(?=\s|$)")
_TAG_TOKEN = re.compile(r"^\S+/[A-Za-z]{1,5}$")
MAX_TAG = 5  # letters of a tag at most, as in WORD_TAG
SPACES = (ord(" "), ord("\t"), 0x3000)  # what separates gold words (the ideographic space included)

FORMATS = ("wordtag", "spaces")


def detect_format(lines: list[str]) -> str:
    """"wordtag" when most tokens of the first non-empty lines look like word/tag, else "spaces"."""
    tokens = [tok for line in lines[:200] for tok in line.split()][:2000]
    if not tokens:
        return "spaces"
    tagged = sum(1 for tok in tokens if _TAG_TOKEN.match(tok))
    return "wordtag" if tagged >= 0.8 * len(tokens) else "spaces"


def strip_tags(text: str) -> str:
    """``迈向/v  充满/v`` -> ``迈向  充满`` (for a few lines: :func:`tag_mask` does it for chunks)."""
    return WORD_TAG.sub("", text)


@lru_cache(maxsize=1)
def _whitespace() -> np.ndarray:
    """The code points that ``str.isspace`` (and so ``\\s`` of :data:`WORD_TAG`) calls whitespace."""
    return np.array([c for c in range(0x3001) if chr(c).isspace()], np.int64)  # none above U+3000


def tag_mask(cp: np.ndarray) -> np.ndarray:
    """Where the tags of ``word/tag`` tokens are in the code points ``cp`` (what :data:`WORD_TAG` matches:
    a slash, 1 to :data:`MAX_TAG` ASCII letters, then whitespace or the end)."""
    letter = ((cp | 0x20) >= ord("a")) & ((cp | 0x20) <= ord("z"))
    other = np.flatnonzero(np.r_[~letter, True])  # positions after which no letter run continues
    slash = np.flatnonzero(cp[:-1] == ord("/")) if cp.size else np.zeros(0, np.int64)
    end = other[np.searchsorted(other, slash + 1)]  # the first non-letter after each slash's letters
    run = end - slash - 1
    after_ok = end >= cp.size
    after_ok[~after_ok] = np.isin(cp[end[~after_ok]], _whitespace(), kind="table")
    tag = (run >= 1) & (run <= MAX_TAG) & after_ok
    edges = np.zeros(cp.size + 1, np.int64)  # +1 where a tag starts, -1 after it (no two tags share either)
    edges[slash[tag]] = 1
    edges[end[tag]] = -1
    return np.cumsum(edges[:-1]) > 0


@dataclass
class GoldChunk:
    raw: list[str]  # each line's text with the spaces between words removed
    starts: np.ndarray  # bool over the characters of "".join(raw): a gold word starts here


def parse_gold(lines: list[str], fmt: str) -> GoldChunk:
    """Raw lines and gold word starts of a chunk of gold lines (empty lines stay empty)."""
    if not lines:
        return GoldChunk([], np.zeros(0, bool))
    cp = code_points("\n".join(line.rstrip("\r\n") for line in lines) + "\n")
    if fmt == "wordtag":
        cp = cp[~tag_mask(cp)]
    is_space = np.isin(cp, SPACES, kind="table")
    kept = cp[~is_space]
    prev_space = np.r_[True, is_space[:-1]]
    starts_full = prev_space & ~is_space
    # after a newline a word starts too
    prev_nl = np.r_[True, cp[:-1] == 10]
    starts_full |= prev_nl & ~is_space
    starts = starts_full[~is_space & (cp != 10)]
    raw_text = np.ascontiguousarray(kept.astype(np.uint32)).tobytes().decode("utf-32-le")
    raw = raw_text.split("\n")[:-1]
    return GoldChunk(raw, starts)


def gold_words(lines: list[str], fmt: str) -> list[list[str]]:
    """Words per line (for small inputs, tests and display)."""
    out = []
    for line in lines:
        if fmt == "wordtag":
            line = strip_tags(line)
        out.append(line.split())
    return out
