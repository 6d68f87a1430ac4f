"""What a reader of the segmented text is shown: each line's predicted words, its gold words, and the
statistic behind every gap (the PMI of the two units across it)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engines.segment.counted import Chunk
from engines.segment.counting import NgramTable, ngram_codes
from engines.segment.evaluate import join_lines


@dataclass
class DisplayLine:
    words: list[str]
    gold: list[str] | None
    gaps: list[float | None]  # PMI of the two units across each gap after a word (None: punctuation/none)


def gap_pmi(chunk: Chunk, table: NgramTable) -> np.ndarray:
    """PMI of each unit with the next one (NaN across separators), per unit position."""
    codes = ngram_codes(chunk.units, 2)
    c1 = table.lookup(1, codes[0]).double().clamp(min=1)
    c2 = table.lookup(2, codes[1]).double()
    right = torch.ones_like(c1)
    right[:-1] = c1[1:]
    total = max(table.total(1), 1)
    pmi = torch.log(total * c2.clamp(min=0.5) / (c1 * right))
    valid = (chunk.units > 0)
    valid[:-1] &= chunk.units[1:] > 0
    valid[-1] = False
    return torch.where(valid, pmi, torch.full_like(pmi, float("nan"))).numpy()


def lines_to_display(chunk: Chunk, pred: np.ndarray, table: NgramTable, limit: int) -> list[DisplayLine]:
    """The first ``limit`` lines of a chunk segmented at ``pred`` (word starts over its non-space
    characters), with the gold words and the PMI across each gap."""
    enc = chunk.enc
    nonspace = ~enc.spaces
    cp = enc.cp[nonspace]
    line_of = chunk.line_of()
    n = min(limit, chunk.n_lines)
    if n <= 0:
        return []
    stop = int(np.searchsorted(line_of, n))
    pred_lines = join_lines(cp[:stop], pred[:stop], line_of[:stop], n)
    gold_lines = join_lines(cp[:stop], chunk.gold[:stop], line_of[:stop], n) if chunk.gold is not None else None
    # gap statistics: PMI between the last unit of a word and the next one, per predicted word start
    pmi_unit = gap_pmi(chunk, table)
    char_index = np.flatnonzero(nonspace)  # compressed index -> char position in enc.cp
    unit_at_char = np.full(len(enc.cp), -1, np.int64)
    unit_at_char[enc.offsets] = np.arange(len(enc.offsets))
    out = []
    starts = np.flatnonzero(pred[:stop])
    by_line = np.split(starts, np.searchsorted(line_of[starts], np.arange(1, n)))
    for k in range(n):
        words = pred_lines[k].split(" ") if pred_lines[k] else []
        gaps: list[float | None] = []
        for s in by_line[k][1:]:
            u = unit_at_char[char_index[s]]
            value = pmi_unit[u - 1] if u > 0 else float("nan")
            gaps.append(None if not np.isfinite(value) else float(value))
        gaps.append(None)
        gold = gold_lines[k].split(" ") if gold_lines is not None and gold_lines[k] else ([] if gold_lines is not None else None)
        out.append(DisplayLine(words, gold, gaps[: len(words)]))
    return out
