"""Perceptual path length (Karras et al., StyleGAN 2019): E[d(G(z(t)), G(z(t + eps))) / eps^2], t ~ U(0, 1),
over random pairs of prior samples, for lerp and slerp paths. d is the squared distance between decoded
images in pixels or in a small fixed feature space (random 3x3 filters, ReLU, 2x2 pooling). Decoding runs in
float64 so that steps of eps = 1e-4 are far above rounding error.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch

from engines.latent.catalogue import DISTANCES, INTERPOLATIONS
from engines.latent.interpolation import lerp_batch, slerp_batch
from engines.latent.models import LatentModel

EPSILON = 1e-4


@dataclass(frozen=True)
class PathLength:
    mode: str
    distance: str
    t: np.ndarray  # (P,) the t of each sample
    values: np.ndarray  # (P,) d / eps^2
    mean: float  # mean after dropping the lowest and highest 1% (as StyleGAN does)
    median: float
    speed2: np.ndarray | None = None  # (P,) squared latent speed |z(t+eps) - z(t)|^2 / eps^2

    def per_unit_latent(self) -> "PathLength":
        """d / |dz|^2: how much the decoder stretches along the path, whatever the path's latent speed
        (a slerp arc is longer than the lerp chord between the same ends)."""
        v = self.values / np.maximum(self.speed2, 1e-300)
        return PathLength(self.mode, self.distance, self.t, v, _trimmed_mean(v), float(np.median(v)), self.speed2)


class FeatureDistance:
    """A fixed small feature map: 16 random 3x3 filters per channel, ReLU, 2x2 average pooling."""

    def __init__(self, channels: int, seed: int = 0) -> None:
        gen = torch.Generator().manual_seed(seed)
        self.weight = torch.randn(16, channels, 3, 3, generator=gen, dtype=torch.float64) / 3.0

    def __call__(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        fa = torch.nn.functional.avg_pool2d(torch.relu(torch.nn.functional.conv2d(a, self.weight, padding=1)), 2, ceil_mode=True)
        fb = torch.nn.functional.avg_pool2d(torch.relu(torch.nn.functional.conv2d(b, self.weight, padding=1)), 2, ceil_mode=True)
        return (fa - fb).pow(2).flatten(1).sum(-1)


def _trimmed_mean(values: np.ndarray) -> float:
    lo, hi = np.percentile(values, [1, 99])
    keep = values[(values >= lo) & (values <= hi)]
    return float(keep.mean()) if len(keep) else float("nan")


@torch.no_grad()
def path_length(model: LatentModel, pairs: int = 1000, mode: str = "slerp", distance: str = "pixel",
                seed: int = 0, epsilon: float = EPSILON, z0: np.ndarray | None = None, z1: np.ndarray | None = None,
                t: np.ndarray | None = None, reporter=None) -> PathLength:
    """The path length of ``pairs`` random prior pairs (or the given endpoints) for one path ``mode``."""
    INTERPOLATIONS[mode], DISTANCES[distance]  # InputError naming the known ones
    if distance == "feature" and not model.config.is_image:
        distance = "pixel"
    rng = np.random.default_rng(seed)
    n = model.latent_size
    if z0 is None:
        z0 = rng.standard_normal((pairs, n))
        z1 = rng.standard_normal((pairs, n))
    if t is None:
        t = rng.uniform(0.0, 1.0 - epsilon, len(z0))
    step = lerp_batch if mode == "lerp" else slerp_batch
    za, zb = step(z0, z1, t), step(z0, z1, t + epsilon)
    g = copy.deepcopy(model).double().eval().cpu()
    feat = FeatureDistance(model.config.data_shape[0]) if distance == "feature" else None
    values = []
    for start in range(0, len(za), 256):
        a = g.decode(torch.from_numpy(za[start:start + 256]))
        b = g.decode(torch.from_numpy(zb[start:start + 256]))
        d = feat(a, b) if feat is not None else (a - b).pow(2).flatten(1).sum(-1)
        values.append(d.numpy() / epsilon ** 2)
        if reporter is not None:
            reporter.check()
    v = np.concatenate(values)
    speed2 = ((zb - za) ** 2).sum(axis=1) / epsilon ** 2
    return PathLength(mode, distance, np.asarray(t), v, _trimmed_mean(v), float(np.median(v)), speed2)


def path_length_job(reporter, model: LatentModel, pairs: int = 1000, distance: str = "pixel", seed: int = 0
                    ) -> dict[str, PathLength]:
    """Job: the same random pairs and times for lerp and for slerp."""
    rng = np.random.default_rng(seed)
    n = model.latent_size
    z0, z1 = rng.standard_normal((pairs, n)), rng.standard_normal((pairs, n))
    t = rng.uniform(0.0, 1.0 - EPSILON, pairs)
    out = {}
    for i, mode in enumerate(("lerp", "slerp")):
        reporter.progress(i / 2, f"path length ({mode}, {pairs} pairs)")
        out[mode] = path_length(model, pairs, mode, distance, seed, z0=z0, z1=z1, t=t, reporter=reporter)
    reporter.progress(1.0, "path length done")
    return out


def binned(result: PathLength, bins: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Mean path-length density per t bin (centres, trimmed means), for the figure."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(result.t, edges) - 1, 0, bins - 1)
    means = np.array([_trimmed_mean(result.values[idx == b]) if (idx == b).sum() > 2 else np.nan for b in range(bins)])
    return 0.5 * (edges[:-1] + edges[1:]), means
