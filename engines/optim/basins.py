"""Basins of attraction: which minimum an optimizer reaches from every start on a grid, and how fast.

All n² starts run as one batch (see :mod:`engines.optim.trajectories`); a start belongs to minimum m
when its final point lies within ``tol`` of m.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engines.device import DeviceLike, as_device
from engines.errors import InputError
from engines.jobs import Reporter
from engines.optim.spec import OptimizerSpec
from engines.optim.surfaces import Surface
from engines.optim.trajectories import Batch, drive


@dataclass
class BasinMap:
    """Row i ↔ ys[i], column j ↔ xs[j] (as ``Surface.grid``)."""

    xs: np.ndarray  # (n,)
    ys: np.ndarray  # (n,)
    minimum_index: np.ndarray  # (n, n) index into surface.minima; -1: none reached or diverged
    steps_to_reach: np.ndarray  # (n, n) first step within tol of a minimum; -1 if never
    final_loss: np.ndarray  # (n, n)
    diverged: np.ndarray  # (n, n) bool
    steps_done: int = 0


def _grid(t: torch.Tensor, n: int) -> np.ndarray:
    return t.reshape(n, n).cpu().numpy()


def basin_map(
    reporter: Reporter,
    surface: Surface,
    spec: OptimizerSpec,
    n: int = 256,
    steps: int = 1000,
    tol: float = 0.05,
    device: DeviceLike = "cpu",
    dtype: torch.dtype = torch.float32,
    bbox_scale: float = 10.0,
) -> BasinMap:
    """Run ``spec`` from an n × n grid of starts covering the bounds; streams partial :class:`BasinMap`s."""
    if n < 1 or steps < 0 or not tol > 0:
        raise InputError("basin map needs n ≥ 1, steps ≥ 0 and tol > 0")
    dev = as_device(device)
    (x0, x1), (y0, y1) = surface.bounds
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    Y, X = np.meshgrid(ys, xs, indexing="ij")
    starts = torch.as_tensor(np.stack([X.ravel(), Y.ravel()], -1), dtype=dtype, device=dev)
    batch = Batch(surface, [spec], starts, bbox_scale=bbox_scale)
    minima = torch.tensor(surface.minima, dtype=dtype, device=dev).reshape(-1, 2)
    reached = torch.full((n * n,), -1, dtype=torch.long, device=dev)
    P = batch.P[0]

    def nearest() -> tuple[torch.Tensor, torch.Tensor]:
        """(index of the nearest minimum, its squared distance) per trajectory."""
        if len(minima) == 0:
            return torch.full((n * n,), -1, dtype=torch.long, device=dev), torch.full((n * n,), float("inf"), device=dev)
        d2 = torch.stack([torch.sub(P, m).square_().sum(-1) for m in minima])
        best, idx = d2.min(0)
        return idx, best

    def on_step(i: int) -> None:
        if len(minima):
            near = (torch.sub(P, minima[0]).square_().sum(-1) <= tol * tol)
            for m in minima[1:]:
                near |= torch.sub(P, m).square_().sum(-1) <= tol * tol
            reached.masked_fill_(near & (reached < 0), i)

    def snapshot(i: int) -> BasinMap:
        idx, d2 = nearest()
        dead = batch.dead[0]
        index = torch.where((d2 <= tol * tol) & ~dead, idx, -1)
        loss = batch.loss()[0]
        steps_to = torch.where(dead, -1, reached)
        return BasinMap(xs, ys, *(_grid(t, n) for t in (index, steps_to, loss, dead)), steps_done=i)

    on_step(0)
    drive(reporter, batch, steps, on_step=on_step, on_emit=lambda i: reporter.partial(snapshot(i)))
    return snapshot(steps)
