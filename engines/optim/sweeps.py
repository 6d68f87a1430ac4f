"""Hyperparameter sweeps: final loss (or steps to tolerance) over a grid of two hyperparameters, run as
one batch with tensor-valued hyperparameters (one trajectory per grid cell, all from the same start).

Parameter names are base-optimizer hyperparameters ("lr", "momentum", ...) or a tuple component such
as "betas.0". On the quadratic, :mod:`engines.optim.quadratic` predicts the heavy-ball rates.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence, Union

import numpy as np
import torch
from torch import Tensor

from engines.device import DeviceLike, as_device
from engines.errors import InputError
from engines.jobs import Reporter
from engines.optim.catalogue import OPTIMIZERS
from engines.optim.spec import OptimizerSpec
from engines.optim.surfaces import Surface
from engines.optim.trajectories import Batch, drive

METRICS = ("final_loss", "steps_to_tol")


@dataclass
class SweepResult:
    """values[i, j] belongs to (x_values[j], y_values[i]); NaN where diverged (or tol never reached)."""

    x_param: str
    x_values: np.ndarray  # (nx,)
    y_param: str
    y_values: np.ndarray  # (ny,)
    values: np.ndarray  # (ny, nx)
    metric: str
    diverged: np.ndarray  # (ny, nx) bool
    steps_done: int = 0


def with_hyper(spec: OptimizerSpec, name: str, value: Union[float, Tensor]) -> OptimizerSpec:
    """A copy of ``spec`` with hyperparameter ``name`` (or tuple component ``name.i``) set to ``value``."""
    defaults = OPTIMIZERS[spec.name].defaults() if spec.name in OPTIMIZERS else {}
    key, _, index = name.partition(".")
    if key not in defaults:
        raise InputError(f"{spec.name} has no hyperparameter {key!r}; known: {', '.join(defaults)}")
    hyper = dict(spec.hyper)
    if index:
        current = hyper.get(key, defaults[key])
        if not isinstance(current, tuple) or not index.isdigit() or int(index) >= len(current):
            raise InputError(f"{name!r} does not name a component of {key!r}")
        value = tuple(value if i == int(index) else v for i, v in enumerate(current))
    hyper[key] = value
    return dataclasses.replace(spec, hyper=hyper)


def sweep(
    reporter: Reporter,
    surface: Surface,
    spec: OptimizerSpec,
    x_param: str,
    x_values: Sequence[float],
    y_param: str,
    y_values: Sequence[float],
    start: tuple[float, float],
    steps: int,
    metric: str = "final_loss",
    tol: float = 1e-6,
    device: DeviceLike = "cpu",
    dtype: torch.dtype = torch.float64,
    bbox_scale: float = 10.0,
) -> SweepResult:
    """Run ``spec`` from ``start`` for every (x, y) hyperparameter pair in one batch.

    ``steps_to_tol``: first step with loss − f* ≤ tol (f* the lowest known minimum, else 0)."""
    if metric not in METRICS:
        raise InputError(f"unknown metric {metric!r}; choose {' or '.join(METRICS)}")
    if x_param == y_param:
        raise InputError("choose two different hyperparameters")
    dev = as_device(device)
    xv, yv = np.asarray(x_values, dtype=float), np.asarray(y_values, dtype=float)
    if xv.ndim != 1 or yv.ndim != 1 or not len(xv) or not len(yv):
        raise InputError("sweep values must be non-empty lists of numbers")
    Yg, Xg = np.meshgrid(yv, xv, indexing="ij")
    column = {name: torch.as_tensor(g.reshape(-1, 1), dtype=dtype, device=dev) for name, g in ((x_param, Xg), (y_param, Yg))}
    batched = with_hyper(with_hyper(spec, x_param, column[x_param]), y_param, column[y_param])
    starts = torch.as_tensor(np.asarray(start, dtype=float), dtype=dtype, device=dev).reshape(1, 2).repeat(Xg.size, 1)
    batch = Batch(surface, [batched], starts, bbox_scale=bbox_scale)
    f_star = float(surface.fn(torch.tensor(surface.minima, dtype=torch.float64)).min()) if surface.minima else 0.0
    first = torch.full((Xg.size,), -1, dtype=torch.long, device=dev)
    shape = Xg.shape

    def on_step(i: int) -> None:
        if metric == "steps_to_tol":
            hit = (batch.loss()[0] - f_star <= tol) & ~batch.dead[0]
            first.masked_fill_(hit & (first < 0), i)

    def snapshot(i: int) -> SweepResult:
        dead = batch.dead[0]
        if metric == "final_loss":
            values = batch.loss()[0].to(torch.float64)
        else:
            values = torch.where(first >= 0, first.to(torch.float64), float("nan"))
        values = torch.where(dead, float("nan"), values)
        return SweepResult(x_param, xv, y_param, yv, values.reshape(shape).cpu().numpy(), metric,
                           dead.reshape(shape).cpu().numpy(), i)

    on_step(0)
    drive(reporter, batch, steps, on_step=on_step, on_emit=lambda i: reporter.partial(snapshot(i)))
    return snapshot(steps)
