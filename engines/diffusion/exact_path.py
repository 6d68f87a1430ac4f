"""The exact probability-flow ODE path of a Gaussian mixture, and each call's distance to it.

With the mixture's closed-form denoiser D (:mod:`engines.diffusion.mixture`) the PF-ODE (Song et al. 2021;
EDM form, Karras et al. 2022: dx/dσ = (x − D(x; σ))/σ in σ-scale x = x0 + σ ε) is solved to high accuracy
by scipy's adaptive DOP853 in float64. It is integrated in VP coordinates x_vp = x/√(1 + σ²) against the
angle θ = arctan σ, where it reads

    dx_vp/dθ = (cos θ · x_vp − D(x_vp; a = cos θ, b = sin θ)) / sin θ,

which is regular at σ = ∞ (θ = π/2, where flow matching's t = 1 starts) and at every σ > 0; the path runs
down to σ = :data:`SIGMA_END` (the rest of the way to σ = 0 moves a point by about (σ_END/s)²·|x − μ|, far
below the tolerance). Every sampler starts from x_vp = its noise at its first σ (``prior`` in
:mod:`engines.diffusion.samplers.base`), so one path per starting σ is the exact answer for all of them.

Common scale. Each call's state is compared on the σ scale (VE, x/a: x/√ᾱ for DDPM/DDIM's x_t, x/(1 − t)
for flow matching's x_t, x itself for the EDM samplers), its x̂0 on the data scale; a call at σ = ∞ (flow
matching's first) has the start's noise as its state on every scale, and its state error is recorded as 0
when the states agree there (NaN otherwise: no finite σ-scale distance exists). Distances below float64
round-off (:data:`ROUNDOFF`) are recorded as 0.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from engines.diffusion.mixture import GaussianMixture
from engines.errors import InputError

ROUNDOFF = 1e-12  # VP-scale and x̂0 distances below this are float64 round-off of equal states: recorded as 0
SIGMA_END = 1e-6  # where the exact path stops: its state there is the answer at σ = 0
RTOL = 1e-10  # the solver's relative and absolute tolerance (halving it moves the answer by < 1e-9 relative)


def float64(mixture: GaussianMixture) -> GaussianMixture:
    """The same mixture computing in float64 on the CPU (the exact path and the order sweep run in it)."""
    if not isinstance(mixture, GaussianMixture):
        raise InputError("the exact reference needs an exact Gaussian mixture as the model, not a trained network")
    twin = copy.copy(mixture)
    twin.means, twin.stds, twin.log_weights = (t.detach().to("cpu", torch.float64)
                                               for t in (mixture.means, mixture.stds, mixture.log_weights))
    twin.device = torch.device("cpu")
    return twin


def _theta(sigma: float) -> float:
    return math.pi / 2 if math.isinf(sigma) else math.atan(sigma)


@dataclass
class ExactPath:
    """The exact PF-ODE solution from ``noise`` (N, d) started at ``sigma_start``: :meth:`at` gives its VP
    state at any σ in [0, sigma_start]; ``end`` (N, d) is its state at σ = 0."""

    mixture: GaussianMixture  # float64
    sigma_start: float
    solution: object  # scipy's OdeSolution over θ
    shape: tuple[int, int]
    end: np.ndarray
    calls: int

    def at(self, sigma: float) -> np.ndarray:
        """The VP-scale state x/√(1 + σ²) at ``sigma`` (σ below :data:`SIGMA_END`: the end point)."""
        if sigma < SIGMA_END:
            return self.end
        return self.solution(_theta(sigma)).reshape(self.shape)

    def denoised(self, sigma: float) -> np.ndarray:
        """The exact x̂0 = D(x(σ); σ) on the path (the end point itself at σ = 0)."""
        if sigma < SIGMA_END:
            return self.end
        t = _theta(sigma)
        x = torch.as_tensor(self.at(sigma))
        return self.mixture(x, math.cos(t), math.sin(t)).numpy()


def solve_exact(mixture: GaussianMixture, noise: np.ndarray, sigma_start: float, rtol: float = RTOL,
                check=None) -> ExactPath:
    """The exact path of ``noise`` (N, d) started at ``sigma_start`` (math.inf allowed); ``check`` (a job's
    ``reporter.check``) runs at every evaluation of the right-hand side."""
    from scipy.integrate import solve_ivp

    mix = mixture if mixture.means.dtype == torch.float64 else float64(mixture)
    noise = np.asarray(noise, np.float64)
    shape = noise.shape
    calls = 0

    def rhs(theta: float, y: np.ndarray) -> np.ndarray:
        nonlocal calls
        calls += 1
        if check is not None:
            check()
        a, b = math.cos(theta), math.sin(theta)
        x = torch.as_tensor(y.reshape(shape))
        return ((a * x - mix(x, a, b)) / b).reshape(-1).numpy()

    sol = solve_ivp(rhs, (_theta(sigma_start), _theta(SIGMA_END)), noise.reshape(-1), method="DOP853",
                    rtol=rtol, atol=rtol, dense_output=True)
    if not sol.success:
        raise InputError(f"the exact reference's ODE solver failed at rtol {rtol:g} ({sol.message})")
    end = sol.y[:, -1].reshape(shape)  # VP and σ scale differ by √(1 + σ_END²) − 1 = 5e-13 here
    return ExactPath(mix, float(sigma_start), sol.sol, shape, end, calls)


@dataclass
class CallErrors:
    """Per model call: its σ, and the RMS over samples of the distance of the state (σ scale) and of x̂0
    (data scale) to the exact path's (0 where they agree to :data:`ROUNDOFF`, as at the shared start)."""

    sigma: np.ndarray
    state_error: np.ndarray
    x0_error: np.ndarray


def rms(diff: np.ndarray) -> float:
    """√(mean over samples of ‖diff_i‖²) for diff (N, d)."""
    return float(np.sqrt(np.mean(np.sum(np.square(diff), axis=1))))


def call_errors(path: ExactPath, sigmas: Sequence[float], x_vp: np.ndarray, x0: np.ndarray) -> CallErrors:
    """Errors of recorded calls: ``x_vp`` (calls, N, d) the states in VP scale (as
    :class:`engines.diffusion.recording.FrameRecorder` keeps them), ``x0`` the model's x̂0, at ``sigmas``."""
    state, denoised = [], []
    for sigma, x, x0_k in zip(sigmas, x_vp, x0):
        vp = rms(np.asarray(x, np.float64) - path.at(sigma))
        if vp < ROUNDOFF:
            state.append(0.0)
        else:
            state.append(math.nan if math.isinf(sigma) else vp * math.sqrt(1 + sigma * sigma))
        d = rms(np.asarray(x0_k, np.float64) - path.denoised(sigma))
        denoised.append(d if d >= ROUNDOFF else 0.0)
    return CallErrors(np.asarray(sigmas, np.float64), np.asarray(state), np.asarray(denoised))
