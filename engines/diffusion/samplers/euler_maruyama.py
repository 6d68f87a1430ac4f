"""Euler–Maruyama on the reverse-time SDE dx = −d(σ²)·∇log p dt + √(d(σ²)/dt) dw̄ (Song et al. 2021)."""
from __future__ import annotations

from engines.diffusion.samplers.base import call, prior, randn_like


def euler_maruyama(model, noise, sigmas, record=None, generator=None):
    """VE coordinates; step x += (σ² − σ'²)·score + √(σ² − σ'²)·z; the last step returns x̂0 (Tweedie)."""
    x = prior(noise, sigmas[0], "ve")
    for s, s_next in zip(sigmas[:-1], sigmas[1:]):
        x0 = call(model, x, 1.0, s, record)
        if s_next == 0:
            return x0
        dv = s * s - s_next * s_next
        x = x + (dv / (s * s)) * (x0 - x) + dv ** 0.5 * randn_like(x, generator)
    return x
