"""Built-in 2D point sets for the latent and diffusion panels (no download), scaled to about unit spread."""
from __future__ import annotations

import numpy as np
from sklearn import datasets as skd

from engines.errors import InputError


def _moons(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x, y = skd.make_moons(n, noise=0.05, random_state=int(rng.integers(2**31)))
    return (x - [0.5, 0.25]) * [1.0, 2.0], y


def _circles(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x, y = skd.make_circles(n, noise=0.03, factor=0.5, random_state=int(rng.integers(2**31)))
    return x * 1.5, y


def _swiss_roll(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
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
