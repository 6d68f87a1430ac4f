"""The exact denoiser of a Gaussian mixture: no training, and a ground truth for sampler error.

For x0 ~ Σ_k π_k N(μ_k, s_k² I) and x = a·x0 + b·ε, x given component k is N(a μ_k, (a² s_k² + b²) I), so
the noised density, its score and the posterior mean E[x0 | x] are all in closed form:

    r_k(x) ∝ π_k N(x; a μ_k, v_k I),  v_k = a² s_k² + b²,
    E[x0 | x] = Σ_k r_k(x) (μ_k + a s_k²/v_k (x − a μ_k)),   ∇log p(x) = (a E[x0|x] − x)/b².

The named mixtures are listed in :data:`engines.diffusion.catalogue.MIXTURES`: the built-in 2D sets with
Gaussian structure (gaussian_mixture, eight_gaussians) exactly, the others (moons, swiss roll, ...) as a
spherical mixture fitted to 6,000 of their points.

σ range. A mixture's largest noise level is its diameter (:func:`diameter`), not EDM's 80: Song & Ermon
(2020, "Improved techniques for training score-based generative models", Technique 1) take σ_max as large
as the largest distance between two data points, so that the noised data at σ_max has lost all structure;
EDM's σ_max = 80 is that rule for images in [−1, 1] (its σ_data = 0.5). On a 2-D toy of diameter ~5 the σ
range up to 80 lies where the path is a straight line (x ∝ σ: every sampler is exact there) and a
Karras grid spends a third of its calls there, leaving Heun's and DPM-Solver's few steps too long where
the modes form (``python tests/benchmarks/bench_exact.py``). Its Karras ρ is 3, not EDM's 7: EDM (Karras
et al. 2022, Sec. 3) finds ρ = 3 nearly equalizes the truncation error of every step and prefers 5-10 for
images only because their fine detail makes errors near σ_min matter most; a mixture has no structure below
its components' std (0.15 ≫ σ_min = 0.002), where its path is a per-component linear contraction.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import torch
from torch import Tensor

from engines.diffusion.catalogue import (EDM_SIGMA_MAX, EDM_SIGMA_MIN, FIT_COMPONENTS, FIT_POINTS, MIXTURES,
                                         RING_RADIUS, RING_STD)
from engines.diffusion.models import Denoiser
from engines.errors import InputError


def diameter(means: Tensor, stds: Tensor) -> float:
    """The largest distance between two points of the mixture, counting a component as its 3-std ball:
    max over component pairs of ‖μ_j − μ_k‖ + 3(s_j + s_k) (4.9 for eight_gaussians)."""
    spread = 3 * stds.double()
    return float((torch.cdist(means.double(), means.double()) + spread[:, None] + spread[None, :]).max())


MIXTURE_RHO = 3.0  # the Karras grid's ρ on an exact mixture (see the module docstring)


class GaussianMixture(Denoiser):
    """An isotropic Gaussian mixture in ``d`` dimensions, usable as an exact :class:`Denoiser`."""

    kind = "mixture"

    def __init__(self, means, stds, weights=None, name: str = "mixture", labels=None) -> None:
        self.means = torch.as_tensor(np.asarray(means), dtype=torch.float32)
        k, d = self.means.shape
        self.stds = torch.as_tensor(np.broadcast_to(np.asarray(stds, np.float32), (k,)).copy())
        w = np.full(k, 1.0 / k) if weights is None else np.asarray(weights, np.float64)
        if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise InputError("mixture weights must be non-negative and finite")
        self.log_weights = torch.as_tensor(np.log(np.maximum(w / w.sum(), 1e-300)), dtype=torch.float32)
        self.shape = (d,)
        self.name = name
        self.labels = None if labels is None else np.asarray(labels, np.int64)  # class of each component, if any
        self.device = torch.device("cpu")
        self.sigma_min, self.sigma_max = EDM_SIGMA_MIN, min(diameter(self.means, self.stds), EDM_SIGMA_MAX)
        self.rho = MIXTURE_RHO

    def to(self, device) -> "GaussianMixture":
        self.device = torch.device(device)
        self.means, self.stds, self.log_weights = (t.to(self.device) for t in (self.means, self.stds, self.log_weights))
        return self

    def describe(self) -> dict:
        return {"kind": self.kind, "mixture": self.name, "components": int(self.means.shape[0]), "shape": list(self.shape)}

    def _responsibilities(self, x: Tensor, a: float, b: float) -> tuple[Tensor, Tensor]:
        """Log of π_k N(x; a μ_k, v_k I) (N, K) and v_k (K,)."""
        v = a * a * self.stds.square() + b * b
        d = x.shape[1]
        mu = a * self.means
        sq = x.square().sum(1, keepdim=True) - 2 * x @ mu.T + mu.square().sum(1)
        return self.log_weights - 0.5 * d * torch.log(2 * math.pi * v) - 0.5 * sq.clamp_min(0) / v, v

    def __call__(self, x: Tensor, a: float, b: float) -> Tensor:
        logits, v = self._responsibilities(x, a, b)
        r = torch.softmax(logits, dim=1)
        gain = a * self.stds.square() / v  # (K,)
        # Σ_k r_k (μ_k + g_k (x − a μ_k)) = r·(μ(1 − a g)) + (r·g) x
        return r @ (self.means * (1 - a * gain)[:, None]) + (r @ gain)[:, None] * x

    def log_prob(self, x: Tensor, a: float = 1.0, b: float = 0.0) -> Tensor:
        """log p(x) of the noised mixture (differentiable: the autograd score check uses it)."""
        logits, _ = self._responsibilities(x, a, b)
        return torch.logsumexp(logits, dim=1)

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        k = torch.multinomial(self.log_weights.exp().cpu(), n, replacement=True, generator=generator)
        z = torch.randn(n, self.shape[0], generator=generator)
        return (self.means.cpu()[k] + self.stds.cpu()[k, None] * z).to(self.device)


def _ring(k: int) -> np.ndarray:
    angles = 2 * np.pi * np.arange(k) / k
    return RING_RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)


@functools.lru_cache(maxsize=16)
def _fitted(name: str, components: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.mixture import GaussianMixture as SkGMM

    from engines.data import make_toy

    x, _ = make_toy(name, FIT_POINTS, seed)
    gmm = SkGMM(components, covariance_type="spherical", random_state=seed, max_iter=200).fit(x)
    return gmm.means_, np.sqrt(gmm.covariances_), gmm.weights_


def named_mixture(name: str, components: int = FIT_COMPONENTS, seed: int = 0) -> GaussianMixture:
    """The mixture ``name`` of :data:`engines.diffusion.catalogue.MIXTURES`."""
    entry = MIXTURES[name]
    if entry.ring:
        labels = np.arange(entry.ring) * entry.classes // entry.ring if entry.classes else None  # arcs
        return GaussianMixture(_ring(entry.ring), RING_STD, name=name, labels=labels)
    means, stds, weights = _fitted(name, components, seed)
    return GaussianMixture(means, stds, weights, name=name)
