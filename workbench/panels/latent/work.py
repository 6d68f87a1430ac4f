"""The panel's thread jobs: plain functions ``job(reporter, ...)`` that call the engine (imported inside).

Training and t-SNE run the engine's own module-level jobs in a subprocess (they hold the GIL for long);
these small ones run in threads.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np


@dataclass
class PathRequest:
    """Which interpolation to show: two items, or two prior samples from ``prior_seed``."""

    start: int = 0
    end: int = 1
    prior_seed: Optional[int] = None
    steps: int = 9
    analogy: tuple[int, int, int] = (0, 1, 2)


@dataclass
class PathResult:
    request: PathRequest
    interpolation: Any  # engines.latent.analysis.Interpolation
    analogy: Any  # Analogy or None
    prior: Any  # Interpolation between two prior samples (for the norm picture)


def load_job(reporter, source, data=None, steps: int = 9, seed: int = 0):
    """Load a checkpoint (a path, or (config, state, info) from a training run), encode the data, compute
    the first views; returns (Overview, PathResult)."""
    from engines.latent.analysis import default_analogy, default_pair, overview
    from engines.latent.checkpoint import checkpoint_from_state

    if isinstance(source, tuple):
        source = checkpoint_from_state(*source)
    ov = overview(source, data, steps, None, seed, reporter)
    i, j = default_pair(ov.encoded)
    request = PathRequest(i, j, None, steps, default_analogy(ov.encoded))
    return ov, path_job(reporter, ov.checkpoint.model, ov.encoded, request, seed)


def path_job(reporter, model, encoded, request: PathRequest, seed: int = 0) -> PathResult:
    from engines.latent.analysis import interpolate, interpolate_items, make_analogy, prior_pair

    n = model.latent_size
    if request.prior_seed is None:
        interp = interpolate_items(model, encoded, request.start, request.end, request.steps)
    else:
        z0, z1 = prior_pair(n, request.prior_seed)
        interp = interpolate(model, z0, z1, request.steps, ("prior sample", "prior sample"))
    reporter.check()
    analogy = None
    if model.config.is_image:
        a, b, c = (min(max(k, 0), len(encoded.z) - 1) for k in request.analogy)
        analogy = make_analogy(model, encoded, a, b, c)
    z0, z1 = prior_pair(n, seed if request.prior_seed is None else request.prior_seed)
    prior = interpolate(model, z0, z1, max(request.steps, 25), ("prior sample", "prior sample"))
    return PathResult(request, interp, analogy, prior)


def manifold_job(reporter, model, x_range, y_range, n: int = 20) -> tuple[np.ndarray, tuple, tuple]:
    from engines.latent.analysis import manifold_grid

    return manifold_grid(model, x_range, y_range, n), x_range, y_range


def ppl_job(reporter, model, pairs: int = 1000, distance: str = "pixel", seed: int = 0) -> dict:
    from engines.latent.pathlength import path_length_job

    results = path_length_job(reporter, model, pairs, distance, seed)
    return {m: {"raw": r, "unit": r.per_unit_latent()} for m, r in results.items()}


def save_job(reporter, path, ckpt, extra: dict) -> dict:
    from engines.latent.checkpoint import save_checkpoint

    reporter.progress(None, f"saving {path}")
    return save_checkpoint(path, ckpt.model.state_dict(), ckpt.config, extra)
