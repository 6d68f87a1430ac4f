"""The samplers, one short function module each, and how a number of model calls (NFE) becomes each one's grid.

What each sampler is, takes and cites is in :data:`engines.diffusion.catalogue.SAMPLERS`.
``make_plan(name, model, nfe, **settings)`` returns a :class:`Plan` (σ grid, the function's settings,
expected calls); ``plan.run(model, noise, record, generator)`` samples.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from engines.catalogue import load
from engines.diffusion.catalogue import EDM_RHO, EDM_SIGMA_MAX, EDM_SIGMA_MIN, SAMPLERS, Sampler
from engines.diffusion.schedules import flow_grid, geometric_sigmas, karras_sigmas
from engines.errors import InputError


def sampler_function(sampler: Sampler) -> Callable[..., Any]:
    """The function a catalogue entry names (``"module:name"``), imported now."""
    return load(sampler.function)


@dataclass
class Plan:
    sampler: Sampler
    sigmas: np.ndarray
    options: dict[str, Any] = field(default_factory=dict)  # the settings the function takes
    expected_calls: int | None = None  # None: adaptive

    def run(self, model, noise, record=None, generator=None):
        return sampler_function(self.sampler)(model, noise, self.sigmas, record, generator, **self.options)


def sigma_range(model, sigma_min: float | None = None, sigma_max: float | None = None) -> tuple[float, float]:
    """The σ range a sampler uses: the user's, else the model's clipped to EDM's [0.002, 80]."""
    lo = sigma_min if sigma_min is not None else max(float(model.sigma_min), EDM_SIGMA_MIN)
    hi = sigma_max if sigma_max is not None else min(float(model.sigma_max), EDM_SIGMA_MAX)
    if not 0 < lo < hi:
        raise InputError(f"sigma_min must be above 0 and below sigma_max, got sigma_min={lo:g}, sigma_max={hi:g}")
    return lo, hi


def make_plan(name: str, model, nfe: int, **settings: Any) -> Plan:
    """The grid and settings for ``name`` spending about ``nfe`` model calls (Heun: 2N−1 ≤ nfe).

    ``settings`` are checked against the sampler's catalogue options (None: the option's default); the
    grid takes the σ settings, the function those its signature names."""
    sampler = SAMPLERS[name]
    nfe = int(nfe)
    if nfe < 1:
        raise InputError(f"the number of model calls must be at least 1, got {nfe}")
    given = sampler.settings(settings)
    values = {k: given[k] if given.get(k) is not None else v for k, v in sampler.defaults().items()}
    if sampler.grid == "timesteps":
        steps = min(nfe, model.schedule.steps)
        sigmas, calls = model.schedule.timestep_grid(steps, values["spacing"]), steps
    elif sampler.grid == "karras":
        lo, hi = sigma_range(model, values["sigma_min"], values["sigma_max"])
        k = sampler.evals_per_step
        steps = (nfe - 1) // k + 1
        rho = values["rho"] if values["rho"] is not None else getattr(model, "rho", None) or EDM_RHO
        sigmas, calls = karras_sigmas(steps, lo, hi, float(rho)), k * (steps - 1) + 1
    elif sampler.grid == "flow":
        sigmas, calls = flow_grid(nfe), nfe
    elif sampler.grid == "levels":
        lo, hi = sigma_range(model, values["sigma_min"], values["sigma_max"])
        per_level = values["steps_per_level"] = min(values["steps_per_level"], nfe)  # never past the NFE
        levels = max(1, nfe // per_level)
        sigmas, calls = geometric_sigmas(levels, lo, hi), levels * per_level
    else:  # adaptive
        lo, hi = sigma_range(model, values["sigma_min"], values["sigma_max"])
        sigmas, calls = np.array([hi, lo, 0.0]), None
    takes = inspect.signature(sampler_function(sampler)).parameters
    options = {k: v for k, v in values.items() if k in takes}
    return Plan(sampler, np.asarray(sigmas, np.float64), options, calls)
