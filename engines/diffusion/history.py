"""A training run's loss curve as a checkpoint keeps it: the mean loss over equal windows of steps, small
enough for the JSON config (at most :data:`POINTS` numbers) and checked like any other config field when read."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import numpy as np

from engines.errors import InputError

POINTS = 300  # numbers kept for a whole run
MAX_STEPS = 10**9


@dataclass(frozen=True)
class LossHistory:
    every: int  # steps per window
    mean: np.ndarray  # (windows,) mean loss of each window; the last one may be shorter
    steps: int  # steps of the whole run

    @property
    def step(self) -> np.ndarray:
        """The last step of each window (1-based), for the x axis."""
        return np.minimum(self.every * np.arange(1, len(self.mean) + 1), self.steps)

    def to_json(self) -> dict[str, Any]:
        return {"every": self.every, "steps": self.steps, "mean": [float(f"{v:.6g}") for v in self.mean]}


def summarise(losses: np.ndarray, points: int = POINTS) -> LossHistory:
    """The per-step ``losses`` as the means of at most ``points`` windows of equal length."""
    losses = np.asarray(losses, np.float64)
    every = max(1, math.ceil(len(losses) / points))
    windows = [losses[i:i + every].mean() for i in range(0, len(losses), every)]
    return LossHistory(every, np.asarray(windows), len(losses))


def read_history(train: Any, source: str) -> Optional[LossHistory]:
    """The ``loss_history`` of a checkpoint's ``train`` section; None when it has none; InputError naming the
    checkpoint when the field is malformed."""
    if not isinstance(train, Mapping) or "loss_history" not in train:
        return None
    h = train["loss_history"]
    fields = (h.get("every"), h.get("steps"), h.get("mean")) if isinstance(h, Mapping) else (None, None, None)
    every, steps, mean = fields
    ok = (isinstance(every, int) and isinstance(steps, int) and isinstance(mean, list)
          and 1 <= every <= steps <= MAX_STEPS and 1 <= len(mean) <= POINTS and len(mean) == math.ceil(steps / every)
          and all(isinstance(v, (int, float)) and math.isfinite(v) for v in mean))
    if not ok:
        raise InputError(f"{source}: its config's train.loss_history is malformed (expected every ≥ 1, steps ≥ every "
                         f"and one finite mean per window, at most {POINTS})")
    return LossHistory(every, np.asarray(mean, np.float64), steps)
