"""ODE views of optimisers: closed forms, the discrete ↔ continuous time mapping, Langevin temperature."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from scipy.linalg import expm

from engines.errors import InputError
from engines.optim import dynamics
from engines.optim.spec import parse_spec
from engines.optim.surfaces import get_surface


class Quadratic:
    """L(θ) = ½ θᵀHθ, duck-typed like a Surface."""

    bounds = ((-3.0, 3.0), (-3.0, 3.0))

    def __init__(self, h: np.ndarray) -> None:
        self.h = torch.as_tensor(h, dtype=torch.float64)

    def fn(self, xy: torch.Tensor) -> torch.Tensor:
        return 0.5 * torch.einsum("...i,ij,...j->...", xy, self.h, xy)

    def grad(self, xy: torch.Tensor) -> torch.Tensor:
        return xy @ self.h


class Bowl:
    """A non-quadratic convex bowl: L = log cosh(x) + ½(y − 0.3x²)²/2 + 0.1 y²."""

    bounds = ((-3.0, 3.0), (-3.0, 3.0))

    def fn(self, xy: torch.Tensor) -> torch.Tensor:
        x, y = xy[..., 0], xy[..., 1]
        return torch.log(torch.cosh(x)) + 0.25 * (y - 0.3 * x**2) ** 2 + 0.1 * y**2

    def grad(self, xy: torch.Tensor) -> torch.Tensor:
        x, y = xy[..., 0], xy[..., 1]
        r = y - 0.3 * x**2
        return torch.stack([torch.tanh(x) - 0.3 * x * r, 0.5 * r + 0.2 * y], dim=-1)


def test_gradient_flow_matches_matrix_exponential():
    h = np.array([[2.0, 0.6], [0.6, 0.5]])
    start = np.array([1.5, -2.0])
    curve = dynamics.gradient_flow(Quadratic(h), start, 3.0, n_points=31, rtol=1e-11, atol=1e-13)
    assert curve.stop == "end"
    exact = np.array([expm(-h * t) @ start for t in curve.t])
    np.testing.assert_allclose(curve.xy, exact, atol=1e-6)
    np.testing.assert_allclose(curve.velocity, -exact @ h, atol=1e-5)
    np.testing.assert_allclose(curve.loss, 0.5 * np.einsum("ni,ij,nj->n", exact, h, exact), atol=1e-6)


@pytest.mark.parametrize("damping", [0.5, 4.0])
def test_heavy_ball_matches_damped_oscillator(damping):
    k, x0 = 1.7, 1.2  # x'' + λx' + kx = 0, x(0) = x0, x'(0) = 0; y stays at 0
    curve = dynamics.heavy_ball_flow(Quadratic(np.diag([k, 3.0])), (x0, 0.0), damping, 6.0,
                                     n_points=61, rtol=1e-11, atol=1e-13)
    t = curve.t
    disc = damping**2 / 4 - k
    if disc < 0:  # underdamped
        w = math.sqrt(-disc)
        exact = np.exp(-damping * t / 2) * (x0 * np.cos(w * t) + damping * x0 / (2 * w) * np.sin(w * t))
    else:  # overdamped: roots r1, r2 of r² + λr + k
        r1, r2 = -damping / 2 + math.sqrt(disc), -damping / 2 - math.sqrt(disc)
        exact = x0 * (r2 * np.exp(r1 * t) - r1 * np.exp(r2 * t)) / (r2 - r1)
    np.testing.assert_allclose(curve.xy[:, 0], exact, atol=1e-6)
    np.testing.assert_allclose(curve.xy[:, 1], 0.0, atol=1e-9)


def _gd(surface, start, lr, steps):
    xy = [np.asarray(start, np.float64)]
    for _ in range(steps):
        xy.append(xy[-1] - lr * surface.grad(torch.as_tensor(xy[-1])).numpy())
    return np.array(xy)


def test_small_lr_gd_approaches_gradient_flow():
    surface, start, horizon = Bowl(), (2.5, -2.0), 4.0
    errors = []
    for lr in (0.2, 0.1, 0.05, 0.025):
        steps = round(horizon / lr)
        path = _gd(surface, start, lr, steps)
        curve = dynamics.continuous_counterpart(surface, start, lr, steps)
        np.testing.assert_allclose(curve.t[-1], horizon)
        errors.append(np.abs(path - curve.xy).max())
    assert all(b < a for a, b in itertools.pairwise(errors))
    assert errors[-1] < errors[0] / 5  # Euler is first order: ≈ halves with each halving of lr


def test_torch_momentum_approaches_heavy_ball_ode():
    """torch.optim.SGD(momentum=β, lr=γ) tracks θ'' + λθ' = −∇L with λ = (1 − β)/√γ, dt = √γ."""
    surface, start, damping, horizon = Bowl(), (2.5, -2.0), 1.5, 4.0
    errors = []
    for lr in (0.04, 0.01, 0.0025):
        momentum = 1 - damping * math.sqrt(lr)
        scale = dynamics.time_scale(lr, momentum)
        assert scale.damping == pytest.approx(damping) and scale.dt == pytest.approx(math.sqrt(lr))
        steps = round(horizon / scale.dt)
        theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([theta], lr=lr, momentum=momentum)
        path = [theta.detach().clone().numpy()]
        for _ in range(steps):
            opt.zero_grad()
            surface.fn(theta).backward()
            opt.step()
            path.append(theta.detach().clone().numpy())
        curve = dynamics.continuous_counterpart(surface, start, lr, steps, momentum)
        errors.append(np.abs(np.array(path) - curve.xy).max())
    # First order in the time step √γ: the error halves each time lr is quartered.
    assert all(b < 0.6 * a for a, b in itertools.pairwise(errors))


