"""Optimisers as dynamical systems on a 2-D surface (Su Jianlin, "从动力学角度看优化算法(一)", 2018).

Time scales (derivations; the discrete conventions are torch.optim.SGD's, dampening 0, no Nesterov):

* Gradient descent θ_{k+1} = θ_k − γ∇L(θ_k) is the explicit Euler step, of size h = γ, of the gradient
  flow θ' = −∇L(θ). Step k sits at time t_k = kγ.
* Heavy ball v_{k+1} = βv_k + ∇L(θ_k), θ_{k+1} = θ_k − γv_{k+1} eliminates to
  θ_{k+1} − θ_k = β(θ_k − θ_{k−1}) − γ∇L(θ_k). Dividing by h² and regrouping,
  (θ_{k+1} − 2θ_k + θ_{k−1})/h² + ((1 − β)/h)·(θ_k − θ_{k−1})/h = −(γ/h²)∇L(θ_k),
  a consistent discretisation of θ'' + λθ' = −∇L(θ) exactly when γ/h² = 1 and λ = (1 − β)/h, i.e.
  h = √γ and λ = (1 − β)/√γ. The ODE limit keeps λ fixed while γ → 0 (so β = 1 − λ√γ → 1). When λ is
  large the system is overdamped, λθ' ≈ −∇L: gradient flow with effective learning rate γ/(1 − β).
  The iterates approach the ODE curve at first order in the time step: O(γ) for gradient descent,
  O(√γ) for heavy ball (tests/optim/test_dynamics.py measures both).
* Gradient noise: a minibatch gradient ∇L + ξ with Cov ξ = σ²I turns gradient descent into the
  Euler–Maruyama step of the Langevin equation dθ = −∇L dt + √(2T) dW when γ²σ² = 2Tγ, so
  T = γσ²/2. With momentum, the same matching against the underdamped Langevin equation
  dθ = v dt, dv = (−λv − ∇L) dt + √(2λT) dW (h = √γ, λ = (1 − β)/√γ) gives γ²σ² = 2λT h³, so
  T = γσ²/(2(1 − β)). Either way the stationary density of θ is ∝ exp(−L(θ)/T): noisy SGD
  concentrates in the basins of the minima, the more tightly the lower lr·σ² (larger batches, smaller lr).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from scipy.integrate import solve_ivp

from engines.errors import InputError
from engines.optim.catalogue import OPTIMIZERS
from engines.optim.spec import OptimizerSpec, format_spec

Box = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class FlowCurve:
    """A solved ODE: times ``t`` (m,), positions ``xy`` (m, 2), losses (m,), velocities θ' (m, 2).

    ``stop`` says why it ended: "end" (reached the last time), "left_box", "blew_up" or
    "failed: <solver message>".
    """

    t: np.ndarray
    xy: np.ndarray
    loss: np.ndarray
    velocity: np.ndarray
    stop: str


@dataclass(frozen=True)
class TimeScale:
    """ODE time per discrete step and, for momentum, the damping λ of θ'' + λθ' = −∇L."""

    dt: float
    damping: float | None

    def times(self, steps: int) -> np.ndarray:
        """ODE times of discrete iterates 0..steps."""
        return np.arange(steps + 1, dtype=np.float64) * self.dt


@dataclass(frozen=True)
class DensityGrid:
    """Stationary Langevin density ∝ exp(−L/T) on a grid: ``density[i, j]`` at (x[j], y[i]), ∫ = 1."""

    x: np.ndarray
    y: np.ndarray
    density: np.ndarray
    temperature: float


def time_scale(lr: float, momentum: float = 0.0) -> TimeScale:
    """The ODE counterpart of SGD (momentum 0: gradient flow, dt = γ) or heavy ball
    (dt = √γ, λ = (1 − β)/√γ); see the module docstring for the derivation."""
    if not lr > 0:
        raise InputError(f"learning rate must be positive, got {lr}")
    if not 0 <= momentum < 1:
        raise InputError(f"momentum must lie in [0, 1), got {momentum}")
    if momentum == 0:
        return TimeScale(dt=float(lr), damping=None)
    root = math.sqrt(lr)
    return TimeScale(dt=root, damping=(1.0 - momentum) / root)


