"""The probability-flow ODE solved adaptively with scipy (RK45): a reference with controlled error.

In VE coordinates with u = log σ the ODE is dx/du = x − D(x; σ); it is integrated from σ_max down to
the smallest positive σ of the grid, then denoised once (x̂0 there). The number of calls is the solver's,
at most :data:`MAX_CALLS`: a tolerance that needs more stops the run with a message.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from engines.diffusion.samplers.base import call, prior
from engines.errors import InputError

MAX_CALLS = 1000  # model calls the solver may spend (the default tolerance takes a few hundred at most)


class _OverBudget(Exception):
    """Raised inside the solver's right-hand side once it has spent :data:`MAX_CALLS` calls."""


def pf_ode(model, noise, sigmas, record=None, generator=None, rtol: float = 1e-4):
    """``rtol``: the solver's relative and absolute tolerance."""
    from scipy.integrate import solve_ivp

    positive = [s for s in sigmas if 0 < s < math.inf]
    s_max, s_min = positive[0], positive[-1]
    x = prior(noise, s_max, "ve")
    shape, dtype, device = x.shape, x.dtype, x.device

    calls = 0

    def rhs(u: float, y: np.ndarray) -> np.ndarray:
        nonlocal calls
        calls += 1
        if calls >= MAX_CALLS:  # the final denoising call below is the last one allowed
            raise _OverBudget
        xt = torch.as_tensor(y, dtype=dtype).reshape(shape).to(device)
        x0 = call(model, xt, 1.0, math.exp(u), record)
        return (xt - x0).reshape(-1).double().cpu().numpy()

    try:
        sol = solve_ivp(rhs, (math.log(s_max), math.log(s_min)), x.reshape(-1).double().cpu().numpy(),
                        method="RK45", rtol=rtol, atol=rtol)
    except _OverBudget:
        raise InputError(f"pf_ode needed more than {MAX_CALLS} model calls at rtol {rtol:g} and was stopped; "
                         "raise rtol (1e-4 takes a few hundred calls)") from None
    if not sol.success:
        raise InputError(f"pf_ode's ODE solver failed at rtol {rtol:g} ({sol.message}); raise rtol")
    x = torch.as_tensor(sol.y[:, -1], dtype=dtype).reshape(shape).to(device)
    return call(model, x, 1.0, s_min, record)
