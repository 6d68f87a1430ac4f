"""1-D linear interpolation between two weight vectors (Goodfellow, Vinyals & Saxe 2015, "Qualitatively
Characterizing Neural Network Optimization Problems"): the loss and metric (e.g. accuracy) of
θ(t) = (1−t)·θ_a + t·θ_b on the training and held-out splits, for t on a grid (t < 0 and t > 1 extrapolate).

Points of the line are evaluated in chunks, each one vmapped ``functional_call`` over stacked weights (as
:mod:`engines.landscape.planes` does for planes).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn
from torch.func import functional_call, vmap

from engines.checkpoints import match_state_dict
from engines.device import DeviceLike, as_device
from engines.errors import InputError
from engines.jobs import Reporter, Throttle
from engines.landscape.batched import mean_over_data
from engines.landscape.planes import DEFAULT_MEMORY, auto_batch_points
from engines.landscape.registry import Task
from engines.threads import step_threads

T_RANGE = (-0.5, 1.5)
MAX_POINTS = 10_001


@dataclass(frozen=True)
class Interpolation:
    """Values at each ``t`` (NaN where not evaluated yet, in a partial result; ``done`` points are).
    The metric arrays are NaN throughout when the task has no metric."""

    t: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    train_metric: np.ndarray
    test_metric: np.ndarray
    metric_name: str
    done: int

    @property
    def nonfinite_t(self) -> np.ndarray:
        """The evaluated t at which a loss is not finite (overflow far from both end points)."""
        evaluated = np.arange(len(self.t)) < self.done
        bad = ~(np.isfinite(self.train_loss) & np.isfinite(self.test_loss))
        return self.t[evaluated & bad]


def interpolate(
    reporter: Reporter,
    model: nn.Module,
    task: Task,
    state_a: Mapping[str, Tensor],
    state_b: Mapping[str, Tensor],
    n: int = 41,
    t_range: tuple[float, float] = T_RANGE,
    device: DeviceLike = None,
    batch_points: int | None = None,
    data_batch: int = 4096,
    memory: int = DEFAULT_MEMORY,
) -> Interpolation:
    """Job: loss and metric of θ(t) = (1−t)·θ_a + t·θ_b at ``n`` evenly spaced t in ``t_range``, the model
    in eval mode, on ``task.train`` and ``task.test``.

    ``state_a`` and ``state_b`` are full state dicts of ``model``'s architecture (InputError otherwise).
    Floating-point buffers are interpolated like the weights — BatchNorm's running mean and variance follow
    the same line — while integer buffers (``num_batches_tracked``) are θ_a's. ``batch_points`` points of the
    line per vmapped call (default: as many as fit in ``memory`` bytes), the data in slices of
    ``data_batch``. Streams partial :class:`Interpolation` results; cancellable between chunks."""
    if not isinstance(n, int) or isinstance(n, bool) or not 2 <= n <= MAX_POINTS:
        raise InputError(f"the interpolation needs 2 to {MAX_POINTS} points, got {n!r}")
    lo, hi = (float(v) for v in t_range)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise InputError(f"the t range must be two finite numbers, low < high, got {t_range!r}")
    dev = as_device(device)
    model = copy.deepcopy(model).to(dev).eval()
    a = {k: v.to(dev) for k, v in match_state_dict(model, state_a, "the first state (θ_a)").items()}
    b = {k: v.to(dev) for k, v in match_state_dict(model, state_b, "the second state (θ_b)").items()}
    moving = [k for k, v in a.items() if v.is_floating_point()]
    fixed = {k: v for k, v in a.items() if not v.is_floating_point()}
    t = np.linspace(lo, hi, n)
    splits = (task.train.to(dev), task.test.to(dev))
    if not all(len(s) for s in splits):
        raise InputError("both the training and the held-out split need at least one sample")
    chunk = batch_points or min(auto_batch_points(model, s, data_batch, memory) for s in splits)

    def one(state: dict[str, Tensor], inputs: tuple[Tensor, ...], targets: Tensor) -> Tensor:
        out = functional_call(model, (state, fixed), inputs)
        loss = task.loss_fn(out, targets)
        metric = task.metric(out, targets) if task.metric is not None else loss.new_zeros(())
        return torch.stack([loss, metric.to(loss.dtype)])

    batched = vmap(one, in_dims=(0, None, None))
    values = np.full((2, 2, n), np.nan)  # split (train, test) × (loss, metric) × t
    result = Interpolation(t, *values[:, 0], *values[:, 1], task.metric_name if task.metric else "", 0)
    throttle = Throttle(0.1)
    sample = splits[0].take(slice(0, 1))
    with step_threads(lambda: model(*sample.inputs), chunk * min(len(splits[0]), data_batch), dev):
        for start in range(0, n, chunk):
            reporter.check()
            stop = min(start + chunk, n)
            tt = torch.tensor(t[start:stop], device=dev)
            state = {k: _line(a[k], b[k], tt) for k in moving}
            for i, split in enumerate(splits):
                values[i, :, start:stop] = mean_over_data(batched, state, split, data_batch).cpu().numpy().T
                reporter.check()
            if task.metric is None:
                values[:, 1] = np.nan
            result = Interpolation(t, *values[:, 0].copy(), *values[:, 1].copy(), result.metric_name, stop)
            if throttle() or stop == n:
                reporter.partial(result)
                reporter.progress(stop / n, f"{stop}/{n} points of the line")
    return result


def _line(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """(K, *shape): (1−t)·a + t·b for each t, in a's dtype."""
    tt = t.to(a.dtype).view((-1,) + (1,) * a.dim())
    return a + tt * (b - a)

