"""k-means (k-means++ initialisation) and a Gaussian mixture (EM, full covariances), batched in torch."""
from __future__ import annotations

import math

import numpy as np
import torch

from engines.device import DeviceLike, as_device
from engines.errors import InputError
from engines.jobs import checker


def kmeans_pp(x: torch.Tensor, k: int, gen: torch.Generator) -> torch.Tensor:
    n = x.shape[0]
    centers = [x[torch.randint(n, (1,), generator=gen, device="cpu").item()]]
    d2 = ((x - centers[0]) ** 2).sum(1)
    for _ in range(1, k):
        total = d2.sum()
        if not total > 0:  # every point sits on a centre already
            m = len(centers)
            raise InputError(f"the {n:,} points take only {m} distinct position{'s' if m > 1 else ''}, too few "
                             f"for {k} clusters; ask for at most {m} or give more varied data")
        probs = (d2 / total).cpu()
        idx = torch.multinomial(probs, 1, generator=gen).item()
        centers.append(x[idx])
        d2 = torch.minimum(d2, ((x - x[idx]) ** 2).sum(1))
    return torch.stack(centers)


def kmeans(data: np.ndarray, k: int, restarts: int = 10, iters: int = 300, seed: int = 0,
           device: DeviceLike = "cpu", reporter=None) -> tuple[np.ndarray, np.ndarray, float]:
    """Labels, centres and inertia of the best of ``restarts`` k-means++ runs."""
    x = torch.as_tensor(data, dtype=torch.float64, device=as_device(device))
    gen = torch.Generator().manual_seed(seed)
    best = (None, None, math.inf)
    check = checker(reporter)
    for r in range(restarts):
        centers = kmeans_pp(x, k, gen)
        for _ in range(iters):
            check()
            labels = torch.cdist(x, centers).argmin(1)
            new = torch.zeros_like(centers).index_add_(0, labels, x)
            counts = torch.bincount(labels, minlength=k).clamp(min=1).unsqueeze(1).to(x.dtype)
            new = torch.where(counts > 0, new / counts, centers)
            empty = torch.bincount(labels, minlength=k) == 0
            new[empty] = centers[empty]
            if torch.allclose(new, centers):
                centers = new
                break
            centers = new
        labels = torch.cdist(x, centers).argmin(1)
        inertia = float(((x - centers[labels]) ** 2).sum())
        if inertia < best[2]:
            best = (labels.cpu().numpy(), centers.cpu().numpy(), inertia)
        if reporter is not None:
            reporter.progress((r + 1) / restarts, f"k-means restart {r + 1}/{restarts}")
    return best


def gmm(data: np.ndarray, k: int, restarts: int = 3, iters: int = 200, seed: int = 0, reg: float = 1e-4,
        device: DeviceLike = "cpu", reporter=None) -> tuple[np.ndarray, float]:
    """Labels and log-likelihood of the best EM fit of a full-covariance Gaussian mixture (k-means init)."""
    x = torch.as_tensor(data, dtype=torch.float64, device=as_device(device))
    n, d = x.shape
    best = (None, -math.inf)
    eye = torch.eye(d, dtype=x.dtype, device=x.device)
    check = checker(reporter)
    for r in range(restarts):
        labels, _, _ = kmeans(data, k, restarts=10 if r == 0 else 1, seed=seed + 1000 * r, device=device,
                              reporter=reporter)
        resp = torch.nn.functional.one_hot(torch.as_tensor(labels, device=x.device), k).to(x.dtype)
        prev = -math.inf
        ll = -math.inf
        for _ in range(iters):
            check()
            nk = resp.sum(0) + 1e-10
            weights = nk / n
            means = resp.T @ x / nk.unsqueeze(1)
            diff = x.unsqueeze(0) - means.unsqueeze(1)  # (k, n, d)
            cov = torch.einsum("kn,knd,kne->kde", resp.T, diff, diff) / nk.view(k, 1, 1) + reg * eye
            chol = torch.linalg.cholesky(cov)
            sol = torch.linalg.solve_triangular(chol, diff.transpose(1, 2), upper=False)  # (k, d, n)
            maha = sol.pow(2).sum(1)  # (k, n)
            logdet = 2 * torch.log(torch.diagonal(chol, dim1=1, dim2=2)).sum(1)
            logp = -0.5 * (maha + logdet.unsqueeze(1) + d * math.log(2 * math.pi)) + torch.log(weights).unsqueeze(1)
            norm = torch.logsumexp(logp, 0)
            ll = float(norm.sum())
            resp = torch.exp(logp - norm).T
            if abs(ll - prev) < 1e-6 * abs(ll):
                break
            prev = ll
        if ll > best[1] or best[0] is None:
            best = (resp.argmax(1).cpu().numpy(), ll)
        if reporter is not None:
            reporter.progress((r + 1) / restarts, f"GMM restart {r + 1}/{restarts}")
    return best
