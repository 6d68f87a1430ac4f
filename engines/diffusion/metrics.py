"""Sample quality: sliced Wasserstein and MMD for points, a Fréchet distance in digit-classifier features.

* :func:`sliced_wasserstein` SW₂ over random unit directions (quantile-matched, so sizes may differ),
* :func:`mmd` the unbiased squared MMD with a sum of RBF kernels at 0.5×, 1×, 2× the median distance,
* :func:`frechet_digits` the Fréchet distance (as FID) between Gaussians fitted to the 64-d penultimate
  features of a small digits classifier the project trains itself (:func:`digits_classifier`, seeded,
  ~1 s on a CPU, 97 % test accuracy).
"""
from __future__ import annotations

import functools

import numpy as np
import torch
from torch import nn

PROJECTIONS = 128
MMD_POINTS = 1000


def _flat(x, dtype=torch.float64) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(x), dtype=dtype)
    return t.reshape(t.shape[0], -1)


def sliced_wasserstein(x, y, projections: int = PROJECTIONS, seed: int = 0) -> float:
    """√(mean over directions of W₂² between the 1D projections); the same directions for a given seed."""
    x, y = _flat(x, torch.float32), _flat(y, torch.float32)
    g = torch.Generator().manual_seed(seed)
    theta = torch.randn(x.shape[1], projections, generator=g)
    theta /= theta.norm(dim=0, keepdim=True)
    px, py = (x @ theta).sort(0).values, (y @ theta).sort(0).values
    n = max(len(px), len(py))
    q = (torch.arange(n, dtype=torch.float32) + 0.5) / n
    qx = _quantiles(px, q) if len(px) != n else px
    qy = _quantiles(py, q) if len(py) != n else py
    return float(((qx - qy).double() ** 2).mean().sqrt())


def _quantiles(sorted_values: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    m = len(sorted_values)
    pos = q * m - 0.5
    lo = pos.floor().clamp(0, m - 1).long()
    hi = (lo + 1).clamp(max=m - 1)
    w = (pos - lo).clamp(0, 1)[:, None]
    return sorted_values[lo] * (1 - w) + sorted_values[hi] * w


def mmd(x, y, max_points: int = MMD_POINTS, seed: int = 0) -> float:
    """Unbiased MMD² with RBF kernels at bandwidths {0.5, 1, 2} × the median pairwise distance."""
    x, y = _flat(x, torch.float32), _flat(y, torch.float32)
    g = torch.Generator().manual_seed(seed)
    if len(x) > max_points:
        x = x[torch.randperm(len(x), generator=g)[:max_points]]
    if len(y) > max_points:
        y = y[torch.randperm(len(y), generator=g)[:max_points]]
    z = torch.cat([x, y])
    d2 = torch.cdist(z, z).square()
    sub = d2[:300, -300:]  # the median distance from a block of x–y pairs (a full sort is slow)
    med = sub[sub > 0].median() if (sub > 0).any() else torch.tensor(1.0)
    k = sum(torch.exp(d2 * (-1.0 / (2 * s * s * float(med)))) for s in (0.5, 1.0, 2.0))
    n, m = len(x), len(y)
    kxx, kyy, kxy = k[:n, :n], k[n:, n:], k[:n, n:]
    return float((kxx.double().sum() - kxx.diag().double().sum()) / (n * (n - 1))
                 + (kyy.double().sum() - kyy.diag().double().sum()) / (m * (m - 1)) - 2 * kxy.double().mean())


class DigitsClassifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.SiLU(), nn.Linear(128, 64), nn.SiLU())
        self.head = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


@functools.lru_cache(maxsize=1)
def digits_classifier(steps: int = 600, seed: int = 0) -> DigitsClassifier:
    """A small classifier of the 8×8 digits (train split), trained here with a fixed seed."""
    from engines.data import digits_split

    split = digits_split()
    x = torch.as_tensor(split.train_x).permute(0, 3, 1, 2)
    y = torch.as_tensor(split.train_y)
    g = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        net = DigitsClassifier()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    with torch.enable_grad():
        for _ in range(steps):
            idx = torch.randint(len(x), (128,), generator=g)
            xb = (x[idx] + 0.05 * torch.randn(x[idx].shape, generator=g)).clamp(0, 1)
            loss = nn.functional.cross_entropy(net(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net.eval()


def digits_features(images) -> np.ndarray:
    """64-d features of images (N, 1, 8, 8) or (N, 8, 8, 1) in [0, 1]."""
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x.permute(0, 3, 1, 2)
    with torch.no_grad():
        return digits_classifier().features(x.reshape(len(x), 1, 8, 8).clamp(0, 1)).double().numpy()


def frechet_distance(fx: np.ndarray, fy: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to the rows of ``fx`` and of ``fy``."""
    return frechet_gaussians(fx.mean(0), np.cov(fx, rowvar=False), fy.mean(0), np.cov(fy, rowvar=False))


def frechet_gaussians(mu1: np.ndarray, c1: np.ndarray, mu2: np.ndarray, c2: np.ndarray) -> float:
    """The squared Fréchet (2-Wasserstein) distance between N(mu1, c1) and N(mu2, c2) (Dowson & Landau 1982;
    FID, Heusel et al. 2017): |mu1 - mu2|² + tr(c1 + c2 - 2 (c1^½ c2 c1^½)^½). tr (c1 c2)^½ is taken as
    tr (c1^½ c2 c1^½)^½, the same number, from two symmetric eigendecompositions: no general matrix square
    root, no complex round-off."""
    root1 = _psd_sqrt(np.atleast_2d(c1))
    inner = np.linalg.eigvalsh(root1 @ np.atleast_2d(c2) @ root1)
    cross = np.sqrt(np.clip(inner, 0.0, None)).sum()
    return float(((np.asarray(mu1) - np.asarray(mu2)) ** 2).sum() + np.trace(np.atleast_2d(c1 + c2)) - 2 * cross)


def _psd_sqrt(c: np.ndarray) -> np.ndarray:
    """The symmetric square root of a symmetric positive semi-definite matrix (round-off negatives as 0)."""
    w, v = np.linalg.eigh((c + c.T) / 2)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_digits(x, y) -> float:
    """Fréchet distance between two sets of digit images in :func:`digits_features` space."""
    return frechet_distance(digits_features(x), digits_features(y))
