"""Euler on the probability-flow ODE dx/dσ = (x − D(x; σ))/σ (Karras et al. 2022, Alg. 1 without churn)."""
from __future__ import annotations

from engines.diffusion.samplers.base import call, prior


def euler(model, noise, sigmas, record=None, generator=None):
    """VE coordinates; one model call per step; the last step (to σ = 0) lands on x̂0."""
    x = prior(noise, sigmas[0], "ve")
    for s, s_next in zip(sigmas[:-1], sigmas[1:]):
        x0 = call(model, x, 1.0, s, record)
        x = x + (s_next - s) / s * (x - x0)
    return x
