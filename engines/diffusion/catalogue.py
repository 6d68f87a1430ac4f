"""What the diffusion engine offers, as plain data (no torch): the samplers with their settings, the exact
Gaussian mixtures, the training sets and the training objectives with DDPM's predictions and schedules.

The GUI's menus and setting forms, the command line's choices and ``--help`` and the engine's own checks
read these, so each label, default, range and citation is written here once. A sampler's function is
named by a dotted path (``"engines.diffusion.samplers.ddim:ddim"``) and imported when it first samples, so
adding a sampler is one function module plus one :class:`Sampler` entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from engines.catalogue import Catalogue, Entry, Option, parse_settings

# --------------------------------------------------------------------------- sampler settings
SPACINGS = ("trailing", "leading", "linspace")  # diffusers' ``timestep_spacing``
EDM_SIGMA_MIN, EDM_SIGMA_MAX = 0.002, 80.0  # EDM's σ range: EDM models' own; other models' is clipped to it
EDM_RHO = 7.0  # EDM's ρ for images; an exact mixture's default is 3 (engines.diffusion.mixture)

SIGMA_MIN = Option("sigma_min", "σ_min", default=None, minimum=0.0, maximum=10.0, step=0.001, decimals=4,
                   none_label="model's",
                   help=f"smallest noise level of the grid (default: the model's, at least {EDM_SIGMA_MIN:g})")
SIGMA_MAX = Option("sigma_max", "σ_max", default=None, minimum=0.0, maximum=500.0, step=1.0, decimals=2,
                   none_label="model's",
                   help=f"largest noise level of the grid (default: the model's, at most {EDM_SIGMA_MAX:g}; an exact "
                        "mixture's is its diameter, ~5: Song & Ermon 2020's largest distance between data points)")
RHO = Option("rho", "ρ", default=None, minimum=0.5, maximum=20.0, step=0.5, decimals=2, none_label="model's",
             help=f"EDM's ρ: larger puts more steps at small σ (default: the model's, {EDM_RHO:g}; an exact "
                  "mixture's is 3, which EDM finds equalizes the steps' truncation errors)")
ETA = Option("eta", "η", default=0.0, minimum=0.0, maximum=1.0, step=0.1, decimals=2,
             help="DDIM's η: 0 deterministic, 1 the DDPM posterior")
SPACING = Option("spacing", "Timestep spacing", "choice", "trailing", choices=SPACINGS,
                 help="which training timesteps the grid uses (diffusers' timestep_spacing)")
STEPS_PER_LEVEL = Option("steps_per_level", "Steps per level", "int", 2, minimum=1, maximum=100,
                         help="Langevin steps (model calls) at each noise level")
STEP = Option("step", "Langevin step", default=0.5, minimum=0.001, maximum=1.0, step=0.05,
              help="the fraction of the way to x̂0 each Langevin step moves (step size 2·step·σ²)")
RTOL = Option("rtol", "ODE tolerance", default=1e-4, minimum=1e-8, maximum=0.1, step=1e-5, decimals=8,
              help="RK45's relative and absolute tolerance")
EDM_GRID = (SIGMA_MIN, SIGMA_MAX, RHO)

# where each kind of grid puts the model calls (engines.diffusion.samplers.make_plan builds them)
GRIDS = {
    "timesteps": "the model's training timesteps, one call each (VP)",
    "karras": "EDM's σ_i = (σ_max^(1/ρ) + i/(N−1)·(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ, then 0 (defaults: the model's "
              "σ range and ρ 7; an exact mixture's σ_max is its diameter and its ρ 3)",
    "flow": "uniform flow time from 1 to 0",
    "levels": "noise levels spaced evenly in log σ, a few Langevin steps at each",
    "adaptive": "chosen by the ODE solver (the number of calls is its own)",
}


@dataclass(frozen=True)
class Sampler(Entry):
    """A sampler: ``function`` is ``"module:name"`` of ``fn(model, noise, sigmas, record, generator,
    **settings)``; it receives the settings its signature names (the grid takes the σ ones)."""

    function: str = ""
    grid: str = "karras"  # a key of GRIDS
    stochastic: bool = False
    order: Optional[int] = None  # theoretical order of accuracy, if known
    evals_per_step: int = 1  # model calls per step but the last (Heun: 2, so N steps cost 2N − 1)

    def __post_init__(self) -> None:
        if self.grid not in GRIDS:
            raise ValueError(f"sampler {self.name}: unknown grid {self.grid!r}")


def _fn(module: str) -> str:
    return f"engines.diffusion.samplers.{module}:{module}"


SAMPLERS: Catalogue[Sampler] = Catalogue("sampler", (
    Sampler("ddpm", "DDPM ancestral", "ancestral sampling from the posterior q(x_t' | x_t, x̂0)", (SPACING,),
            "Ho et al. 2020: Denoising Diffusion Probabilistic Models", "https://arxiv.org/abs/2006.11239",
            function=_fn("ddpm"), grid="timesteps", stochastic=True, order=1),
    Sampler("ddim", "DDIM", "denoising diffusion implicit models (η = 1: the DDPM posterior)", (ETA, SPACING),
            "Song et al. 2020: Denoising Diffusion Implicit Models", "https://arxiv.org/abs/2010.02502",
            function=_fn("ddim"), grid="timesteps", order=1),
    Sampler("euler", "Euler (EDM σ)", "Euler on the probability-flow ODE, EDM σ grid", EDM_GRID,
            "Karras et al. 2022: Elucidating the Design Space of Diffusion-Based Generative Models",
            "https://arxiv.org/abs/2206.00364", function=_fn("euler"), order=1),
    Sampler("heun", "Heun (EDM σ)", "Heun on the probability-flow ODE, EDM σ grid (N steps: 2N−1 calls)",
            EDM_GRID, "Karras et al. 2022: Elucidating the Design Space of Diffusion-Based Generative Models",
            "https://arxiv.org/abs/2206.00364", function=_fn("heun"), order=2, evals_per_step=2),
    Sampler("dpmpp_2m", "DPM-Solver++(2M)", "second-order multistep solver on x̂0, EDM σ grid", EDM_GRID,
            "Lu et al. 2022: DPM-Solver++", "https://arxiv.org/abs/2211.01095", function=_fn("dpmpp_2m"), order=2),
    Sampler("euler_maruyama", "Euler–Maruyama SDE", "the reverse-time SDE by Euler–Maruyama (weak order 1), "
            "EDM σ grid", EDM_GRID, "Song et al. 2021: Score-Based Generative Modeling through SDEs",
            "https://arxiv.org/abs/2011.13456", function=_fn("euler_maruyama"), stochastic=True, order=1),
    Sampler("pf_ode", "PF-ODE (RK45, adaptive)", "the probability-flow ODE by scipy's adaptive RK45 "
            "(NFE is the solver's)", (SIGMA_MIN, SIGMA_MAX, RTOL),
            "Song et al. 2021: Score-Based Generative Modeling through SDEs", "https://arxiv.org/abs/2011.13456",
            function=_fn("pf_ode"), grid="adaptive", order=5),
    Sampler("langevin", "Annealed Langevin", "annealed Langevin dynamics over descending noise levels",
            (SIGMA_MIN, SIGMA_MAX, STEPS_PER_LEVEL, STEP),
            "Song and Ermon 2019: Generative Modeling by Estimating Gradients of the Data Distribution",
            "https://arxiv.org/abs/1907.05600", function=_fn("langevin"), grid="levels", stochastic=True),
    Sampler("flow_euler", "Flow-matching Euler", "Euler on the flow-matching velocity, uniform time", (),
            "Lipman et al. 2022: Flow Matching for Generative Modeling", "https://arxiv.org/abs/2210.02747",
            function=_fn("flow_euler"), grid="flow", order=1),
))


def parse_sampler(text: str) -> tuple[str, dict[str, Any]]:
    """``"ddim:eta=0.5"`` -> ("ddim", {"eta": 0.5}): the name checked and every value parsed and validated
    by the sampler's option (an InputError names the setting and its range)."""
    name, _, rest = text.strip().partition(":")
    return name, parse_settings(SAMPLERS[name], rest)


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class TrainingSet(Entry):
    """A built-in training set: 2D ``points`` (:data:`engines.data.TOY_SETS`) or the 8×8 digit ``images``."""

    kind: str = "points"


