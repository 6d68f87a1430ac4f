"""The memory the n-gram counts may take: half of what this process can still allocate
(:func:`engines.budget.available_bytes`), the rest left for everything else the pipeline holds.

Counting stops with a message once merging its tables would need more (text so varied that its distinct
n-grams approach its length is no corpus of words: random data, or a mix of scripts and codes).
"""
from __future__ import annotations

from engines import budget

MERGE_FACTOR = 4  # a merge holds the tables and their merged copies (twice their size), with room to spare


def counting_budget() -> int:
    """Bytes the n-gram counting may take at its peak (half of the available memory)."""
    return int(budget.SHARE * budget.available_bytes())
