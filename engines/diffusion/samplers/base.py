"""What every sampler shares: the per-model-call callback and the prior draw.

A sampler is ``fn(model, noise, sigmas, record=None, generator=None, **options) -> x0 samples`` where
``noise`` is standard normal (N, *shape), ``sigmas`` a descending float64 grid of noise levels ending
with 0 (see :mod:`engines.diffusion.schedules`), and ``record(x, a, b, x0)`` is called after *every*
model evaluation with the state x = a·x0 + b·ε the model saw and its x̂0. A multistep sampler may also
take ``previous``, (σ, x̂0) of a call before ``sigmas[0]``, so that a run resumed at ``sigmas[0]``
(:mod:`engines.diffusion.branch`) keeps its history; it is no setting (the catalogue does not list it).
"""
from __future__ import annotations

import math
from typing import Callable, Optional

import torch
from torch import Tensor

from engines.diffusion.schedules import sigma_to_ab

Record = Optional[Callable[[Tensor, float, float, Tensor], None]]


def call(model, x: Tensor, a: float, b: float, record: Record) -> Tensor:
    """One model evaluation, reported to ``record``."""
    x0 = model(x, a, b)
    if record is not None:
        record(x, a, b, x0)
    return x0


def prior(noise: Tensor, sigma: float, coords: str) -> Tensor:
    """The starting state at noise level σ in ``coords``: x = √(a² + b²)·z (the VP prior, rescaled)."""
    a, b = sigma_to_ab(sigma, coords)
    scale = math.hypot(a, b)
    return noise * scale if scale != 1.0 else noise.clone()


def randn_like(x: Tensor, generator: torch.Generator | None) -> Tensor:
    return torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
