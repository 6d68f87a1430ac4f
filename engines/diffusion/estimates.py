"""A mean with a normal-approximation confidence interval: what every likelihood figure is reported as."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054  # the two-sided 95% quantile of the standard normal


@dataclass(frozen=True)
class Estimate:
    """``mean`` ± ``half_width`` (95%), from ``n`` independent values."""

    mean: float
    half_width: float
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def scaled(self, factor: float) -> "Estimate":
        return Estimate(self.mean * factor, abs(self.half_width * factor), self.n)

    def to_json(self) -> dict:
        return {"mean": self.mean, "ci95": [self.low, self.high], "n": self.n}


def estimate(values: np.ndarray) -> Estimate:
    """The mean of ``values`` with the 95% interval mean ± 1.96·s/√n (NaN when a value is not finite)."""
    v = np.asarray(values, np.float64).ravel()
    n = len(v)
    if n == 0 or not np.isfinite(v).all():
        return Estimate(float("nan"), float("nan"), n)
    half = Z95 * float(v.std(ddof=1)) / math.sqrt(n) if n > 1 else float("inf")
    return Estimate(float(v.mean()), half, n)
