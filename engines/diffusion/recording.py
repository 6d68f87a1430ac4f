"""Frames of a sampling run, one per model call, without a device→host copy per call.

:class:`FrameRecorder` is the samplers' ``record`` callback: it writes x (shown in VP scale,
x/√(a²+b²), so every sampler's frames are comparable) and x̂0 into a buffer on the model's device and
copies the buffer to host memory in one transfer every ``chunk`` calls (and at :meth:`finish`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
from torch import Tensor


@dataclass
class Frames:
    """x_t (VP scale) and x̂0 per model call: (calls, N, *shape) each; σ per call."""

    x: np.ndarray
    x0: np.ndarray
    sigma: np.ndarray

    def __len__(self) -> int:
        return len(self.sigma)


class FrameRecorder:
    def __init__(self, keep: Optional[int] = None, chunk: int = 32) -> None:
        self.keep = keep  # record the first ``keep`` samples of the batch (None: all)
        self.chunk = max(1, int(chunk))
        self.sigmas: list[float] = []
        self._host_x: list[np.ndarray] = []
        self._host_x0: list[np.ndarray] = []
        self._buf_x: Optional[Tensor] = None
        self._buf_x0: Optional[Tensor] = None
        self._fill = 0

    def __call__(self, x: Tensor, a: float, b: float, x0: Tensor) -> None:
        if self.keep is not None:
            x, x0 = x[: self.keep], x0[: self.keep]
        if self._buf_x is None:
            self._buf_x = torch.empty((self.chunk, *x.shape), dtype=x.dtype, device=x.device)
            self._buf_x0 = torch.empty_like(self._buf_x)
        norm = math.hypot(a, b)
        torch.mul(x, 1.0 / norm, out=self._buf_x[self._fill])
        self._buf_x0[self._fill].copy_(x0)
        self.sigmas.append(b / a if a > 0 else math.inf)
        self._fill += 1
        if self._fill == self.chunk:
            self.flush()

    def flush(self) -> None:
        """Copy the buffered frames to host memory in one transfer per array."""
        if self._fill:
            n = self._fill
            self._host_x.append(self._buf_x[:n].to("cpu", copy=True).numpy())
            self._host_x0.append(self._buf_x0[:n].to("cpu", copy=True).numpy())
            self._fill = 0

    @property
    def calls(self) -> int:
        return len(self.sigmas)

    def frames(self) -> Frames:
        """Everything recorded so far (flushes first)."""
        self.flush()
        if not self._host_x:
            return Frames(np.zeros((0,)), np.zeros((0,)), np.zeros(0))
        return Frames(np.concatenate(self._host_x), np.concatenate(self._host_x0), np.asarray(self.sigmas, np.float64))
