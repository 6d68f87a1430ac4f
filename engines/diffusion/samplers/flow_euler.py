"""Euler for flow matching / rectified flow: x_{t'} = x_t + (t' − t)·u, u = ε̂ − x̂0 = (x_t − x̂0)/t."""
from __future__ import annotations

from engines.diffusion.samplers.base import call, prior


def flow_euler(model, noise, sigmas, record=None, generator=None):
    """Flow coordinates x_t = (1 − t) x0 + t ε, t = σ/(1 + σ) (σ = ∞ is t = 1, pure noise)."""
    ts = [1.0 if s == float("inf") else s / (1 + s) for s in sigmas]
    x = prior(noise, sigmas[0], "flow")
    for t, t_next in zip(ts[:-1], ts[1:]):
        x0 = call(model, x, 1.0 - t, t, record)
        x = x + (t_next - t) / t * (x - x0)
    return x
