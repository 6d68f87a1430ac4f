"""Gold segmentations: ``word/tag`` tokens (People's Daily 1998) or plain words separated by spaces.

Parsing works on whole chunks of lines with regular expressions and numpy (no per-word Python loop):
the result is the raw text of each line (words joined) and a boundary mask over its characters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from engines.segment.units import code_points

WORD_TAG = re.compile(r"/[A-Za-z]{1,5}(?=\s|$)")
_TAG_TOKEN = re.compile(r"^\S+/[A-Za-z]{1,5}$")
_SPACES = re.compile(r"[ \t\u3000]+")

FORMATS = ("wordtag", "spaces")


def detect_format(lines: list[str]) -> str:
    """"wordtag" when most tokens of the first non-empty lines look like word/tag, else "spaces"."""
    tokens = [tok for line in lines[:200] for tok in line.split()][:2000]
    if not tokens:
        return "spaces"
    tagged = sum(1 for tok in tokens if _TAG_TOKEN.match(tok))
    return "wordtag" if tagged >= 0.8 * len(tokens) else "spaces"


def strip_tags(text: str) -> str:
    """``迈向/v  充满/v`` -> ``迈向  充满`` on a whole chunk at once."""
    return WORD_TAG.sub("", text)


@dataclass
class GoldChunk:
    raw: list[str]  # each line's text with the spaces between words removed
    starts: np.ndarray  # bool over the characters of "".join(raw): a gold word starts here


def parse_gold(lines: list[str], fmt: str) -> GoldChunk:
    """Raw lines and gold word starts of a chunk of gold lines (empty lines stay empty)."""
    text = "\n".join(line.rstrip("\r\n") for line in lines)
    if fmt == "wordtag":
        text = strip_tags(text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(part.strip(" ") for part in text.split("\n")) + "\n"
    cp = code_points(text)
    is_space = cp == 32
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
