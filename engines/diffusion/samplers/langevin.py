"""Annealed Langevin dynamics (Song & Ermon 2019, NCSN): a few Langevin steps at each of a descending
sequence of noise levels with step size α_i = 2·step·σ_i² (NCSN's α ∝ σ²; ``step`` is the fraction of
the way to x̂0 each step moves); the result is the last call's x̂0 (Tweedie's denoising)."""
from __future__ import annotations

from engines.diffusion.samplers.base import call, prior, randn_like


def langevin(model, noise, sigmas, record=None, generator=None, steps_per_level: int = 2, step: float = 0.5):
    """``sigmas``: the levels (a trailing 0 is ignored); ``steps_per_level`` model calls at each."""
    levels = [s for s in sigmas if s > 0]
    x = prior(noise, levels[0], "ve")
    x0 = x
    for s in levels:
        alpha = 2 * step * s * s
        for _ in range(max(1, int(steps_per_level))):
            x0 = call(model, x, 1.0, s, record)
            x = x + step * (x0 - x) + alpha ** 0.5 * randn_like(x, generator)
    return x0
