"""Small pieces of the sentences and titles Workbench writes."""
from __future__ import annotations


def counted(n: int, noun: str, plural: str = "") -> str:
    """``n`` and ``noun`` in the number ``n`` needs: "1 start", "2 starts", "1,000 steps"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
