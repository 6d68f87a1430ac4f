"""Embeddings to cluster on: PCA, and a neighbour embedding (exact t-SNE in torch, batched on a device).

Exact t-SNE is O(n^2) per step, fine for a few thousand points (sklearn's digits: 1,797) and fast in torch;
larger sets are refused (cluster them on PCA). The perplexity calibration (binary search
of each point's bandwidth) is vectorised over all points.
"""
from __future__ import annotations

import numpy as np
import torch

from engines.cluster.catalogue import EMBEDDINGS
from engines.device import DeviceLike, as_device
from engines.errors import InputError
from engines.jobs import checker

MAX_TSNE_POINTS = 12_000


def embed(x: np.ndarray, kind: str, seed: int = 0, device: DeviceLike = "cpu", reporter=None) -> np.ndarray:
    """``x`` in the embedding ``kind`` of :data:`engines.cluster.catalogue.EMBEDDINGS`."""
    entry = EMBEDDINGS[kind]
    if kind == "raw":
        return x
    if kind == "pca":
        return pca(x, min(entry.dims, x.shape[1]))
    if kind == "tsne":
        return tsne(x, entry.dims, seed=seed, device=device, reporter=reporter)
    raise NotImplementedError(f"embedding {kind!r} is in the catalogue but not in engines.cluster.embed.embed")


def pca(x: np.ndarray, dim: int, pad: bool = False) -> np.ndarray:
    """The first ``dim`` principal components of ``x`` (N, D): at most min(N, D) of them, or with ``pad``
    exactly ``dim``, zero columns past those (1-D data drawn in a plane)."""
    xt = torch.as_tensor(x, dtype=torch.float64)
    xt = xt - xt.mean(0)
    kept = min(dim, min(xt.shape))
    u, s, _ = torch.linalg.svd(xt, full_matrices=False)
    out = (u[:, :kept] * s[:kept]).numpy()
    return np.pad(out, ((0, 0), (0, dim - kept))) if pad else out


def _affinities(x: torch.Tensor, perplexity: float) -> torch.Tensor:
    n = x.shape[0]
    d2 = torch.cdist(x, x).pow(2)
    d2.fill_diagonal_(float("inf"))
    target = np.log(perplexity)
    lo = torch.full((n, 1), -20.0, dtype=x.dtype, device=x.device)  # log beta bounds
    hi = torch.full((n, 1), 20.0, dtype=x.dtype, device=x.device)
    scale = d2[torch.isfinite(d2)].median()
    d2 = d2 / scale
    for _ in range(60):
        mid = (lo + hi) / 2
        logits = -d2 * mid.exp()
        p = torch.softmax(logits, 1)
        entropy = -(p * torch.log(p.clamp_min(1e-30))).sum(1, keepdim=True)
        too_flat = entropy > target  # increase beta
        lo = torch.where(too_flat, mid, lo)
        hi = torch.where(too_flat, hi, mid)
    p = torch.softmax(-d2 * ((lo + hi) / 2).exp(), 1)
    p = (p + p.T) / (2 * n)
    return p.clamp_min(1e-12)


def tsne(x: np.ndarray, dim: int = 2, perplexity: float = 30.0, steps: int = 750, seed: int = 0,
         device: DeviceLike = "cpu", reporter=None, init: np.ndarray | None = None) -> np.ndarray:
    """Exact t-SNE (van der Maaten & Hinton 2008) with early exaggeration and momentum gradient descent."""
    n = len(x)
    if n > MAX_TSNE_POINTS:
        raise InputError(f"exact t-SNE is limited to {MAX_TSNE_POINTS:,} points, got {n:,}; cluster on PCA instead")
    if n <= perplexity:
        raise InputError(f"t-SNE needs more points than its perplexity ({perplexity:g}), got {n}; "
                         "cluster on PCA or the raw data instead")
    dev = as_device(device)
    xt = torch.as_tensor(pca(x, 50) if x.shape[1] > 50 else x, dtype=torch.float32, device=dev)
    p = _affinities(xt.double(), perplexity).float()
    if init is None:
        init = pca(x, dim, pad=True)
    y = torch.as_tensor(init[:, :dim], dtype=torch.float32, device=dev)
    y = y / y[:, 0].std() * 1e-2 * 100  # std 1 start is fine for exact gradients
    velocity = torch.zeros_like(y)
    gains = torch.ones_like(y)
    lr = max(n / 12.0 / 4, 50.0)
    check = checker(reporter)
    for step in range(steps):
        check()
        exag = 12.0 if step < 250 else 1.0
        mom = 0.5 if step < 250 else 0.8
        diff = y.unsqueeze(1) - y.unsqueeze(0)
        num = 1.0 / (1.0 + diff.pow(2).sum(-1))
        num.fill_diagonal_(0.0)
        q = (num / num.sum()).clamp_min(1e-12)
        w = (exag * p - q) * num
        grad = 4.0 * (w.unsqueeze(-1) * diff).sum(1)
        same = torch.sign(grad) == torch.sign(velocity)
        gains = torch.where(same, gains * 0.8, gains + 0.2).clamp_min(0.01)
        velocity = mom * velocity - lr * gains * grad
        y = y + velocity
        y = y - y.mean(0)
        if reporter is not None and step % 25 == 0:
            reporter.progress(step / steps, f"t-SNE step {step}/{steps}")
    return y.cpu().numpy().astype(np.float64)
