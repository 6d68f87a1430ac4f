"""Overlapping trajectories kept apart by the eye: an optimizer drawn earlier gets a wider line, so one drawn
later along the same path leaves the earlier colour showing as a rim; each optimizer marks where it was
every k steps with its own symbol (two runs down one valley show who was where when) and ends on that
symbol, larger."""
from __future__ import annotations

import math

import numpy as np

SYMBOLS = ("o", "s", "t", "d", "t1", "p", "h", "star")  # one per optimizer, cycling like the palette
WIDEN_PX = 1.5  # each optimizer drawn before another is this much wider ...
WIDEN_LEVELS = 3  # ... for at most this many optimizers drawn after it
MARKS = 10  # about this many step marks along a path


def symbol(index: int) -> str:
    """The marker symbol of the ``index``-th optimizer."""
    return SYMBOLS[index % len(SYMBOLS)]


def line_width(index: int, count: int, base: float) -> float:
    """Pen width of the ``index``-th of ``count`` optimizers (drawn in that order, later on top)."""
    return base + WIDEN_PX * min(count - 1 - index, WIDEN_LEVELS)


def mark_every(last_step: int, marks: int = MARKS) -> int:
    """A round step interval (1, 2 or 5 × 10^k) that puts about ``marks`` marks on ``last_step`` steps."""
    if last_step <= marks:
        return 1
    raw = last_step / marks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def mark_indices(steps: np.ndarray, every: int) -> np.ndarray:
    """Indices into the recorded ``steps`` of the steps every, 2·every, ... (the nearest recorded step
    at or after each multiple when the recording is thinned), without step 0."""
    steps = np.asarray(steps)
    if not len(steps) or every <= 0:
        return np.zeros(0, int)
    wanted = np.arange(every, int(steps[-1]) + 1, every)
    return np.unique(np.minimum(np.searchsorted(steps, wanted), len(steps) - 1))
