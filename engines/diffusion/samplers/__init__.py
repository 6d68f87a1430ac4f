"""The samplers, one short function each, and how a number of model calls (NFE) becomes each one's grid.

``make_plan(name, model, nfe, **settings)`` returns a :class:`Plan` (function, σ grid, options, expected
calls); ``plan.run(model, noise, record, generator)`` samples. Settings: ``sigma_min``, ``sigma_max``,
``rho`` (EDM schedule), ``eta`` (DDIM), ``spacing`` (DDPM/DDIM timesteps), ``steps_per_level``, ``step``
(Langevin), ``rtol`` (ODE).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from engines.diffusion.samplers.ddim import ddim
from engines.diffusion.samplers.ddpm import ddpm
from engines.diffusion.samplers.dpmpp_2m import dpmpp_2m
from engines.diffusion.samplers.euler import euler
from engines.diffusion.samplers.euler_maruyama import euler_maruyama
from engines.diffusion.samplers.flow_euler import flow_euler
from engines.diffusion.samplers.heun import heun
from engines.diffusion.samplers.langevin import langevin
from engines.diffusion.samplers.pf_ode import pf_ode
from engines.diffusion.schedules import flow_grid, geometric_sigmas, karras_sigmas
from engines.errors import InputError


@dataclass(frozen=True)
class SamplerInfo:
    name: str
    label: str
    fn: Callable[..., Any]
    grid: str  # "timesteps", "karras", "flow", "levels", "adaptive"
    stochastic: bool
    options: tuple[str, ...] = ()


SAMPLERS: dict[str, SamplerInfo] = {s.name: s for s in (
    SamplerInfo("ddpm", "DDPM ancestral", ddpm, "timesteps", True, ("spacing",)),
    SamplerInfo("ddim", "DDIM", ddim, "timesteps", False, ("eta", "spacing")),
    SamplerInfo("euler", "Euler (EDM σ)", euler, "karras", False, ("sigma_min", "sigma_max", "rho")),
    SamplerInfo("heun", "Heun (EDM σ)", heun, "karras", False, ("sigma_min", "sigma_max", "rho")),
    SamplerInfo("dpmpp_2m", "DPM-Solver++(2M)", dpmpp_2m, "karras", False, ("sigma_min", "sigma_max", "rho")),
    SamplerInfo("euler_maruyama", "Euler–Maruyama SDE", euler_maruyama, "karras", True, ("sigma_min", "sigma_max", "rho")),
    SamplerInfo("pf_ode", "PF-ODE (RK45, adaptive)", pf_ode, "adaptive", False, ("sigma_min", "sigma_max", "rtol")),
    SamplerInfo("langevin", "Annealed Langevin", langevin, "levels", True,
                ("sigma_min", "sigma_max", "steps_per_level", "step")),
    SamplerInfo("flow_euler", "Flow-matching Euler", flow_euler, "flow", False, ()),
)}
DEFAULT_SIGMA_MAX = 80.0
DEFAULT_SIGMA_MIN = 0.002
DEFAULT_RHO = 7.0


@dataclass
class Plan:
    info: SamplerInfo
    sigmas: np.ndarray
    options: dict[str, Any] = field(default_factory=dict)
    expected_calls: int | None = None  # None: adaptive

    def run(self, model, noise, record=None, generator=None):
        return self.info.fn(model, noise, self.sigmas, record, generator, **self.options)


def sampler_info(name: str) -> SamplerInfo:
    if name not in SAMPLERS:
        raise InputError(f"unknown sampler {name!r}; choose one of {', '.join(SAMPLERS)}")
    return SAMPLERS[name]


def sigma_range(model, sigma_min: float | None = None, sigma_max: float | None = None) -> tuple[float, float]:
    """The σ range a sampler uses: the user's, else the model's clipped to EDM's [0.002, 80]."""
    lo = sigma_min if sigma_min is not None else max(float(model.sigma_min), DEFAULT_SIGMA_MIN)
    hi = sigma_max if sigma_max is not None else min(float(model.sigma_max), DEFAULT_SIGMA_MAX)
    if not 0 < lo < hi:
        raise InputError(f"need 0 < σ_min < σ_max, got σ_min={lo:g}, σ_max={hi:g}")
    return lo, hi


def make_plan(name: str, model, nfe: int, **settings: Any) -> Plan:
    """The grid and options for ``name`` spending about ``nfe`` model calls (Heun: 2N−1 ≤ nfe)."""
    info = sampler_info(name)
    nfe = int(nfe)
    if nfe < 1:
        raise InputError(f"the number of model calls must be at least 1, got {nfe}")
    unknown = set(settings) - set(info.options)
    if unknown:
        known = f"; it takes {', '.join(info.options)}" if info.options else "; it takes none"
        raise InputError(f"{name} has no setting {', '.join(sorted(unknown))}{known}")
    get = lambda key, default=None: settings.get(key) if settings.get(key) is not None else default  # noqa: E731
    options: dict[str, Any] = {}
    if info.grid == "timesteps":
        steps = min(nfe, model.schedule.steps)
        sigmas = model.schedule.timestep_grid(steps, get("spacing", "trailing"))
        calls = steps
        if name == "ddim":
            options["eta"] = float(get("eta", 0.0))
            if options["eta"] < 0:
                raise InputError(f"η must be non-negative, got {options['eta']:g}")
    elif info.grid == "karras":
        lo, hi = sigma_range(model, get("sigma_min"), get("sigma_max"))
        steps = (nfe + 1) // 2 if name == "heun" else nfe
        sigmas = karras_sigmas(steps, lo, hi, float(get("rho", DEFAULT_RHO)))
        calls = 2 * steps - 1 if name == "heun" else steps
    elif info.grid == "flow":
        sigmas, calls = flow_grid(nfe), nfe
    elif info.grid == "levels":
        lo, hi = sigma_range(model, get("sigma_min"), get("sigma_max"))
        k = max(1, int(get("steps_per_level", 2)))
        levels = max(1, nfe // k)
        sigmas = geometric_sigmas(levels, lo, hi)
        options.update(steps_per_level=k, step=float(get("step", 0.5)))
        calls = levels * k
    else:  # adaptive
        lo, hi = sigma_range(model, get("sigma_min"), get("sigma_max"))
        sigmas = np.array([hi, lo, 0.0])
        tol = float(get("rtol", 1e-4))
        options.update(rtol=tol, atol=tol)
        calls = None
    return Plan(info, np.asarray(sigmas, np.float64), options, calls)


def parse_sampler(text: str) -> tuple[str, dict[str, float | str]]:
    """``"ddim:eta=0.5"`` -> ("ddim", {"eta": 0.5}); strings stay strings (spacing=leading)."""
    name, _, rest = text.strip().partition(":")
    sampler_info(name)
    settings: dict[str, float | str] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise InputError(f"sampler setting {item!r} should read KEY=VALUE")
        try:
            settings[key.strip()] = float(value)
        except ValueError:
            settings[key.strip()] = value.strip()
    return name, settings


__all__ = ["SAMPLERS", "SamplerInfo", "Plan", "make_plan", "parse_sampler", "sampler_info", "sigma_range",
           "ddpm", "ddim", "euler", "heun", "dpmpp_2m", "euler_maruyama", "pf_ode", "langevin", "flow_euler"]