TRAINING_SETS: Catalogue[TrainingSet] = Catalogue("training set", (
    TrainingSet("moons", "moons", "two interleaved half circles"),
    TrainingSet("swiss_roll", "swiss roll", "a 2D swiss-roll spiral"),
    TrainingSet("eight_gaussians", "eight gaussians", "8 Gaussians on a circle"),
    TrainingSet("gaussian_mixture", "gaussian mixture", "5 Gaussians on a circle"),
    TrainingSet("checkerboard", "checkerboard", "a checkerboard (uniform on alternate squares)"),
    TrainingSet("rings", "rings", "four concentric rings"),
    TrainingSet("circles", "circles", "two concentric circles"),
    TrainingSet("digits", "digits", "the 8×8 handwritten digits, in [−1, 1]", kind="images"),
))

FIT_POINTS = 6000
FIT_COMPONENTS = 40
RING_RADIUS, RING_STD = 2.0, 0.15


@dataclass(frozen=True)
class Mixture(Entry):
    """An exact Gaussian mixture: ``ring`` equal Gaussians on a circle, or (``ring`` 0) a spherical mixture
    fitted to the built-in 2D set of the same name. ``classes`` > 0 makes it class-conditional: the ring
    cut into that many arcs of neighbouring components, one class each (guidance: engines/diffusion/guidance.py)."""

    ring: int = 0
    classes: int = 0


