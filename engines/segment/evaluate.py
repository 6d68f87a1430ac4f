"""Scoring a segmentation against gold by word spans, vectorised over characters.

Both segmentations are boolean "a word starts here" masks over the same characters (spaces and line
breaks removed; every line starts a word). A predicted word is correct when its span is a gold span.
Per line: over-merges (a predicted word that swallows a gold boundary) and over-splits (a gold word cut
inside). OOV recall: recall over the gold words missing from a reference dictionary.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def words_from_starts(cp: np.ndarray, starts: np.ndarray) -> list[str]:
    """The words of characters ``cp`` (no spaces) cut at ``starts``."""
    n = len(cp)
    flags = starts.copy()
    if n:
        flags[0] = False
    # interleave a space before each start
    idx = np.arange(n) + np.cumsum(flags)
    out = np.full(n + int(flags.sum()), 32, np.int64)
    out[idx] = cp
    text = np.ascontiguousarray(out.astype(np.uint32)).tobytes().decode("utf-32-le")
    return text.split(" ")


def join_lines(cp: np.ndarray, starts: np.ndarray, line_of: np.ndarray, n_lines: int) -> list[str]:
    """Lines of words separated by single spaces (``line_of``: each character's line, never decreasing)."""
    n = len(cp)
    if n == 0:
        return [""] * n_lines
    new_line = np.r_[True, line_of[1:] != line_of[:-1]]
    space = starts & ~new_line
    nl = new_line.copy()
    nl[0] = False
    extra = space.astype(np.int64) + nl.astype(np.int64)
    idx = np.arange(n) + np.cumsum(extra)
    out = np.full(n + int(extra.sum()), 32, np.uint32)
    out[idx] = cp
    out[(idx - 1)[nl]] = 10
    lines = out.tobytes().decode("utf-32-le").split("\n")
    if len(lines) == n_lines:  # no line without characters
        return lines
    # lines with no characters: put the empty lines back
    present = line_of[new_line]
    full = [""] * n_lines
    for k, line in zip(present.tolist(), lines):
        full[k] = line
    return full


@dataclass
class Scores:
    gold_words: int = 0
    pred_words: int = 0
    correct: int = 0
    oov_words: int = 0
    oov_recalled: int = 0
    over_merge: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # per line
    over_split: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def add(self, other: "Scores") -> "Scores":
        return Scores(self.gold_words + other.gold_words, self.pred_words + other.pred_words,
                      self.correct + other.correct, self.oov_words + other.oov_words,
                      self.oov_recalled + other.oov_recalled,
                      np.r_[self.over_merge, other.over_merge], np.r_[self.over_split, other.over_split])

    @property
    def precision(self) -> float:
        return self.correct / self.pred_words if self.pred_words else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold_words if self.gold_words else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def oov_recall(self) -> float | None:
        return self.oov_recalled / self.oov_words if self.oov_words else None

    def as_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1, "oov_recall": self.oov_recall,
                "gold_words": self.gold_words, "predicted_words": self.pred_words, "correct_words": self.correct,
                "oov_words": self.oov_words, "over_merges": int(self.over_merge.sum()),
                "over_splits": int(self.over_split.sum())}


def _span_hits(starts_a: np.ndarray, starts_b: np.ndarray) -> np.ndarray:
    """For each word of segmentation A (in order): is its span also a word of B?"""
    n = len(starts_a)
    b_ext = np.r_[starts_b, True]
    cb = np.r_[0, np.cumsum(starts_b)]
    a_pos = np.flatnonzero(starts_a)
    a_end = np.r_[a_pos[1:], n]
    inside = cb[a_end] - cb[a_pos + 1]  # B starts strictly inside (a, end)
    return b_ext[a_pos] & b_ext[a_end] & (inside == 0)


def score(pred: np.ndarray, gold: np.ndarray, line_of: np.ndarray, n_lines: int,
          oov_mask: np.ndarray | None = None) -> Scores:
    """Scores of word-start masks ``pred`` and ``gold`` over the same characters.

    ``line_of[i]`` is the line of character i (lines must start words in both); ``oov_mask`` flags each
    gold word (in order) that is out of the reference vocabulary.
    """
    pred = pred.astype(bool)
    gold = gold.astype(bool)
    new_line = np.r_[True, line_of[1:] != line_of[:-1]] if len(line_of) else np.zeros(0, bool)
    pred = pred | new_line
    gold = gold | new_line
    hits_p = _span_hits(pred, gold)
    hits_g = _span_hits(gold, pred)
    scores = Scores(int(gold.sum()), int(pred.sum()), int(hits_p.sum()))
    if oov_mask is not None and len(oov_mask) == len(hits_g):
        scores.oov_words = int(oov_mask.sum())
        scores.oov_recalled = int((hits_g & oov_mask).sum())
    # over-merge: a predicted word with a gold start strictly inside; over-split: the reverse
    cg = np.r_[0, np.cumsum(gold)]
    cp_ = np.r_[0, np.cumsum(pred)]
    n = len(pred)
    p_pos = np.flatnonzero(pred)
    p_end = np.r_[p_pos[1:], n]
    merged = (cg[p_end] - cg[p_pos + 1]) > 0
    g_pos = np.flatnonzero(gold)
    g_end = np.r_[g_pos[1:], n]
    split = (cp_[g_end] - cp_[g_pos + 1]) > 0
    scores.over_merge = np.bincount(line_of[p_pos[merged]], minlength=n_lines).astype(np.int64)
    scores.over_split = np.bincount(line_of[g_pos[split]], minlength=n_lines).astype(np.int64)
    return scores
