"""DDPM ancestral sampling (Ho et al. 2020): draw x_{t'} from the posterior q(x_{t'} | x_t, x̂0)."""
from __future__ import annotations

import math

from engines.diffusion.samplers.base import call, prior, randn_like


def ddpm(model, noise, sigmas, record=None, generator=None):
    """VP coordinates; a skipped grid uses the posterior between the two grid levels (= DDIM with η = 1)."""
    x = prior(noise, sigmas[0], "vp")
    for s, s_next in zip(sigmas[:-1], sigmas[1:]):
        ab, ab_next = 1 / (1 + s * s), 1 / (1 + s_next * s_next)
        x0 = call(model, x, math.sqrt(ab), math.sqrt(1 - ab), record)
        if s_next == 0:
            return x0
        one_minus = s * s * ab  # 1 − ᾱ_t, exact for small σ
        one_minus_next = s_next * s_next * ab_next
        beta = 1 - ab / ab_next
        mean = (math.sqrt(ab_next) * beta / one_minus) * x0 + (math.sqrt(ab / ab_next) * one_minus_next / one_minus) * x
        x = mean + math.sqrt(one_minus_next / one_minus * beta) * randn_like(x, generator)
    return x
