"""Curvature of the training loss: the top eigenvalue of its Hessian by power iteration on Hessian-vector
products (double backward, as PyHessian does: Yao et al. 2020), and that eigenvalue at each snapshot of a
training run beside 2/lr, the edge of stability of gradient descent (Cohen et al. 2021, "Gradient Descent
on Neural Networks Typically Occurs at the Edge of Stability": with full-batch GD at lr η the top
eigenvalue rises to about 2/η and hovers there).

The loss is the model's in eval mode (BatchNorm with its running statistics, as the planes use), the mean
over the whole training split, evaluated in slices of ``data_batch`` samples.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn
from torch.func import functional_call

from engines.checkpoints import match_state_dict
from engines.device import DeviceLike, as_device
from engines.errors import InputError
from engines.jobs import Reporter, SpanReporter
from engines.landscape.planes import LossFn
from engines.landscape.registry import Registry, Split
from engines.landscape.training import TrainingRun
from engines.optim.catalogue import OPTIMIZERS
from engines.optim.spec import parse_spec
from engines.threads import BACKWARD_FACTOR, step_threads

MAX_ITERATIONS = 10_000


@dataclass(frozen=True)
class TopEigenvalue:
    """The largest (most positive) Hessian eigenvalue; ``iterations`` Hessian-vector products were used
    (both passes, see :func:`top_eigenvalue`); NaN with ``converged`` False if the loss was not finite."""

    value: float
    iterations: int
    converged: bool


@dataclass(frozen=True)
class CurvatureAlongRun:
    """``top_eigenvalue[i]`` at the snapshot after ``steps[i]`` updates (NaN where not computed yet, in a
    partial result, or where the loss was not finite); ``lr`` the run's base learning rate and
    ``threshold`` = 2/lr, the edge of stability of plain gradient descent."""

    steps: np.ndarray
    top_eigenvalue: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    lr: float
    threshold: float


def top_eigenvalue(
    reporter: Reporter,
    model: nn.Module,
    data: Split,
    loss_fn: LossFn,
    state: Mapping[str, Tensor] | None = None,
    tol: float = 1e-4,
    max_iter: int = 100,
    seed: int = 0,
    device: DeviceLike = None,
    data_batch: int = 4096,
) -> TopEigenvalue:
    """Job: the top eigenvalue of the Hessian of the mean loss over ``data`` at the model's weights (or
    ``state``, a full state dict of its architecture), by power iteration on Hessian-vector products from a
    seeded random start, stopping when the Rayleigh quotient changes by at most ``tol`` relative to it or
    after ``max_iter`` products. Power iteration finds the eigenvalue of largest magnitude; when that is
    negative a second pass on H − λI finds the most positive one. Cancellable between products."""
    if not (isinstance(tol, (int, float)) and 0 < tol < 1):
        raise InputError(f"the tolerance must be in (0, 1), got {tol!r}")
    if not isinstance(max_iter, int) or isinstance(max_iter, bool) or not 1 <= max_iter <= MAX_ITERATIONS:
        raise InputError(f"the iteration cap must be a whole number from 1 to {MAX_ITERATIONS}, got {max_iter!r}")
    if len(data) == 0:
        raise InputError("the Hessian needs at least one training sample")
    dev = as_device(device)
    model = copy.deepcopy(model).to(dev).eval()
    full = match_state_dict(model, state, "the given state") if state is not None else model.state_dict()
    names = [k for k, p in model.named_parameters() if p.requires_grad]
    params = {k: full[k].detach().to(dev).requires_grad_(True) for k in names}
    fixed = {k: v.detach().to(dev) for k, v in full.items() if k not in params}
    data = data.to(dev)

    def hvp(v: list[Tensor]) -> list[Tensor]:
        out = [torch.zeros_like(u) for u in v]
        for start in range(0, len(data), data_batch):
            part = data.take(slice(start, start + data_batch))
            loss = loss_fn(functional_call(model, (params, fixed), part.inputs), part.targets) * (len(part) / len(data))
            grads = torch.autograd.grad(loss, list(params.values()), create_graph=True, materialize_grads=True)
            dot = sum((g * u).sum() for g, u in zip(grads, v))
            if dot.requires_grad:  # else the gradient does not depend on the weights: H = 0 here
                hv = torch.autograd.grad(dot, list(params.values()), materialize_grads=True)
                out = [o + h.detach() for o, h in zip(out, hv)]
        return out

    gen = torch.Generator().manual_seed(seed)
    start = [torch.randn(p.shape, generator=gen, dtype=torch.float64).to(dev, p.dtype) for p in params.values()]
    one = data.take(slice(0, 1))
    with step_threads(lambda: model(*one.inputs), 2 * BACKWARD_FACTOR * min(len(data), data_batch), dev):
        first = _power(reporter, hvp, start, 0.0, tol, max_iter)
        if not first.value < 0:
            return first
        second = _power(reporter, hvp, start, first.value, tol, max_iter)  # top of H − λ₁I, shifted back
        return TopEigenvalue(second.value + first.value, first.iterations + second.iterations, second.converged)


def _power(reporter: Reporter, hvp, start: list[Tensor], shift: float, tol: float, max_iter: int) -> TopEigenvalue:
    """Power iteration on v ↦ Hv − shift·v; the value returned is its Rayleigh quotient."""
    v = _normalised(start)
    previous = math.nan
    for k in range(1, max_iter + 1):
        reporter.check()
        hv = [h - shift * u for h, u in zip(hvp(v), v)]
        value = float(sum((h.double() * u.double()).sum() for h, u in zip(hv, v)))
        norm = math.sqrt(float(sum(h.double().square().sum() for h in hv)))
        if not (math.isfinite(value) and math.isfinite(norm)):
            return TopEigenvalue(math.nan, k, False)
        if norm == 0 or abs(value - previous) <= tol * abs(value):
            return TopEigenvalue(value, k, True)
        reporter.progress(k / max_iter, f"power iteration {k}: λ ≈ {value + shift:.6g}")
        previous, v = value, [h / norm for h in hv]
    return TopEigenvalue(value, max_iter, False)


def _normalised(v: list[Tensor]) -> list[Tensor]:
    norm = math.sqrt(float(sum(u.double().square().sum() for u in v)))
    return [u / norm for u in v]


def base_lr(spec: str) -> float:
    """The base learning rate of an optimizer spec (its default when not given); schedule wrappers
    (warm-up, piecewise, cosine) are not applied."""
    parsed = parse_spec(spec)
    return float({**OPTIMIZERS[parsed.name].defaults(), **parsed.hyper}.get("lr", math.nan))


def curvature_along_run(
    reporter: Reporter,
    registry: Registry,
    run: TrainingRun,
    indices: Sequence[int] | None = None,
    lr: float | None = None,
    tol: float = 1e-4,
    max_iter: int = 100,
    seed: int = 0,
    device: DeviceLike = None,
    data_batch: int = 4096,
) -> CurvatureAlongRun:
    """Job: :func:`top_eigenvalue` of the full training loss at snapshots ``indices`` of ``run`` (default
    all), beside ``threshold`` = 2/lr, ``lr`` defaulting to the base lr of the run's optimizer spec.
    Cancellable; progress per snapshot."""
    chosen = list(range(len(run.snapshots))) if indices is None else list(indices)
    bad = [i for i in chosen if not isinstance(i, int) or not -len(run.snapshots) <= i < len(run.snapshots)]
    if bad or not chosen:
        raise InputError(f"snapshot indices must lie in 0..{len(run.snapshots) - 1}, got {bad or chosen!r}")
    rate = base_lr(run.optimizer) if lr is None else float(lr)
    model, task = run.model(registry), run.task(registry)
    steps = np.array([run.snapshot_steps[i] for i in chosen])
    values = np.full(len(chosen), np.nan)
    iterations, converged = np.zeros(len(chosen), int), np.zeros(len(chosen), bool)
    for n, i in enumerate(chosen):
        span = SpanReporter(reporter, n / len(chosen), 1 / len(chosen))
        found = top_eigenvalue(span, model, task.train, task.loss_fn, run.snapshots[i], tol, max_iter, seed, device,
                               data_batch)
        values[n], iterations[n], converged[n] = found.value, found.iterations, found.converged
        result = CurvatureAlongRun(steps, values.copy(), iterations.copy(), converged.copy(), rate,
                                   2.0 / rate if rate > 0 else math.inf)
        reporter.partial(result)
        reporter.progress((n + 1) / len(chosen), f"snapshot {n + 1}/{len(chosen)} (step {steps[n]}): "
                          f"top eigenvalue {found.value:.4g}")
    return result
