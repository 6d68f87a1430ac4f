"""Momentum on a quadratic (Goh, "Why Momentum Really Works", Distill 2017).

Heavy ball z ← βz + ∇f(w), w ← w − αz (torch.optim.SGD with lr=α, momentum=β, dampening=0) acts on
each Hessian eigen-direction λ through the 2×2 matrix R = [[β, λ], [−αβ, 1 − αλ]]; the error shrinks
like ρ(R)^k. Its trace is β + 1 − αλ and its determinant β, so the eigenvalues are closed form.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike


def optimal_momentum(lmin: float, lmax: float) -> tuple[float, float]:
    """The optimal step and momentum: α = (2/(√λ1 + √λn))², β = ((√λn − √λ1)/(√λn + √λ1))²."""
    a, b = np.sqrt(lmin), np.sqrt(lmax)
    return float((2.0 / (a + b)) ** 2), float(((b - a) / (b + a)) ** 2)


def optimal_step(lmin: float, lmax: float) -> float:
    """Gradient descent's optimal step 2/(λ1 + λn)."""
    return 2.0 / (lmin + lmax)


def rate_gd(kappa: float) -> float:
    """Convergence rate of gradient descent at its optimal step: (κ − 1)/(κ + 1)."""
    return (kappa - 1.0) / (kappa + 1.0)


def rate_momentum(kappa: float) -> float:
    """Convergence rate of heavy ball at the optimal (α, β): (√κ − 1)/(√κ + 1)."""
    s = np.sqrt(kappa)
    return float((s - 1.0) / (s + 1.0))


def momentum_rate(alpha: ArrayLike, beta: ArrayLike, eigenvalues: Sequence[float]) -> np.ndarray:
    """Predicted rate max_λ ρ(R_λ) of heavy ball for arrays of α and β (broadcast together)."""
    alpha, beta = np.asarray(alpha, dtype=float), np.asarray(beta, dtype=float)
    rate = np.zeros(np.broadcast(alpha, beta).shape)
    for lam in eigenvalues:
        trace = (beta + 1.0 - alpha * lam).astype(complex)
        disc = np.sqrt(trace * trace - 4.0 * beta)
        rho = np.maximum(np.abs((trace + disc) / 2.0), np.abs((trace - disc) / 2.0))
        rate = np.maximum(rate, rho)
    return rate


def gd_rate(alpha: ArrayLike, eigenvalues: Sequence[float]) -> np.ndarray:
    """Predicted rate max_λ |1 − αλ| of plain gradient descent."""
    alpha = np.asarray(alpha, dtype=float)
    return np.max([np.abs(1.0 - alpha * lam) for lam in eigenvalues], axis=0)