def test_time_scale_for_specs():
    assert dynamics.time_scale_for(parse_spec("sgd:lr=0.04")) == dynamics.TimeScale(0.04, None)
    scale = dynamics.time_scale_for(parse_spec("momentum:lr=0.04,momentum=0.8"))
    assert scale.dt == pytest.approx(0.2) and scale.damping == pytest.approx(1.0)
    assert dynamics.time_scale_for(parse_spec("sgd:lr=0.04,momentum=0.5,dampening=0.75")).dt == pytest.approx(0.1)
    for text in ("nesterov:lr=0.1", "adam", "sgd+lookahead", "sgd:weight_decay=0.1"):
        with pytest.raises(InputError, match="no ODE counterpart"):
            dynamics.time_scale_for(parse_spec(text))


def test_flow_stops_on_leaving_box_and_blow_up():
    saddle = Quadratic(np.diag([1.0, -1.0]))  # x² − y²: y runs away
    curve = dynamics.gradient_flow(saddle, (1.0, 0.1), 50.0, box=((-2, 2), (-2, 2)))
    assert curve.stop == "left_box"
    assert curve.t[-1] == pytest.approx(math.log(20), rel=1e-5)  # y = 0.1 eᵗ reaches 2
    assert abs(curve.xy[-1, 1]) == pytest.approx(2.0, rel=1e-6)
    curve = dynamics.gradient_flow(saddle, (1.0, 0.1), 50.0, blowup=1e3)
    assert curve.stop == "blew_up" and curve.t[-1] == pytest.approx(math.log(1e4), rel=1e-5)
    with pytest.raises(InputError):
        dynamics.gradient_flow(saddle, (5.0, 0.0), 1.0, box=((-2, 2), (-2, 2)))


def test_langevin_temperature_round_trip_and_noisy_gd_variance():
    assert dynamics.noise_std_for_temperature(
        dynamics.langevin_temperature(0.01, 3.0, 0.9), 0.01, 0.9) == pytest.approx(3.0)
    assert dynamics.batch_noise_std(2.0, 16) == pytest.approx(0.5)
    # Noisy GD on L = ½kx²: stationary variance of exp(−L/T) is T/k (to O(γk)).
    k, lr, sigma = 2.0, 0.005, 4.0
    temperature = dynamics.langevin_temperature(lr, sigma)
    gen = np.random.default_rng(0)
    x = np.zeros(20_000)
    for _ in range(1500):
        x = x - lr * (k * x + sigma * gen.standard_normal(x.shape))
    assert x.var() == pytest.approx(temperature / k, rel=0.05)


def test_stationary_density_is_normalised_and_peaks_at_minimum():
    surface = Quadratic(np.diag([1.0, 4.0]))
    grid = dynamics.stationary_density(surface, temperature=0.05, n=201)
    dx, dy = grid.x[1] - grid.x[0], grid.y[1] - grid.y[0]
    assert grid.density.sum() * dx * dy == pytest.approx(1.0)
    i, j = np.unravel_index(grid.density.argmax(), grid.density.shape)
    assert grid.x[j] == pytest.approx(0.0) and grid.y[i] == pytest.approx(0.0)
    # Marginal variance along x of a Gaussian with precision 1/T: T.
    px = grid.density.sum(axis=0) * dy
    assert (px * grid.x**2).sum() * dx == pytest.approx(0.05, rel=1e-3)


def test_on_library_surfaces():
    rosenbrock = get_surface("rosenbrock")
    curve = dynamics.gradient_flow(rosenbrock, (-1.2, 1.0), 200.0, box=rosenbrock.bounds)
    assert curve.stop == "end" and np.allclose(curve.xy[-1], (1.0, 1.0), atol=1e-3)
    assert np.all(np.diff(curve.loss) <= 1e-9)  # gradient flow never goes uphill
    himmelblau = get_surface("himmelblau")
    grid = dynamics.stationary_density(himmelblau, temperature=1.0, n=301)
    i, j = np.unravel_index(grid.density.argmax(), grid.density.shape)
    peak = np.array([grid.x[j], grid.y[i]])
    assert min(np.linalg.norm(peak - np.array(m)) for m in himmelblau.minima) < 0.05
