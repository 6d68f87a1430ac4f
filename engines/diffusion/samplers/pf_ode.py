"""The probability-flow ODE solved adaptively with scipy (RK45): a reference with controlled error.

In VE coordinates with u = log σ the ODE is dx/du = x − D(x; σ); it is integrated from σ_max down to
the smallest positive σ of the grid, then denoised once (x̂0 there). The number of calls is the solver's.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from engines.diffusion.samplers.base import call, prior


def pf_ode(model, noise, sigmas, record=None, generator=None, rtol: float = 1e-4):
    """``rtol``: the solver's relative and absolute tolerance."""
    from scipy.integrate import solve_ivp

    positive = [s for s in sigmas if 0 < s < math.inf]
    s_max, s_min = positive[0], positive[-1]
    x = prior(noise, s_max, "ve")
    shape, dtype, device = x.shape, x.dtype, x.device

    def rhs(u: float, y: np.ndarray) -> np.ndarray:
        xt = torch.as_tensor(y, dtype=dtype).reshape(shape).to(device)
        x0 = call(model, xt, 1.0, math.exp(u), record)
        return (xt - x0).reshape(-1).double().cpu().numpy()

    sol = solve_ivp(rhs, (math.log(s_max), math.log(s_min)), x.reshape(-1).double().cpu().numpy(),
                    method="RK45", rtol=rtol, atol=rtol)
    if not sol.success:
        raise RuntimeError(f"the ODE solver failed: {sol.message}")
    x = torch.as_tensor(sol.y[:, -1], dtype=dtype).reshape(shape).to(device)
    return call(model, x, 1.0, s_min, record)
