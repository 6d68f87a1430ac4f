"""DDIM (Song et al. 2020) with η: η = 0 deterministic, η = 1 the DDPM posterior."""
from __future__ import annotations

import math

from engines.diffusion.samplers.base import call, prior, randn_like


def ddim(model, noise, sigmas, record=None, generator=None, eta: float = 0.0):
    """x_{t'} = √ᾱ' x̂0 + √(1 − ᾱ' − s²) ε̂ + s z, s = η √((1−ᾱ')/(1−ᾱ)) √(1 − ᾱ/ᾱ'); VP coordinates."""
    x = prior(noise, sigmas[0], "vp")
    for s, s_next in zip(sigmas[:-1], sigmas[1:]):
        ab, ab_next = 1 / (1 + s * s), 1 / (1 + s_next * s_next)
        a, b = math.sqrt(ab), math.sqrt(1 - ab)
        x0 = call(model, x, a, b, record)
        if s_next == 0:
            return x0
        eps = (x - a * x0) / b
        one_minus_next = s_next * s_next * ab_next
        std = eta * math.sqrt(one_minus_next / (s * s * ab) * (1 - ab / ab_next))
        x = math.sqrt(ab_next) * x0 + math.sqrt(max(one_minus_next - std * std, 0.0)) * eps
        if std > 0:
            x = x + std * randn_like(x, generator)
    return x
