"""The landscape-smoothness measures of Santurkar, Tsipras, Ilyas & Madry 2018, "How Does Batch
Normalization Help Optimization?" (§3.1, Fig. 4): at a training step with weights θ, gradient g = ∇L(θ) and
learning rate η, move along the gradient by step sizes s in a range around η and measure

- the loss variation: max_s L(θ − s·g) − min_s L(θ − s·g) (s = 0 included);
- the gradient predictiveness: ‖∇L(θ) − ∇L(θ − η·g)‖ (how far the gradient changes over one step);
- the effective β-smoothness: max_s ‖∇L(θ) − ∇L(θ − s·g)‖ / ‖s·g‖.

With BatchNorm all three are smaller (a smoother landscape). Here the loss is a fixed probe of a few
hundred training samples, the network in training mode (BatchNorm normalises with the probe's own
statistics, as during training; its running statistics are left untouched), at each snapshot of a run.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor
from torch.func import functional_call

from engines.device import DeviceLike, as_device
from engines.errors import InputError
from engines.jobs import Reporter
from engines.landscape.curvature import base_lr
from engines.landscape.registry import Registry
from engines.landscape.training import TrainingRun

SCALES = (0.25, 0.5, 1.0, 2.0, 4.0)  # step sizes s as multiples of the learning rate η (1 must be one)
PROBE = 256  # training samples the measures are taken on


@dataclass(frozen=True)
class SmoothnessAt:
    """The three measures at one point (NaN where the loss or a gradient was not finite)."""

    loss_range: float
    gradient_change: float
    beta_smoothness: float


@dataclass(frozen=True)
class SmoothnessAlongRun:
    """The measures at the snapshots after ``steps[i]`` updates of a run (NaN where not computed yet),
    with the learning rate ``lr`` and step sizes ``lr · scales`` they were taken with."""

    steps: np.ndarray
    loss_range: np.ndarray
    gradient_change: np.ndarray
    beta_smoothness: np.ndarray
    lr: float
    scales: tuple[float, ...]


def smoothness_at(loss: Callable[[list[Tensor]], Tensor], params: Sequence[Tensor], lr: float,
                  scales: Sequence[float] = SCALES) -> SmoothnessAt:
    """The three measures of Santurkar et al. at ``params`` for ``loss(values)`` (a scalar), along its
    gradient, with step sizes ``lr · scales`` (``scales`` must hold 1: the gradient predictiveness is
    taken at the step η·g)."""
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise InputError(f"the learning rate must be a positive number, got {lr!r}")
    if 1.0 not in scales or any(not (s > 0) for s in scales):
        raise InputError(f"the step-size scales must be positive and include 1, got {tuple(scales)!r}")
    value, grad = _value_and_grad(loss, [p.detach() for p in params])
    g_norm = math.sqrt(sum(float(g.double().square().sum()) for g in grad))
    values, changes, ratios = [value], {}, []
    for scale in scales:
        step = lr * scale
        moved_value, moved_grad = _value_and_grad(loss, [p.detach() - step * g for p, g in zip(params, grad)])
        change = math.sqrt(sum(float((a.double() - b.double()).square().sum()) for a, b in zip(grad, moved_grad)))
        values.append(moved_value)
        changes[scale] = change
        ratios.append(change / (step * g_norm) if g_norm > 0 else 0.0)
    finite = all(math.isfinite(v) for v in values) and all(math.isfinite(c) for c in changes.values())
    if not finite:
        return SmoothnessAt(math.nan, math.nan, math.nan)
    return SmoothnessAt(max(values) - min(values), changes[1.0], max(ratios))


def smoothness_along_run(
    reporter: Reporter,
    registry: Registry,
    run: TrainingRun,
    indices: Sequence[int] | None = None,
    lr: float | None = None,
    scales: Sequence[float] = SCALES,
    probe: int = PROBE,
    device: DeviceLike = None,
) -> SmoothnessAlongRun:
    """Job: :func:`smoothness_at` at snapshots ``indices`` of ``run`` (default all) on ``probe`` training
    samples (a fixed draw seeded by the run's seed), ``lr`` defaulting to the base lr of the run's spec.
    Streams partial results; cancellable between snapshots."""
    chosen = list(range(len(run.snapshots))) if indices is None else list(indices)
    if not chosen or any(not -len(run.snapshots) <= i < len(run.snapshots) for i in chosen):
        raise InputError(f"snapshot indices must lie in 0..{len(run.snapshots) - 1}, got {chosen!r}")
    rate = base_lr(run.optimizer) if lr is None else float(lr)
    dev = as_device(device)
    model = run.model(registry).to(dev).train()  # BatchNorm: the probe's own statistics, as in training
    task = run.task(registry)
    order = torch.randperm(len(task.train), generator=torch.Generator().manual_seed(run.seed))
    data = task.train.take(order[:probe]).to(dev)
    names = [k for k, p in model.named_parameters() if p.requires_grad]
    steps = np.array([run.snapshot_steps[i] for i in chosen])
    measures = np.full((3, len(chosen)), np.nan)
    result = SmoothnessAlongRun(steps, *measures.copy(), rate, tuple(scales))
    for n, i in enumerate(chosen):
        reporter.check()
        state = {k: v.to(dev) for k, v in run.snapshots[i].items()}
        buffers = {k: v for k, v in state.items() if k not in names}

        def loss(values: list[Tensor], buffers: dict[str, Tensor] = buffers) -> Tensor:
            fresh = {k: v.clone() for k, v in buffers.items()}  # BatchNorm's running statistics stay as saved
            return task.loss_fn(functional_call(model, ({**dict(zip(names, values)), **fresh}), data.inputs),
                                data.targets)

        at = smoothness_at(loss, [state[k] for k in names], rate, scales)
        measures[:, n] = (at.loss_range, at.gradient_change, at.beta_smoothness)
        result = SmoothnessAlongRun(steps, *measures.copy(), rate, tuple(scales))
        reporter.partial(result)
        reporter.progress((n + 1) / len(chosen), f"smoothness at step {steps[n]} ({n + 1}/{len(chosen)})")
    return result


def _value_and_grad(loss: Callable[[list[Tensor]], Tensor], values: list[Tensor]) -> tuple[float, list[Tensor]]:
    leaves = [v.detach().requires_grad_(True) for v in values]
    with torch.enable_grad():
        out = loss(leaves)
        grads = torch.autograd.grad(out, leaves, allow_unused=True, materialize_grads=True)
    return float(out.detach()), [g.detach() for g in grads]
