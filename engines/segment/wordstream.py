"""A segmented corpus as one stream of word ids: what the template finder and the parser read.

Lines come as lists of words (or strings of words separated by spaces, as ``segmented.txt`` holds them).
A clause is a run of words between punctuation tokens (tokens with no letter, digit or CJK character);
templates never reach across a clause or a line.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from engines.jobs import Reporter


def is_punctuation(word: str) -> bool:
    """A token that separates clauses: no character of it is a letter, a digit or a CJK character."""
    return not any(ch.isalnum() for ch in word)


@dataclass
class WordStream:
    """Word ids of every token in line order, each token's clause (-1: a punctuation token), where each
    line starts (``line_start[k]``; one more entry, the end), the vocabulary and the characters read."""

    ids: np.ndarray
    clause: np.ndarray
    line_start: np.ndarray
    vocab: list[str]
    n_chars: int
    truncated: bool  # the token cap was reached: the lines after ``n_lines`` were not read

    @property
    def n_lines(self) -> int:
        return len(self.line_start) - 1

    def line_words(self, k: int) -> list[str]:
        return [self.vocab[i] for i in self.ids[self.line_start[k]: self.line_start[k + 1]].tolist()]


def read_stream(reporter: Reporter, lines: Iterable[str | list[str]], max_tokens: int) -> WordStream:
    """The stream of ``lines`` (word lists or space-separated strings), read until ``max_tokens`` tokens
    (a line that would pass the cap is not read, nor any after it)."""
    index: dict[str, int] = {}
    vocab: list[str] = []
    ids: list[int] = []
    clause: list[int] = []
    starts = [0]
    n_chars = 0
    n_clause = 0
    truncated = False
    for k, line in enumerate(lines):
        if k % 200 == 0:
            reporter.check()
        words = line.split() if isinstance(line, str) else [w for w in line if w and not w.isspace()]
        if len(ids) + len(words) > max_tokens:
            truncated = True
            break
        open_clause = False
        for w in words:
            i = index.get(w)
            if i is None:
                i = index[w] = len(vocab)
                vocab.append(w)
            ids.append(i)
            n_chars += len(w)
            if is_punctuation(w):
                clause.append(-1)
                open_clause = False
            else:
                if not open_clause:
                    n_clause += 1
                    open_clause = True
                clause.append(n_clause - 1)
        starts.append(len(ids))
    return WordStream(np.asarray(ids, np.int64), np.asarray(clause, np.int64), np.asarray(starts, np.int64),
                      vocab, n_chars, truncated)
