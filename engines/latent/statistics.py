"""Latent statistics: norms against the prior's shell, and the angle between random directions.

For two independent isotropic vectors in n dimensions the angle has density
p(theta) = sin^{n-2}(theta) / Z_n on [0, pi], Z_n = sqrt(pi) Gamma((n-1)/2) / Gamma(n/2)
(Su Jianlin, "n维空间下两个随机向量的夹角分布"): concentrated at 90 degrees with spread ~ 1/sqrt(n).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, special, stats

CDF_GRID = 20001


def norms(z: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.asarray(z, np.float64), axis=-1)


def shell_radius(n: int) -> float:
    """sqrt(n): where N(0, I) samples concentrate (E||z|| = sqrt(2) Gamma((n+1)/2)/Gamma(n/2) ~ sqrt(n - 1/2))."""
    return float(np.sqrt(n))


def expected_norm(n: int) -> float:
    """E||z|| for z ~ N(0, I_n) (the chi distribution's mean)."""
    return float(np.sqrt(2.0) * np.exp(special.gammaln((n + 1) / 2) - special.gammaln(n / 2)))


def angle_log_normalizer(n: int) -> float:
    """log Z_n with Z_n = integral_0^pi sin^{n-2} = sqrt(pi) Gamma((n-1)/2) / Gamma(n/2)."""
    return float(0.5 * np.log(np.pi) + special.gammaln((n - 1) / 2) - special.gammaln(n / 2))


def angle_pdf(theta: np.ndarray, n: int) -> np.ndarray:
    """Density of the angle between two random vectors in n >= 2 dimensions."""
    theta = np.asarray(theta, np.float64)
    if n == 2:
        return np.where((theta >= 0) & (theta <= np.pi), 1.0 / np.pi, 0.0)
    s = np.sin(np.clip(theta, 0.0, np.pi))
    with np.errstate(divide="ignore"):
        log = (n - 2) * np.log(s) - angle_log_normalizer(n)
    return np.where((theta >= 0) & (theta <= np.pi), np.exp(log), 0.0)


class AngleCDF:
    """The CDF of :func:`angle_pdf`, by numerical integration (cumulative Simpson on a fine grid)."""

    def __init__(self, n: int, grid: int = CDF_GRID) -> None:
        self.n = n
        self.theta = np.linspace(0.0, np.pi, grid)
        values = integrate.cumulative_simpson(angle_pdf(self.theta, n), x=self.theta, initial=0.0)
        self.values = np.clip(values / values[-1], 0.0, 1.0)  # normalise away the last rounding error
        self.raw_total = float(integrate.simpson(angle_pdf(self.theta, n), x=self.theta))

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(theta, np.float64), self.theta, self.values)


def angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angles (radians) between the rows of a and b."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    cos = np.sum(a * b, axis=-1) / np.maximum(np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1), 1e-300)
    return np.arccos(np.clip(cos, -1.0, 1.0))


def random_pair_angles(n: int, count: int, seed: int = 0) -> np.ndarray:
    """Angles between ``count`` pairs of independent N(0, I_n) samples."""
    rng = np.random.default_rng(seed)
    return angles(rng.standard_normal((count, n)), rng.standard_normal((count, n)))


@dataclass(frozen=True)
class AngleFit:
    n: int
    angles: np.ndarray
    ks_statistic: float
    p_value: float
    chi2_statistic: float
    chi2_p_value: float
    bins: np.ndarray  # histogram edges (radians)
    density: np.ndarray  # histogram density (per radian)
    theory: np.ndarray  # the density at the bin centres


def angle_fit(sample: np.ndarray, n: int, bins: int = 60) -> AngleFit:
    """Goodness of fit of measured angles to the sin^{n-2} density: Kolmogorov-Smirnov against the
    numerically integrated CDF, and a chi-square test on the histogram (bins merged to >= 5 expected)."""
    sample = np.asarray(sample, np.float64)
    cdf = AngleCDF(n)
    ks = stats.kstest(sample, cdf)
    spread = 1.0 / np.sqrt(max(n - 1, 1))
    lo, hi = (0.0, np.pi) if n <= 6 else (max(0.0, np.pi / 2 - 6 * spread), min(np.pi, np.pi / 2 + 6 * spread))
    edges = np.linspace(lo, hi, bins + 1)
    density, _ = np.histogram(sample, bins=edges, density=False)
    width = edges[1] - edges[0]
    density = density / (len(sample) * width)
    centres = 0.5 * (edges[:-1] + edges[1:])
    # chi-square on equal-probability bins
    k = max(4, min(50, len(sample) // 20))
    quantiles = np.interp(np.linspace(0, 1, k + 1), cdf.values, cdf.theta)
    observed = np.histogram(sample, bins=np.unique(np.r_[0.0, quantiles[1:-1], np.pi]))[0]
    expected = np.full(len(observed), len(sample) / len(observed))
    chi = stats.chisquare(observed, expected)
    return AngleFit(n, sample, float(ks.statistic), float(ks.pvalue), float(chi.statistic), float(chi.pvalue),
                    edges, density, angle_pdf(centres, n))
