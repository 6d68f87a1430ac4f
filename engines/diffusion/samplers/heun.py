"""Heun's 2nd-order method on the probability-flow ODE (Karras et al. 2022, Alg. 1): N steps cost
2N − 1 model calls because the last step, to σ = 0, is Euler."""
from __future__ import annotations

from engines.diffusion.samplers.base import call, prior


def heun(model, noise, sigmas, record=None, generator=None):
    x = prior(noise, sigmas[0], "ve")
    for s, s_next in zip(sigmas[:-1], sigmas[1:]):
        d = (x - call(model, x, 1.0, s, record)) / s
        x_euler = x + (s_next - s) * d
        if s_next == 0:
            x = x_euler
        else:
            d_next = (x_euler - call(model, x_euler, 1.0, s_next, record)) / s_next
            x = x + (s_next - s) * 0.5 * (d + d_next)
    return x