def time_scale_for(spec: OptimizerSpec) -> TimeScale:
    """:func:`time_scale` for an "sgd" or "momentum" spec without wrappers, Nesterov or weight decay
    (those change the ODE); with momentum, dampening τ scales the gradient: γ becomes γ(1 − τ)."""
    entry = OPTIMIZERS[spec.name] if spec.name in OPTIMIZERS else None
    hyper = {**entry.defaults(), **entry.fixed, **spec.hyper} if entry is not None else {}
    if spec.name not in ("sgd", "momentum") or spec.wrappers or hyper["nesterov"] or hyper["weight_decay"]:
        raise InputError(f"{format_spec(spec)} has no ODE counterpart here: use plain sgd or momentum")
    momentum = float(hyper["momentum"])
    damped = 1.0 - float(hyper["dampening"]) if momentum else 1.0
    return time_scale(float(hyper["lr"]) * damped, momentum)


def langevin_temperature(lr: float, noise_std: float, momentum: float = 0.0) -> float:
    """T = γσ²/(2(1 − β)) for gradient noise of std σ per coordinate."""
    return lr * noise_std**2 / (2.0 * (1.0 - momentum))


def noise_std_for_temperature(temperature: float, lr: float, momentum: float = 0.0) -> float:
    """The gradient-noise std σ that makes SGD sample exp(−L/T): σ = √(2T(1 − β)/γ)."""
    return math.sqrt(2.0 * temperature * (1.0 - momentum) / lr)


def batch_noise_std(sample_std: float, batch_size: int, dataset_size: int | None = None) -> float:
    """Std of a minibatch-mean gradient from per-example std s: s/√B, times the finite-population
    factor √((N − B)/(N − 1)) when sampling B of N without replacement."""
    std = sample_std / math.sqrt(batch_size)
    if dataset_size is not None and dataset_size > 1:
        std *= math.sqrt(max(dataset_size - batch_size, 0) / (dataset_size - 1))
    return std


def stationary_density(
    surface: Any,
    temperature: float,
    n: int = 200,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
) -> DensityGrid:
    """exp(−L/T)/Z on an n×n grid over the ranges (default: ``surface.bounds``), Z by the Riemann sum."""
    if not temperature > 0:
        raise InputError(f"temperature must be positive, got {temperature}")
    (x0, x1), (y0, y1) = _ranges(surface, x_range, y_range)
    x, y = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    grid = np.stack(np.meshgrid(x, y), axis=-1)
    loss = _loss(surface, grid)
    finite = np.isfinite(loss)
    if not finite.any():
        raise InputError("the loss is not finite anywhere on the grid")
    logp = np.where(finite, -(loss - loss[finite].min()) / temperature, -np.inf)
    p = np.exp(logp)
    p /= p.sum() * (x[1] - x[0]) * (y[1] - y[0])
    return DensityGrid(x=x, y=y, density=p, temperature=float(temperature))


