"""Which recorded steps to draw when there are too many: every k-th, and always the last."""
from __future__ import annotations

import numpy as np

POINT_BUDGET = 6_000  # points drawn per optimizer: enough for the eye, cheap enough for live redraws


def thinned(paths: int, steps: int, budget: int = POINT_BUDGET) -> np.ndarray:
    """Indices of every k-th of ``steps`` recorded steps (and the last) so that ``paths`` paths keep about
    ``budget`` points in all."""
    stride = max(1, -(-paths * steps // budget))
    return np.unique(np.r_[np.arange(0, steps, stride), steps - 1]) if steps else np.zeros(0, dtype=int)
