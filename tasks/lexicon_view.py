"""The lexicon as a table users sort and search: its rows as columns, and which rows show in which order.

Everything here is numpy over columns, run in a job off the GUI thread: the table widget only reads
cells of the rows on screen. Sorting is stable (ties keep the lexicon's order, most frequent first);
the search is a Python regular expression matched anywhere in the word as written (``#年``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import numpy as np

from engines.errors import InputError

if TYPE_CHECKING:
    from engines.segment.lexicon import LexiconRow

FIELDS = ("word", "unit_class", "count", "candidates", "score", "length", "new", "in_base")  # the columns, in table order
MAX_PATTERN = 500  # characters of a search pattern


@dataclass(frozen=True)
class LexiconColumns:
    """The lexicon's rows as columns; ``ranks`` holds each text column's sort rank (ties share one)."""

    word: np.ndarray  # str objects, in the class notation
    unit_class: np.ndarray  # str objects: "number", "latin", "" ...
    count: np.ndarray  # int64: occurrences in the segmented text
    candidates: np.ndarray  # int64: pieces of the cut pass
    score: np.ndarray  # float64 (+inf for words that cannot be split)
    length: np.ndarray  # int64
    new: np.ndarray  # bool
    ranks: dict
    in_base: np.ndarray | None = None  # int64: occurrences in a base corpus (-1: none given)

    def __len__(self) -> int:
        return len(self.word)

    @classmethod
    def from_rows(cls, rows: list["LexiconRow"]) -> "LexiconColumns":
        words = np.array([r.word for r in rows], dtype=object)
        classes = np.array([r.unit_class for r in rows], dtype=object)
        ranks = {name: np.unique(values.astype(str), return_inverse=True)[1].reshape(-1) if len(values) else
                 np.zeros(0, np.int64) for name, values in (("word", words), ("unit_class", classes))}
        return cls(words, classes, np.array([r.count for r in rows], np.int64),
                   np.array([r.candidates for r in rows], np.int64), np.array([r.score for r in rows], np.float64), np.array([r.length for r in rows], np.int64),
                   np.array([r.new for r in rows], bool), ranks, np.array([r.in_base for r in rows], np.int64))

    def key(self, name: str) -> np.ndarray:
        """The values a column sorts by."""
        if name not in FIELDS:
            raise InputError(f"sort by one of {', '.join(FIELDS)}, not {name!r}")
        return self.ranks[name] if name in self.ranks else getattr(self, name)


@dataclass(frozen=True)
class Arrangement:
    """How the table shows the lexicon: the column it is sorted by, the direction, a search pattern and
    whether only new words (absent from the reference dictionary) show."""

    sort_by: str = "count"
    descending: bool = True
    pattern: str = ""
    only_new: bool = False


def search(pattern: str) -> Optional[re.Pattern]:
    """The compiled search (None for an empty pattern); a pattern that does not compile is an InputError
    that says why."""
    text = pattern.strip()
    if not text:
        return None
    if len(text) > MAX_PATTERN:
        raise InputError(f"search: a pattern has at most {MAX_PATTERN} characters, this one {len(text)}")
    try:
        return re.compile(text)
    except re.error as exc:
        raise InputError(f"search: not a regular expression ({exc})") from None


def arrange(columns: LexiconColumns, how: Arrangement) -> np.ndarray:
    """Indices of the rows shown, in the order shown (int64)."""
    keep = np.ones(len(columns), bool) if not how.only_new else columns.new.copy()
    compiled = search(how.pattern)
    if compiled is not None:
        words = columns.word
        keep &= np.fromiter((compiled.search(w) is not None for w in words), bool, count=len(words))
    key = columns.key(how.sort_by)[keep]
    order = np.argsort(-key if how.descending else key, kind="stable") if key.dtype != bool else \
        np.argsort(~key if how.descending else key, kind="stable")
    return np.flatnonzero(keep)[order]


@dataclass(frozen=True)
class Arranged:
    """An arrangement's result: the columns (built once per lexicon) and the rows shown."""

    columns: LexiconColumns
    how: Arrangement
    order: np.ndarray


def arrange_job(reporter, rows: list["LexiconRow"], columns: Optional[LexiconColumns], how: Arrangement) -> Arranged:
    """Job: the columns of ``rows`` (unless given) and the rows shown for ``how``."""
    reporter.progress(None, "arranging the lexicon")
    columns = LexiconColumns.from_rows(rows) if columns is None else columns
    reporter.check()
    return Arranged(columns, how, arrange(columns, how))