def gradient_flow(
    surface: Any,
    start: Sequence[float],
    t_end: float,
    *,
    t_eval: np.ndarray | None = None,
    n_points: int = 200,
    box: Box | None = None,
    blowup: float = 1e6,
    method: str = "LSODA",
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> FlowCurve:
    """Solve θ' = −∇L(θ) from ``start`` over [0, t_end]; stops early on leaving ``box`` or |θ| > blowup."""
    y0 = np.asarray(start, dtype=np.float64)

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        return -_grad(surface, y)

    return _solve(surface, rhs, y0, t_end, t_eval, n_points, box, blowup, method, rtol, atol)


def heavy_ball_flow(
    surface: Any,
    start: Sequence[float],
    damping: float,
    t_end: float,
    *,
    velocity: Sequence[float] = (0.0, 0.0),
    t_eval: np.ndarray | None = None,
    n_points: int = 200,
    box: Box | None = None,
    blowup: float = 1e6,
    method: str = "LSODA",
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> FlowCurve:
    """Solve θ'' + λθ' = −∇L(θ) as the first-order system (θ, v)' = (v, −λv − ∇L(θ))."""
    if damping < 0:
        raise InputError(f"damping must be non-negative, got {damping}")
    y0 = np.concatenate([np.asarray(start, np.float64), np.asarray(velocity, np.float64)])

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        return np.concatenate([y[2:], -damping * y[2:] - _grad(surface, y[:2])])

    return _solve(surface, rhs, y0, t_end, t_eval, n_points, box, blowup, method, rtol, atol)


def continuous_counterpart(
    surface: Any,
    start: Sequence[float],
    lr: float,
    steps: int,
    momentum: float = 0.0,
    **solver: Any,
) -> FlowCurve:
    """The ODE curve for SGD(lr, momentum) run for ``steps`` steps, sampled at the iterates' times."""
    scale = time_scale(lr, momentum)
    times = scale.times(steps)
    if scale.damping is None:
        return gradient_flow(surface, start, times[-1], t_eval=times, **solver)
    return heavy_ball_flow(surface, start, scale.damping, times[-1], t_eval=times, **solver)


def _solve(
    surface: Any,
    rhs: Callable[[float, np.ndarray], np.ndarray],
    y0: np.ndarray,
    t_end: float,
    t_eval: np.ndarray | None,
    n_points: int,
    box: Box | None,
    blowup: float,
    method: str,
    rtol: float,
    atol: float,
) -> FlowCurve:
    if y0.shape[0] not in (2, 4) or not np.isfinite(y0).all():
        raise InputError(f"start must be a finite 2-D point, got {y0[:2].tolist()}")
    if not t_end > 0:
        raise InputError(f"the time span must be positive, got {t_end}")
    if t_eval is None:
        t_eval = np.linspace(0.0, t_end, n_points)

    def escaped(_t: float, y: np.ndarray) -> float:
        return blowup - float(np.abs(y).max())

    events: list[Callable[[float, np.ndarray], float]] = [escaped]
    if box is not None:
        (x0, x1), (y_lo, y_hi) = box
        if not (x0 <= y0[0] <= x1 and y_lo <= y0[1] <= y_hi):
            raise InputError(f"start {y0[:2].tolist()} lies outside the box {box}")

        def outside(_t: float, y: np.ndarray) -> float:
            return float(min(y[0] - x0, x1 - y[0], y[1] - y_lo, y_hi - y[1]))

        events.append(outside)
    for event in events:
        event.terminal, event.direction = True, -1  # type: ignore[attr-defined]

    sol = solve_ivp(rhs, (0.0, t_end), y0, method=method, t_eval=t_eval, events=events,
                    rtol=rtol, atol=atol)
    t, y = sol.t, sol.y.T
    stop = "end"
    if sol.status == -1:
        stop = f"failed: {sol.message}"
    elif sol.status == 1:
        hit = next(i for i, te in enumerate(sol.t_events) if len(te))
        stop = "blew_up" if hit == 0 else "left_box"
        t = np.append(t, sol.t_events[hit][0])
        y = np.vstack([y, sol.y_events[hit][0]])
    xy = y[:, :2]
    velocity = y[:, 2:] if y.shape[1] == 4 else -_grad(surface, xy)
    return FlowCurve(t=t, xy=xy, loss=_loss(surface, xy), velocity=velocity, stop=stop)


def _ranges(surface: Any, x_range: tuple[float, float] | None,
            y_range: tuple[float, float] | None) -> Box:
    if x_range is None or y_range is None:
        bx, by = surface.bounds
        x_range, y_range = x_range or tuple(bx), y_range or tuple(by)
    return (float(x_range[0]), float(x_range[1])), (float(y_range[0]), float(y_range[1]))


def _grad(surface: Any, xy: np.ndarray) -> np.ndarray:
    g = surface.grad(torch.tensor(xy, dtype=torch.float64))
    return np.asarray(torch.as_tensor(g, dtype=torch.float64).detach().cpu(), dtype=np.float64)


def _loss(surface: Any, xy: np.ndarray) -> np.ndarray:
    loss = surface.fn(torch.tensor(xy, dtype=torch.float64))
    return np.asarray(torch.as_tensor(loss, dtype=torch.float64).detach().cpu(), dtype=np.float64)
