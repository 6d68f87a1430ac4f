"""Noise schedules: discrete VP (DDPM linear / cosine ᾱ), the EDM σ schedule with ρ, flow-matching time.

Everything is expressed through one number, the noise level σ = b/a of a state x = a·x0 + b·ε
(VE coordinates: x/a = x0 + σ ε). VP: a = √ᾱ, b = √(1−ᾱ), σ² = (1−ᾱ)/ᾱ. Flow matching: a = 1−t, b = t,
σ = t/(1−t). Grids are float64 numpy arrays of σ, descending, ending with 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engines.diffusion.catalogue import EDM_RHO, EDM_SIGMA_MAX, EDM_SIGMA_MIN, SPACINGS, VP_SCHEDULES
from engines.errors import InputError


def linear_betas(steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02) -> np.ndarray:
    """DDPM's linear β schedule (Ho et al. 2020), as in diffusers' "linear"."""
    return np.linspace(beta_start, beta_end, steps, dtype=np.float64)


def cosine_betas(steps: int = 1000, s: float = 0.008, max_beta: float = 0.999) -> np.ndarray:
    """Nichol & Dhariwal's cosine schedule (diffusers' "squaredcos_cap_v2")."""
    f = lambda t: math.cos((t + s) / (1 + s) * math.pi / 2) ** 2  # noqa: E731
    return np.array([min(1 - f((i + 1) / steps) / f(i / steps), max_beta) for i in range(steps)], dtype=np.float64)


@dataclass(frozen=True)
class VPSchedule:
    """A discrete variance-preserving schedule: ᾱ_t for t = 0..T−1 (T = ``len(alphas_cumprod)``)."""

    alphas_cumprod: np.ndarray
    name: str = "linear"

    @classmethod
    def make(cls, name: str = "linear", steps: int = 1000) -> "VPSchedule":
        if name == "linear":
            betas = linear_betas(steps)
        elif name == "cosine":
            betas = cosine_betas(steps)
        else:
            raise InputError(f"unknown schedule {name!r}; choose one of {', '.join(VP_SCHEDULES)}")
        return cls(np.cumprod(1.0 - betas), name)

    @classmethod
    def from_betas(cls, betas: np.ndarray, name: str = "custom") -> "VPSchedule":
        return cls(np.cumprod(1.0 - np.asarray(betas, np.float64)), name)

    @property
    def steps(self) -> int:
        return len(self.alphas_cumprod)

    @property
    def sigmas(self) -> np.ndarray:
        """σ_t = √((1−ᾱ_t)/ᾱ_t) for every training step t."""
        return np.sqrt((1.0 - self.alphas_cumprod) / self.alphas_cumprod)

    @property
    def sigma_min(self) -> float:
        return float(self.sigmas[0])

    @property
    def sigma_max(self) -> float:
        return float(self.sigmas[-1])

    def sigma_to_t(self, sigma: np.ndarray | float) -> np.ndarray:
        """Continuous training time for σ: linear interpolation in log σ (diffusers' ``_sigma_to_t``)."""
        log_sigmas = np.log(self.sigmas)
        log_sigma = np.log(np.maximum(np.asarray(sigma, np.float64), 1e-10))
        return np.interp(log_sigma, log_sigmas, np.arange(self.steps, dtype=np.float64))

    def timesteps(self, n: int, spacing: str = "trailing", offset: int = 0) -> np.ndarray:
        """``n`` integer training steps, descending, as diffusers' DDIM/DDPM ``timestep_spacing``."""
        T = self.steps
        if not 1 <= n <= T:
            raise InputError(f"number of steps must be between 1 and {T}, got {n}")
        if spacing == "leading":
            ts = (np.arange(n) * (T // n)).round()[::-1] + offset
        elif spacing == "trailing":
            ts = np.round(np.arange(T, 0, -T / n)) - 1
        elif spacing == "linspace":
            ts = np.linspace(0, T - 1, n).round()[::-1]
        else:
            raise InputError(f"unknown timestep spacing {spacing!r}; choose one of {', '.join(SPACINGS)}")
        return ts.astype(np.int64)

    def timestep_grid(self, n: int, spacing: str = "trailing", offset: int = 0) -> np.ndarray:
        """σ of :meth:`timesteps` followed by 0 (ᾱ = 1 after the last step: diffusers' set_alpha_to_one)."""
        return np.concatenate([self.sigmas[self.timesteps(n, spacing, offset)], [0.0]])


def karras_sigmas(n: int, sigma_min: float = EDM_SIGMA_MIN, sigma_max: float = EDM_SIGMA_MAX,
                  rho: float = EDM_RHO) -> np.ndarray:
    """EDM's σ_i = (σ_max^{1/ρ} + i/(n−1)(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, i = 0..n−1, then 0."""
    if n < 1:
        raise InputError(f"the σ schedule needs at least one step, got {n}")
    if not 0 < sigma_min < sigma_max:
        raise InputError(f"need 0 < σ_min < σ_max, got σ_min={sigma_min:g}, σ_max={sigma_max:g}")
    if rho <= 0:
        raise InputError(f"ρ must be positive, got {rho:g}")
    ramp = np.linspace(0, 1, n) if n > 1 else np.zeros(1)
    lo, hi = sigma_min ** (1 / rho), sigma_max ** (1 / rho)
    return np.concatenate([(hi + ramp * (lo - hi)) ** rho, [0.0]])


def geometric_sigmas(n: int, sigma_min: float, sigma_max: float) -> np.ndarray:
    """``n`` levels spaced evenly in log σ from σ_max down to σ_min (NCSN's annealing levels), no final 0."""
    return np.exp(np.linspace(math.log(sigma_max), math.log(sigma_min), max(n, 1)))


def flow_grid(n: int, t_max: float = 1.0) -> np.ndarray:
    """Uniform flow time t_max → 0 in ``n`` steps, as σ = t/(1−t) (σ = ∞ at t = 1)."""
    t = np.linspace(t_max, 0.0, n + 1)
    with np.errstate(divide="ignore"):
        return np.where(t >= 1.0, np.inf, t / np.maximum(1.0 - t, 1e-300))


def sigma_to_ab(sigma: float, coords: str = "ve") -> tuple[float, float]:
    """(a, b) of the state x = a·x0 + b·ε at noise level σ in coordinates ``coords``:
    "ve" (a = 1, b = σ), "vp" (a² + b² = 1) or "flow" (a + b = 1)."""
    sigma = float(sigma)
    if coords == "ve":
        return 1.0, sigma
    if coords == "vp":
        if math.isinf(sigma):
            return 0.0, 1.0
        a = 1.0 / math.sqrt(1.0 + sigma * sigma)
        return a, sigma * a
    if coords == "flow":
        if math.isinf(sigma):
            return 0.0, 1.0
        return 1.0 / (1.0 + sigma), sigma / (1.0 + sigma)
    raise ValueError(f"unknown coordinates {coords!r}")
