"""DPM-Solver++(2M) (Lu et al. 2022): a 2nd-order multistep solver on x̂0 in λ = −log σ, one call per step.

First step first order; the last step (to σ = 0) returns x̂0 (diffusers' ``final_sigmas_type="zero"``).
``previous``: (σ, x̂0) of a call before ``sigmas[0]`` when a run is resumed there (engines.diffusion.branch):
the first step is then second order too.
"""
from __future__ import annotations

import math

from engines.diffusion.samplers.base import call, prior


def dpmpp_2m(model, noise, sigmas, record=None, generator=None, previous=None):
    x = prior(noise, sigmas[0], "ve")  # ``previous``: (σ, x̂0) of the last step
    for s, s_next in zip(sigmas[:-1], sigmas[1:]):
        x0 = call(model, x, 1.0, s, record)
        if s_next == 0:
            return x0
        h = math.log(s / s_next)
        d = x0
        if previous is not None:
            r = math.log(previous[0] / s) / h
            d = x0 + (0.5 / r) * (x0 - previous[1])
        x = (s_next / s) * x - math.expm1(-h) * d
        previous = (s, x0)
    return x
