"""Paths between latent codes: linear (lerp), spherical (slerp), and the analogy a - b + c.

Gaussian samples in n dimensions sit near the shell ||z|| ~ sqrt(n); the lerp midpoint of two of them has
norm ~ sqrt(n/2), off the shell, where the decoder saw no training codes. Slerp follows the great circle
and keeps the norm of equal-norm endpoints (Tom White, "Sampling Generative Networks", 2016).
"""
from __future__ import annotations

import numpy as np

from engines.latent.catalogue import INTERPOLATIONS


def lerp(z0: np.ndarray, z1: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(1 - t) z0 + t z1 for each t: shape (len(t), n)."""
    t = np.asarray(t, dtype=np.float64).reshape(-1, 1)
    return (1.0 - t) * np.asarray(z0, np.float64)[None] + t * np.asarray(z1, np.float64)[None]


def slerp(z0: np.ndarray, z1: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation sin((1-t)W)/sin(W) z0 + sin(tW)/sin(W) z1, W the angle between z0 and z1;
    falls back to lerp for (anti)parallel endpoints where the great circle is undefined."""
    z0 = np.asarray(z0, np.float64)
    z1 = np.asarray(z1, np.float64)
    t = np.asarray(t, dtype=np.float64).reshape(-1, 1)
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if n0 == 0 or n1 == 0:
        return lerp(z0, z1, t)
    cos = np.clip(np.dot(z0, z1) / (n0 * n1), -1.0, 1.0)
    omega = np.arccos(cos)
    s = np.sin(omega)
    if s < 1e-6:
        return lerp(z0, z1, t)
    return (np.sin((1.0 - t) * omega) / s) * z0[None] + (np.sin(t * omega) / s) * z1[None]


def slerp_batch(z0: np.ndarray, z1: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Row-wise slerp of (P, n) endpoint pairs at (P,) times t: (P, n)."""
    z0 = np.asarray(z0, np.float64)
    z1 = np.asarray(z1, np.float64)
    t = np.asarray(t, np.float64)[:, None]
    n0 = np.linalg.norm(z0, axis=1, keepdims=True)
    n1 = np.linalg.norm(z1, axis=1, keepdims=True)
    cos = np.clip(np.sum(z0 * z1, axis=1, keepdims=True) / np.maximum(n0 * n1, 1e-300), -1.0, 1.0)
    omega = np.arccos(cos)
    s = np.sin(omega)
    ok = s > 1e-6
    safe = np.where(ok, s, 1.0)
    sl = (np.sin((1.0 - t) * omega) / safe) * z0 + (np.sin(t * omega) / safe) * z1
    li = (1.0 - t) * z0 + t * z1
    return np.where(ok, sl, li)


def lerp_batch(z0: np.ndarray, z1: np.ndarray, t: np.ndarray) -> np.ndarray:
    t = np.asarray(t, np.float64)[:, None]
    return (1.0 - t) * np.asarray(z0, np.float64) + t * np.asarray(z1, np.float64)


def path(z0: np.ndarray, z1: np.ndarray, steps: int, mode: str = "slerp") -> np.ndarray:
    """``steps`` codes from z0 to z1 (both included), shape (steps, n)."""
    INTERPOLATIONS[mode]  # InputError naming the known ones
    t = np.linspace(0.0, 1.0, max(2, int(steps)))
    return lerp(z0, z1, t) if mode == "lerp" else slerp(z0, z1, t)


def analogy(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a - b + c: "a is to b as ? is to c" in latent space."""
    return np.asarray(a, np.float64) - np.asarray(b, np.float64) + np.asarray(c, np.float64)


def analogy_row(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The codes shown in the analogy row: a, b, c and a - b + c, shape (4, n)."""
    return np.stack([np.asarray(a, np.float64), np.asarray(b, np.float64), np.asarray(c, np.float64), analogy(a, b, c)])
