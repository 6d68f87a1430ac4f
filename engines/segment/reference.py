"""A supervised reference: jieba's dictionary (what counts as a "new" word, and the OOV words of the
recall) and jieba itself (dictionary + HMM) as the baseline to compare with, on the same lines."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from engines.errors import InputError
from engines.segment.counted import Chunk, Counted, WholeLines, iter_chunks
from engines.segment.evaluate import Scores, score, words_from_starts
from engines.segment.gold import parse_gold


CHECK_LINES = 1 << 14


def reference_dictionary(check: Callable[[], None] | None = None) -> set[str] | None:
    """jieba's dictionary words, when jieba is installed (the reference for "new words" and OOV); ``check``
    (a job's ``reporter.check``) runs every :data:`CHECK_LINES` lines of its 350,000."""
    try:
        import jieba
    except ImportError:
        return None
    import os

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    words = set()
    with open(path, encoding="utf-8") as handle:
        for k, line in enumerate(handle):
            if check is not None and k % CHECK_LINES == 0:
                check()
            word = line.split(" ", 1)[0]
            if word:
                words.add(word)
    return words


def oov_mask(chunk: Chunk, reference: set[str], new_line: np.ndarray) -> np.ndarray:
    """Which gold words of the chunk (in order) are missing from ``reference`` (``new_line`` marks the
    characters that begin a line)."""
    gold_words = words_from_starts(chunk.enc.cp[~chunk.enc.spaces], chunk.gold | new_line)
    return np.fromiter((w not in reference for w in gold_words), bool, len(gold_words))


@dataclass
class Baseline:
    """jieba's scores on the corpus (None without gold) and its time, excluding its start-up."""

    scores: Scores | None
    seconds: float


def jieba_baseline(reporter, counted: Counted, write_line: Callable[[str], None] | None = None,
                   reference: set[str] | None = None) -> Baseline:
    """Job: jieba (supervised dictionary + HMM) on the same lines, scored like the lexicon's segmentation."""
    try:
        import jieba
    except ImportError as exc:
        raise InputError("the jieba baseline needs jieba: pip install jieba") from exc
    import logging

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    total: Scores | None = Scores() if counted.has_gold else None
    seconds = 0.0
    writer = WholeLines(write_line) if write_line is not None else None
    for chunk in iter_chunks(counted):
        reporter.check()
        t0 = time.perf_counter()
        segmented = [" ".join(jieba.cut(line)) for line in chunk.raw]
        seconds += time.perf_counter() - t0
        if writer is not None:
            writer.write(segmented, chunk.open_end)
        if total is not None and chunk.gold is not None:
            parsed = parse_gold(segmented, "spaces")
            line_of = chunk.line_of()
            if len(parsed.starts) == len(chunk.gold):
                oov = None
                if reference is not None:
                    oov = oov_mask(chunk, reference, np.r_[True, line_of[1:] != line_of[:-1]])
                total = total.add(score(parsed.starts, chunk.gold, line_of, chunk.n_lines, oov))
    return Baseline(total, seconds)