def _ring(name: str, k: int) -> Mixture:
    return Mixture(name, name.replace("_", " "), f"{k} Gaussians (std {RING_STD:g}) on a circle of radius "
                   f"{RING_RADIUS:g}", ring=k)


def _fitted(name: str) -> Mixture:
    return Mixture(name, name.replace("_", " "), f"{FIT_COMPONENTS} spherical Gaussians fitted to {FIT_POINTS:,} "
                   f"points of {TRAINING_SETS[name].description}")


def _classed(name: str, k: int, classes: int) -> Mixture:
    return Mixture(name, f"{k} Gaussians, {classes} classes", f"{k} Gaussians (std {RING_STD:g}) on a circle of radius "
                   f"{RING_RADIUS:g} in {classes} classes (arcs of {k // classes})", ring=k, classes=classes)


MIXTURES: Catalogue[Mixture] = Catalogue("mixture", (
    _fitted("moons"), _ring("eight_gaussians", 8), _ring("gaussian_mixture", 5), _fitted("swiss_roll"),
    _fitted("checkerboard"), _fitted("rings"), _fitted("circles"),
    _classed("eight_gaussians_2_classes", 8, 2), _classed("eight_gaussians_4_classes", 8, 4),
    _classed("ring_3_classes", 9, 3),
))

# --------------------------------------------------------------------------- training objectives
PREDICTION = Option("prediction", "Prediction", "choice", "eps", choices=("eps", "x0", "v"),
                    choice_labels=("noise ε", "clean x0", "v = a·ε − b·x0"),
                    help="what the DDPM network predicts: the noise ε, the clean x0 or v = a·ε − b·x0")
VP_SCHEDULES = ("linear", "cosine")
SCHEDULE = Option("schedule", "ᾱ schedule", "choice", "linear", choices=VP_SCHEDULES,
                  help="DDPM's ᾱ schedule: linear β (Ho et al. 2020) or cosine (Nichol & Dhariwal 2021)")


@dataclass(frozen=True)
class Objective(Entry):
    """A training objective; ``preview`` is the sampler that draws its previews while it trains."""

    preview: str = "ddim"


OBJECTIVES: Catalogue[Objective] = Catalogue("objective", (
    Objective("ddpm", "DDPM", "noise (or x0, v) prediction on a discrete ᾱ schedule", (PREDICTION, SCHEDULE),
              "Ho et al. 2020: Denoising Diffusion Probabilistic Models", "https://arxiv.org/abs/2006.11239",
              preview="ddim"),
    Objective("edm", "EDM (preconditioned)", "the preconditioned denoiser D(x; σ) with log-normal σ", (),
              "Karras et al. 2022: Elucidating the Design Space of Diffusion-Based Generative Models",
              "https://arxiv.org/abs/2206.00364", preview="heun"),
    Objective("flow", "Flow matching", "the velocity ε − x0 on straight paths (rectified flow)", (),
              "Lipman et al. 2022: Flow Matching for Generative Modeling", "https://arxiv.org/abs/2210.02747",
              preview="flow_euler"),
))


def citations() -> tuple[tuple[str, str], ...]:
    """(citation, url) of every sampler and objective, each paper once, in catalogue order."""
    seen: dict[str, str] = {}
    for entry in (*SAMPLERS, *OBJECTIVES):
        if entry.url:
            seen.setdefault(entry.url, entry.citation)
    return tuple((citation, url) for url, citation in seen.items())
