"""Learning-rate multipliers as functions of the update count t (0 for the first update).

piecewise_linear follows bert4keras (Su Jianlin, "6个派生优化器", 2019): {step: factor} knots, a knot
(0, 0) prepended when none is given at step 0, linear in between, the last factor held.
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from engines.errors import InputError


def piecewise_linear(t: int, points: Mapping[int, float]) -> float:
    """E.g. {1000: 1, 2000: 0.1}: warm up 0→1 over 1000 steps, fall to 0.1 by step 2000, then hold."""
    if not points:
        raise InputError("a piecewise-linear schedule needs at least one step=factor point")
    knots = sorted((int(k), float(v)) for k, v in points.items())
    if knots[0][0] != 0:
        knots.insert(0, (0, 0.0))
    steps, factors = zip(*knots)
    return float(np.interp(t, steps, factors))


def warmup(t: int, steps: int) -> float:
    """Linear warm-up 0→1 over ``steps`` updates (piecewise_linear with {steps: 1})."""
    return min(1.0, t / steps) if steps > 0 else 1.0


def cosine(t: int, steps: int, floor: float = 0.0) -> float:
    """Cosine decay 1→``floor`` over ``steps`` updates (Loshchilov & Hutter 2017, no restarts), then hold."""
    frac = min(t, steps) / steps if steps > 0 else 1.0
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * frac))
