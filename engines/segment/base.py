"""A base corpus for a short text: the text's n-gram counts plus a base corpus's (People's Daily, or any
other) times a weight, the lexicon built over both texts (the base's candidate pieces weighted alike), the
text alone segmented; the words of the text the base corpus never writes are its new words.

A short text alone has too few counts to tell 今天 from 今 天 (issue 17: a 50 KB blog); borrowing the
statistics of a large corpus of the same language fixes what is common and leaves what is particular to
the text (its names, its jargon) to its own counts.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from engines.errors import InputError
from engines.segment.counted import Counted
from engines.segment.counting import NgramTable, merge


def scaled(table: NgramTable, weight: float) -> NgramTable:
    """``table`` with every count times ``weight``, rounded (n-grams rounded to 0 leave)."""
    counts = [np.rint(c * weight).astype(np.int64) for c in table.counts]
    return NgramTable([c[k > 0] for c, k in zip(table.codes, counts)], [k[k > 0] for k in counts])


def with_base(text: Counted, base: Counted, weight: float) -> tuple[Counted, Counted]:
    """Two views of the combined counts: the one the lexicon is built on (the base's chunks, weighted, then
    the text's) and the one segmented and scored (the text's chunks alone; it holds the first as ``pooled``,
    which :func:`~engines.segment.build.build_lexicon` reads, and the base's own table as ``base`` to mark
    new words)."""
    for counted in (text, base):
        if counted.chunks is None:
            raise InputError(f"{counted.name} is too large to keep in memory next to a base corpus; read fewer "
                             "lines with --max-lines")
    if base.max_n < text.max_n or base.cnum != text.cnum:
        raise InputError("the base corpus was counted with other settings than the text")
    table = merge([text.table, scaled(base.table, weight)])
    weighted = [replace(chunk, weight=weight) for chunk in base.chunks]
    both = replace(text, table=table, chunks=[*weighted, *text.chunks], n_chars=text.n_chars + base.n_chars,
                   branching=None)
    alone = replace(text, table=table, branching=None, base=base.table, pooled=both, own=text.table)
    return both, alone


def base_counts(rows: np.ndarray, lens: np.ndarray, base: NgramTable) -> np.ndarray:
    """How often the base corpus writes each word (unit rows padded with 0): exact up to the n counted,
    for longer words the least count of their n-grams (at least as many, and 0 when one never occurs)."""
    from engines.segment.lexicon import word_codes

    out = np.zeros(len(lens), np.int64)
    max_n = base.max_n
    for ln in np.unique(lens):
        sel = np.flatnonzero(lens == ln)
        n = min(int(ln), max_n)
        least = None
        for start in range(int(ln) - n + 1):
            counts = base.lookup(n, word_codes(rows[sel, start:start + n]))
            least = counts if least is None else np.minimum(least, counts)
        out[sel] = least
    return out
