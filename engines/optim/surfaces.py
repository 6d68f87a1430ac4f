"""2D test functions f: (..., 2) → (...) with known minima, bounds, start points and analytic gradients.

Definitions and minima: Surjanovic & Bingham, "Virtual Library of Simulation Experiments" (SFU);
the quadratic is the ill-conditioned bowl of Goh, "Why Momentum Really Works" (Distill 2017). Names,
descriptions and the parameters' defaults and ranges are in :data:`engines.optim.catalogue.SURFACES`, whose
entries name the builder functions below; :func:`get_surface` builds one by name.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

import numpy as np
import torch
from torch import Tensor

from engines.errors import InputError
from engines.catalogue import load
from engines.optim.catalogue import SURFACES

Point = tuple[float, float]
Bounds = tuple[tuple[float, float], tuple[float, float]]
Fn = Callable[[Tensor], Tensor]


@dataclass
class Surface:
    """A loss surface over (x, y); ``grad_fn`` (analytic) is optional, autograd is the fallback."""

    name: str
    fn: Fn
    bounds: Bounds
    minima: tuple[Point, ...] = ()
    params: dict[str, float] = field(default_factory=dict)
    starts: tuple[Point, ...] = ()
    grad_fn: Optional[Fn] = None
    hessian_eigenvalues: Optional[tuple[float, ...]] = None  # constant-Hessian surfaces only

    def __call__(self, xy: Tensor) -> Tensor:
        return self.fn(xy)

    def grad(self, xy: Tensor) -> Tensor:
        """∇f at ``xy`` (..., 2): analytic when known, else autograd (per point: f is pointwise); zero where
        f does not depend on the point (a constant formula)."""
        if self.grad_fn is not None:
            return self.grad_fn(xy)
        with torch.enable_grad():
            x = xy.detach().requires_grad_(True)
            total = self.fn(x).sum()
            if not total.requires_grad:
                return torch.zeros_like(xy)
            (g,) = torch.autograd.grad(total, x, allow_unused=True)
        return torch.zeros_like(xy) if g is None else g

    def grid(self, n: int, device: Union[str, torch.device, None] = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """X, Y, Z as (n, n) numpy arrays over the bounds (row i ↔ y, column j ↔ x) for a heatmap."""
        (x0, x1), (y0, y1) = self.bounds
        xs = torch.linspace(x0, x1, n, dtype=torch.float64, device=device)
        ys = torch.linspace(y0, y1, n, dtype=torch.float64, device=device)
        Y, X = torch.meshgrid(ys, xs, indexing="ij")
        with torch.no_grad():
            Z = self.fn(torch.stack([X, Y], dim=-1))
        return X.cpu().numpy(), Y.cpu().numpy(), Z.cpu().numpy()


def _xy(t: Tensor) -> tuple[Tensor, Tensor]:
    return t[..., 0], t[..., 1]


def rosenbrock(a: float, b: float) -> Surface:
    """(a − x)² + b(y − x²)²; minimum (a, a²)."""

    def fn(t: Tensor) -> Tensor:
        x, y = _xy(t)
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def grad(t: Tensor) -> Tensor:
        x, y = _xy(t)
        r = torch.addcmul(y, x, x, value=-1.0)  # y − x²
        gx = torch.mul(x, r).mul_(-4.0 * b).add_(x, alpha=2.0).sub_(2.0 * a)
        return torch.stack([gx, r.mul_(2.0 * b)], dim=-1)

    return Surface("rosenbrock", fn, ((-2.0, 2.0), (-1.0, 3.0)), ((a, a * a),), {"a": a, "b": b},
                   ((-1.5, 2.5), (-1.2, 1.0), (0.5, -0.5), (1.8, 0.5)), grad)


def beale() -> Surface:
    """(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum (3, 0.5)."""
    cs = (1.5, 2.25, 2.625)

    def fn(t: Tensor) -> Tensor:
        x, y = _xy(t)
        return sum((c - x + x * y ** (k + 1)) ** 2 for k, c in enumerate(cs))

    def grad(t: Tensor) -> Tensor:
        x, y = _xy(t)
        gx = torch.zeros_like(x)
        gy = torch.zeros_like(y)
        for k, c in enumerate(cs):
            yk = y ** (k + 1)
            r = 2 * (c - x + x * yk)
            gx = gx + r * (yk - 1)
            gy = gy + r * (k + 1) * x * y**k
        return torch.stack([gx, gy], dim=-1)

    return Surface("beale", fn, ((-4.5, 4.5), (-4.5, 4.5)), ((3.0, 0.5),), {},
                   ((1.0, 1.5), (-2.0, -2.0), (-3.0, 3.5), (2.0, -1.5)), grad)


def rastrigin(A: float) -> Surface:
    """2A + Σ(x² − A cos 2πx); global minimum (0, 0) among a lattice of local ones."""

    def fn(t: Tensor) -> Tensor:
        return 2 * A + (t * t - A * torch.cos(2 * math.pi * t)).sum(-1)

    def grad(t: Tensor) -> Tensor:
        return 2 * t + 2 * math.pi * A * torch.sin(2 * math.pi * t)

    return Surface("rastrigin", fn, ((-5.12, 5.12), (-5.12, 5.12)), ((0.0, 0.0),), {"A": A},
                   ((-4.2, 3.7), (2.3, 2.2), (0.4, -0.4), (-1.1, -3.9)), grad)


def himmelblau() -> Surface:
    """(x² + y − 11)² + (x + y² − 7)²; four minima of value 0."""

    def fn(t: Tensor) -> Tensor:
        x, y = _xy(t)
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def grad(t: Tensor) -> Tensor:
        x, y = _xy(t)
        a, b = x * x + y - 11, x + y * y - 7
        return torch.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b], dim=-1)

    minima = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126))
    return Surface("himmelblau", fn, ((-5.0, 5.0), (-5.0, 5.0)), minima, {},
                   ((0.0, 0.0), (-0.5, -4.5), (4.5, 4.5), (-4.5, 0.5)), grad)


def booth() -> Surface:
    """(x + 2y − 7)² + (2x + y − 5)²; minimum (1, 3)."""

    def fn(t: Tensor) -> Tensor:
        x, y = _xy(t)
        return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2

    def grad(t: Tensor) -> Tensor:
        x, y = _xy(t)
        a, b = x + 2 * y - 7, 2 * x + y - 5
        return torch.stack([2 * a + 4 * b, 4 * a + 2 * b], dim=-1)

    return Surface("booth", fn, ((-10.0, 10.0), (-10.0, 10.0)), ((1.0, 3.0),), {},
                   ((-8.0, -8.0), (8.0, -6.0), (-6.0, 9.0), (9.0, 9.0)), grad)


def styblinski_tang() -> Surface:
    """½ Σ(x⁴ − 16x² + 5x); minimum x_i = −2.903534 (f = −39.16617 per dimension)."""

    def fn(t: Tensor) -> Tensor:
        return 0.5 * (t**4 - 16 * t * t + 5 * t).sum(-1)

    def grad(t: Tensor) -> Tensor:
        return 2 * t**3 - 16 * t + 2.5

    m = -2.903534
    return Surface("styblinski_tang", fn, ((-5.0, 5.0), (-5.0, 5.0)), ((m, m),), {},
                   ((4.5, 4.5), (0.0, 0.0), (-0.5, 4.0), (4.0, -1.0)), grad)


def saddle() -> Surface:
    """x² − y²: a saddle at the origin, no minimum."""

    def fn(t: Tensor) -> Tensor:
        x, y = _xy(t)
        return x * x - y * y

    def grad(t: Tensor) -> Tensor:
        return t * torch.tensor([2.0, -2.0], dtype=t.dtype, device=t.device)

    return Surface("saddle", fn, ((-2.0, 2.0), (-2.0, 2.0)), (), {},
                   ((-1.8, 1e-3), (1.5, -0.1), (-1.0, 0.5)), grad)


def monkey_saddle() -> Surface:
    """x³ − 3xy²: a degenerate saddle with three descending valleys, no minimum."""

    def fn(t: Tensor) -> Tensor:
        x, y = _xy(t)
        return x**3 - 3 * x * y * y

    def grad(t: Tensor) -> Tensor:
        x, y = _xy(t)
        return torch.stack([3 * x * x - 3 * y * y, -6 * x * y], dim=-1)

    return Surface("monkey_saddle", fn, ((-2.0, 2.0), (-2.0, 2.0)), (), {},
                   ((1.5, 0.1), (0.5, 1.5), (1.0, -1.0)), grad)


def quadratic(kappa: float, angle: float, scale: float) -> Surface:
    """½ θᵀHθ with eigenvalues (scale/κ, scale), the flat direction at ``angle`` degrees; minimum (0, 0)."""
    if not scale > 0:  # kappa's range (at least 1) is checked with the catalogue's option
        raise InputError(f"quadratic scale must be positive, got {scale:g}")
    lmin, lmax = scale / kappa, scale
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    h = ((lmin * c * c + lmax * s * s, (lmin - lmax) * c * s),
         ((lmin - lmax) * c * s, lmin * s * s + lmax * c * c))

    def grad(t: Tensor) -> Tensor:
        x, y = _xy(t)
        return torch.stack([h[0][0] * x + h[0][1] * y, h[1][0] * x + h[1][1] * y], dim=-1)

    def fn(t: Tensor) -> Tensor:
        return 0.5 * (t * grad(t)).sum(-1)

    return Surface("quadratic", fn, ((-2.0, 2.0), (-2.0, 2.0)), ((0.0, 0.0),),
                   {"kappa": kappa, "angle": angle, "scale": scale},
                   ((-1.8, 1.2), (1.5, 1.5), (0.2, -1.9)), grad, (lmin, lmax))


def get_surface(name: str, **params: float) -> Surface:
    """A built-in surface by name with optional parameters (e.g. ``quadratic``: kappa, angle, scale), each
    checked against its range in the catalogue; the others take their catalogue defaults."""
    entry = SURFACES[name]
    unknown = sorted(set(params) - {o.name for o in entry.options})
    if unknown:
        raise InputError(f"surface {name!r} does not take parameters {unknown}; {entry.takes()}")
    values = {**entry.defaults(), **{k: entry.option(k).validate(float(v), name) for k, v in params.items()}}
    return load(entry.builder)(**values)
