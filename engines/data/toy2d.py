"""Built-in 2D point sets for the latent and diffusion panels (no download), scaled to about unit spread.
scikit-learn is imported only by the sets that use it: the moons (the default everywhere) are drawn here,
so a job on them never waits for that import (which no cancellation can interrupt)."""
from __future__ import annotations

import numpy as np

from engines.errors import InputError


def make_moons(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, drawn exactly as scikit-learn's ``make_moons(n, noise=noise,
    random_state=seed)`` draws them (the same points for the same seed)."""
    out, inner = n // 2, n - n // 2
    x = np.vstack([np.append(np.cos(np.linspace(0, np.pi, out)), 1 - np.cos(np.linspace(0, np.pi, inner))),
                   np.append(np.sin(np.linspace(0, np.pi, out)), 1 - np.sin(np.linspace(0, np.pi, inner)) - 0.5)]).T
    y = np.hstack([np.zeros(out, np.intp), np.ones(inner, np.intp)])
    state = np.random.RandomState(seed)
    order = np.arange(n)
    state.shuffle(order)
    x, y = x[order], y[order]
    return x + state.normal(scale=noise, size=x.shape), y


def _moons(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x, y = make_moons(n, 0.05, int(rng.integers(2**31)))
    return (x - [0.5, 0.25]) * [1.0, 2.0], y


def _circles(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets as skd

    x, y = skd.make_circles(n, noise=0.03, factor=0.5, random_state=int(rng.integers(2**31)))
    return x * 1.5, y


def _swiss_roll(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets as skd

    x, t = skd.make_swiss_roll(n, noise=0.3, random_state=int(rng.integers(2**31)))
    return x[:, [0, 2]] / 6.0, (t > np.median(t)).astype(int)


def _circle_of_gaussians(n: int, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(k, size=n)
    angles = 2 * np.pi * labels / k
    centers = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return centers + 0.15 * rng.standard_normal((n, 2)), labels


def _gaussian_mixture(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return _circle_of_gaussians(n, rng, 5)


def _eight_gaussians(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return _circle_of_gaussians(n, rng, 8)


def _checkerboard(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x1 = rng.uniform(-2, 2, n)
    x2 = rng.uniform(0, 1, n) + rng.integers(-2, 2, n) * 1.0
    x2 = x2 + (np.floor(x1) % 2)
    x2 = (x2 + 2) % 4 - 2
    return np.stack([x1, x2], axis=1), (np.floor(x1) + np.floor(x2)).astype(int) % 2


def _rings(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(4, size=n)
    radius = 0.5 * (labels + 1)
    angle = rng.uniform(0, 2 * np.pi, n)
    x = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return x + 0.04 * rng.standard_normal((n, 2)), labels


TOY_SETS = {
    "moons": _moons,
    "circles": _circles,
    "swiss_roll": _swiss_roll,
    "gaussian_mixture": _gaussian_mixture,
    "eight_gaussians": _eight_gaussians,
    "checkerboard": _checkerboard,
    "rings": _rings,
}


def make_toy(name: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points (float32, shape (n, 2)) of the named set and an integer label per point."""
    if name not in TOY_SETS:
        raise InputError(f"unknown 2D data set {name!r}; choose one of {', '.join(TOY_SETS)}")
    x, y = TOY_SETS[name](n, np.random.default_rng(seed))
    return np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.int64)
