"""Samplers against the exact answer: each call's distance to the exact PF-ODE path, and the final error
against NFE with its fitted slope, the empirical order of convergence (:mod:`engines.diffusion.exact_path`).

:func:`exact_job` runs in float64 on the CPU with the mixture's exact denoiser, from the first
:data:`EXACT_SAMPLES` samples of the same initial noise as :func:`engines.diffusion.run.compare_job`
(same seed). A sampler's final error is the RMS over samples of the distance of its output to the exact
path's end at σ = 0; the empirical order is −slope of log(final error) on log(NFE) by least squares over
:data:`ORDER_NFES` (the model calls each sampler actually spent), shown beside the catalogue's theoretical
order (Euler 1, Heun 2, DPM-Solver++(2M) 2, DDIM 1). The slope over the upper half of the range
(NFE ≥ :data:`UPPER_NFE`) is reported too: on a sharp mixture the low NFEs are pre-asymptotic.

Stochastic samplers (DDPM, Euler–Maruyama, Langevin, DDIM with η > 0) follow no ODE path: their per-call
distance is recorded (it shows them leaving the path), but they have no final error to the path and no
order (their error is in distribution only: the quality-vs-NFE chart). An adaptive sampler (pf_ode) has
one point, at the calls its solver spent.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import numpy as np

from engines.diffusion.catalogue import SAMPLERS
from engines.diffusion.exact_path import CallErrors, ExactPath, call_errors, float64, rms, solve_exact
from engines.diffusion.recording import FrameRecorder
from engines.diffusion.run import _noise, sample_one
from engines.diffusion.samplers import make_plan

EXACT_SAMPLES = 1000  # the reference runs on at most this many samples of the shared noise
ORDER_NFES = (10, 14, 20, 28, 40, 57, 80)  # NFE 10-80, evenly in log
UPPER_NFE = 40


@dataclass
class OrderCurve:
    """Final error against the model calls spent, and the fitted orders (None when not fitted)."""

    nfe: list[int]
    final_error: list[float]
    theory: Optional[int]
    order: Optional[float] = None  # −slope over all points
    upper_order: Optional[float] = None  # −slope over the points with NFE ≥ UPPER_NFE


@dataclass
class ExactResult:
    labels: dict[str, str]  # sampler -> label
    calls: dict[str, CallErrors] = field(default_factory=dict)  # per-call errors at the run's NFE
    orders: dict[str, OrderCurve] = field(default_factory=dict)  # deterministic samplers
    notes: dict[str, str] = field(default_factory=dict)  # sampler -> why it has no order
    samples: int = 0
    upper_nfe: int = UPPER_NFE  # where ``upper_order``'s points start


def deterministic(name: str, settings: dict[str, Any]) -> bool:
    """Whether the sampler with ``settings`` is an ODE solver (DDIM only at η = 0)."""
    return not SAMPLERS[name].stochastic and not (settings.get("eta") or 0.0)


def fitted_order(nfe: Sequence[float], error: Sequence[float]) -> Optional[float]:
    """−slope of log(error) on log(NFE) by least squares (None with fewer than 2 usable points)."""
    n, e = np.asarray(nfe, np.float64), np.asarray(error, np.float64)
    ok = (e > 0) & np.isfinite(e)
    if len(set(n[ok])) < 2:
        return None
    return float(-np.polyfit(np.log(n[ok]), np.log(e[ok]), 1)[0])


class _Paths:
    """Exact paths of the shared noise, solved once per starting σ."""

    def __init__(self, mixture, noise: np.ndarray, check) -> None:
        self.mixture, self.noise, self.check = mixture, noise, check
        self.paths: dict[float, ExactPath] = {}

    def __call__(self, sigma_start: float) -> ExactPath:
        if sigma_start not in self.paths:
            self.paths[sigma_start] = solve_exact(self.mixture, self.noise, sigma_start, check=self.check)
        return self.paths[sigma_start]


def _start(mixture, name: str, settings: dict[str, Any], nfe: int) -> float:
    return float(make_plan(name, mixture, nfe, **settings).sigmas[0])


def exact_job(reporter, mixture, samplers: list[tuple[str, dict[str, Any]]], nfe: int = 20,
              n: int = EXACT_SAMPLES, seed: int = 0, nfes: Sequence[int] = ORDER_NFES) -> ExactResult:
    """Per-call errors of every sampler at ``nfe`` and, for the deterministic ones, final error against each
    of ``nfes``; partials are ExactResult snapshots. ``mixture``: a GaussianMixture (InputError otherwise)."""
    mix = float64(mixture)
    m = min(int(n), EXACT_SAMPLES)
    noise = _noise(int(n), tuple(mix.shape), seed, "cpu")[:m].double()
    paths = _Paths(mix, noise.numpy(), reporter.check)
    result = ExactResult({name: SAMPLERS[name].label for name, _ in samplers}, samples=m)
    steps = len(samplers) * (1 + len(nfes))
    done = 0
    for name, settings in samplers:
        label = result.labels[name]
        reporter.progress(done / steps, f"{label}: following the exact path")
        path = paths(_start(mix, name, settings, nfe))
        recorder = FrameRecorder()
        x, _, _, calls = sample_one(mix, name, settings, nfe, noise, seed, recorder, reporter.check)
        frames = recorder.frames()
        result.calls[name] = call_errors(path, frames.sigma, frames.x, frames.x0)
        done += 1
        if not deterministic(name, settings):
            result.notes[name] = "stochastic: its error is in distribution only (no ODE path, no order)"
            done += len(nfes)
        elif SAMPLERS[name].grid == "adaptive":
            result.orders[name] = OrderCurve([calls], [rms(x.numpy() - path.end)], SAMPLERS[name].order)
            result.notes[name] = "adaptive: one point at the calls its solver spent, no fitted order"
            done += len(nfes)
        else:
            curve = result.orders[name] = OrderCurve([], [], SAMPLERS[name].order)
            for k in nfes:
                reporter.progress(done / steps, f"{label}: final error at NFE {k}")
                x, _, _, calls = sample_one(mix, name, settings, k, noise, seed, check=reporter.check)
                curve.nfe.append(calls)
                curve.final_error.append(rms(x.numpy() - paths(_start(mix, name, settings, k)).end))
                done += 1
            curve.order = fitted_order(curve.nfe, curve.final_error)
            upper = [i for i, k in enumerate(nfes) if k >= UPPER_NFE]
            curve.upper_order = fitted_order([curve.nfe[i] for i in upper], [curve.final_error[i] for i in upper])
        reporter.partial(copy.deepcopy(result))
    reporter.progress(1.0, "compared with the exact path")
    return result

