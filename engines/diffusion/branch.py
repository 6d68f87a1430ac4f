"""Rewind and branch: continue a recorded sampling run from any of its model calls with another sampler,
NFE budget, setting or guidance scale (the request of AUTOMATIC1111/stable-diffusion-webui#4709).

The state the model saw at call k (1-based) is recovered by replaying the run: the same initial noise, the
same generator seed, stopped just before call k, so a stochastic run has drawn exactly the noise it had
drawn by then and the continuation keeps drawing from that generator. Every sampler's state at noise
level σ is a·x0 + b·ε in its own coordinates (VE, VP or flow, :func:`engines.diffusion.schedules.sigma_to_ab`);
the state divided by √(a² + b²) is what the samplers take as their starting ``noise`` at ``sigmas[0]``,
so one rescaling converts between DDPM t/ᾱ and EDM σ. The continuation's grid is the new sampler's own
grid restricted to σ ≤ σ_k, σ_k put first, from the densest full grid whose restriction costs at most the
branch's NFE: with the same sampler and the calls the run had left this is the run's own remaining grid,
and the branch reproduces the run's samples (to the rounding of that one rescaling).

The replay runs on the run's own model; the continuation may run on another denoiser (``onto``) with the
same σ range, such as the run's class-conditional model guided at another scale
(:class:`engines.diffusion.guidance.GuidedDenoiser`).
"""
from __future__ import annotations

import inspect
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
import torch
from torch import Tensor

from engines import budget
from engines.diffusion.catalogue import SAMPLERS, Sampler
from engines.diffusion.guidance import GuidedDenoiser
from engines.diffusion.recording import FrameRecorder, Frames
from engines.diffusion.run import MAX_FIELD_FRAMES, SamplerRun, _field, _noise, score_samples
from engines.diffusion.samplers import Plan, make_plan, sampler_function
from engines.diffusion.samplers.pf_ode import MAX_CALLS as ADAPTIVE_CALLS
from engines.errors import InputError

MAX_GRID_NFE = 100_000  # the densest full grid searched for a branch's restriction
SAME_SIGMA = 1e-9  # relative: a grid level this close to σ_k is σ_k


@dataclass
class BranchRun(SamplerRun):
    """A branch: ``frames`` hold the whole branched path (the parent's first ``call − 1`` calls, then the
    branch's own), ``nfe`` the calls the branch spent, ``grid`` the σ grid it stepped on from ``sigma``."""

    sampler: str = ""  # the branch's sampler name
    parent: str = ""  # the branched run's sampler name
    parent_label: str = ""
    call: int = 1  # the parent's model call the branch starts at (1-based)
    sigma: float = math.inf  # the noise level of that call
    guidance: Optional[float] = None  # the guidance scale the branch continued with, if it changed the model's
    guide_class: Optional[int] = None  # the class it guided towards then


def branch_name(parent: str, call: int, sampler: str) -> str:
    """The branch's key in outputs (file and array names): ``branch_ddim_8_heun``."""
    return f"branch_{parent}_{call}_{sampler}"


def branch_label(parent_label: str, call: int, sampler_label: str, nfe: int, guidance: Optional[float] = None) -> str:
    """``branch of DDIM at call 8: Heun (EDM σ), NFE 5`` (``, w = 3`` when it changed the guidance)."""
    return f"branch of {parent_label} at call {call}: {sampler_label}, NFE {nfe}" + \
        ("" if guidance is None else f", w = {guidance:g}")


def grid_calls(sampler: Sampler, sigmas: np.ndarray, options: dict[str, Any]) -> Optional[int]:
    """Model calls ``sampler`` spends on the grid ``sigmas`` (None: an adaptive solver's own)."""
    levels = int((np.asarray(sigmas) > 0).sum())
    if sampler.grid == "adaptive":
        return None
    if sampler.grid == "levels":
        return levels * int(options["steps_per_level"])
    return sampler.evals_per_step * (levels - 1) + 1


def restrict(sigmas: np.ndarray, sigma: float) -> np.ndarray:
    """The levels of ``sigmas`` at or below ``sigma`` with ``sigma`` first (a level within
    :data:`SAME_SIGMA` of it is kept as the grid has it). At σ = ∞ (flow matching's pure noise) the state
    is the noise every sampler starts from: the whole grid."""
    if math.isinf(sigma):
        return sigmas
    tail = sigmas[sigmas <= sigma * (1 + SAME_SIGMA)]
    if not len(tail) or tail[0] < sigma * (1 - SAME_SIGMA):
        tail = np.concatenate([[sigma], tail])
    return tail


def continuation_plan(name: str, settings: dict[str, Any], model, sigma: float, nfe: int) -> Plan:
    """``name``'s grid restricted to σ ≤ ``sigma``, taken from the densest full grid (found by bisection on
    its NFE) whose restriction costs at most ``nfe`` calls (levels right under ``sigma`` are dropped when
    even the coarsest costs more); an adaptive solver runs from ``sigma`` down."""
    if nfe < 1:
        raise InputError(f"a branch needs at least 1 model call, got {nfe}")
    sampler = SAMPLERS[name]

    def restricted(full_nfe: int) -> tuple[Plan, Optional[int]]:
        plan = make_plan(name, model, full_nfe, **settings)
        plan.sigmas = restrict(plan.sigmas, sigma)
        plan.expected_calls = grid_calls(sampler, plan.sigmas, plan.options)
        return plan, plan.expected_calls

    plan, calls = restricted(nfe)
    if calls is None:
        return plan
    top = model.schedule.steps if sampler.grid == "timesteps" else MAX_GRID_NFE
    lo, hi = 1, top  # calls grow with the full grid's NFE: the largest full NFE within budget
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if restricted(mid)[1] <= nfe:
            lo = mid
        else:
            hi = mid - 1
    plan, calls = restricted(lo)
    while calls > nfe:  # σ_k above the whole grid: even its coarsest restriction has a level too many
        plan.sigmas = np.delete(plan.sigmas, 1)
        plan.expected_calls = calls = grid_calls(sampler, plan.sigmas, plan.options)
    return plan


class _Reached(Exception):
    """Raised by :class:`_StopBefore` at the call to branch from, carrying the state the model was given."""

    def __init__(self, x: Tensor, a: float, b: float) -> None:
        super().__init__()
        self.x, self.a, self.b = x, a, b


class _StopBefore:
    """A denoiser that evaluates ``inner`` until call ``call`` (1-based), then raises :class:`_Reached`;
    keeps (σ, x̂0) of the last call it evaluated (a multistep solver's history)."""

    def __init__(self, inner, call: int) -> None:
        self.inner, self.call, self.calls = inner, call, 0
        self.last: Optional[tuple[float, Tensor]] = None
        for name in ("shape", "sigma_min", "sigma_max", "rho", "kind", "schedule", "device"):
            setattr(self, name, getattr(inner, name, None))

    def __call__(self, x: Tensor, a: float, b: float) -> Tensor:
        self.calls += 1
        if self.calls == self.call:
            raise _Reached(x.clone(), a, b)
        x0 = self.inner(x, a, b)
        self.last = (b / a if a > 0 else math.inf, x0)
        return x0


@dataclass
class BranchPoint:
    """The state at a run's call k: x as the model saw it with its (a, b), the generator as it was then,
    and (σ, x̂0) of the call before (None at call 1)."""

    x: Tensor
    a: float
    b: float
    generator: torch.Generator
    previous: Optional[tuple[float, Tensor]]

    @property
    def sigma(self) -> float:
        return self.b / self.a if self.a > 0 else math.inf


def check_call(parent: SamplerRun, call: int) -> None:
    """InputError unless ``call`` is one of ``parent``'s model calls (1-based)."""
    if not 1 <= call <= len(parent.frames):
        raise InputError(f"{parent.label} made {len(parent.frames)} model calls: branch at a call between 1 and "
                         f"{len(parent.frames)}, got {call}")


def rewind(model, parent: SamplerRun, call: int, noise: Tensor, seed: int,
           check: Optional[Callable[[], None]] = None) -> BranchPoint:
    """Replay ``parent`` (sampled from ``noise`` with ``seed``, as :func:`engines.diffusion.run.sample_one`
    does) up to its model call ``call`` (1-based)."""
    from engines.diffusion.models import CountingDenoiser

    check_call(parent, call)
    plan = make_plan(parent.name, model, parent.nfe, **parent.settings)
    if not np.array_equal(plan.sigmas, parent.grid):
        raise InputError(f"{parent.label}'s grid cannot be rebuilt from its settings; sample it again to branch it")
    stop = _StopBefore(CountingDenoiser(model, check), call)
    gen = torch.Generator(device=noise.device).manual_seed(seed + 1)
    try:
        with torch.inference_mode():
            plan.run(stop, noise, None, gen)
    except _Reached as reached:
        return BranchPoint(reached.x, reached.a, reached.b, gen, stop.last)
    raise InputError(f"{parent.label} made only {stop.calls} model calls on replay; cannot branch at call {call}")


def continue_from(model, point: BranchPoint, plan: Plan, recorder: Optional[FrameRecorder] = None,
                  check: Optional[Callable[[], None]] = None) -> tuple[Tensor, int]:
    """Run ``plan`` from ``point`` (its grid starts at the point's σ); (samples, model calls). A solver that
    takes a history (``previous``) gets the call before the point's when that was at a higher σ."""
    from engines.diffusion.models import CountingDenoiser

    fn = sampler_function(plan.sampler)
    options = dict(plan.options)
    if point.previous is not None and "previous" in inspect.signature(fn).parameters \
            and point.previous[0] > plan.sigmas[0]:
        options["previous"] = point.previous
    counted = CountingDenoiser(model, check)
    start = point.x / math.hypot(point.a, point.b)  # the samplers' noise: the state in VP scale
    with torch.inference_mode():
        x = fn(counted, start, plan.sigmas, recorder, point.generator, **options)
    return x, counted.calls


def branch(model, parent: SamplerRun, call: int, name: str, settings: dict[str, Any], nfe: int, n: int, seed: int,
           reference: Optional[np.ndarray] = None, kind: str = "points",
           check: Optional[Callable[[], None]] = None, onto=None) -> BranchRun:
    """Branch ``parent`` (one of the runs of a comparison of ``n`` samples from ``seed`` on ``model``) at its
    model call ``call`` into sampler ``name`` with ``settings`` spending at most ``nfe`` calls (an adaptive
    solver: its own), continuing on ``onto`` (None: ``model``; a guided model: its scale and class are
    recorded); scored against ``reference`` like the runs."""
    check_call(parent, call)
    onto = model if onto is None else onto
    guided = onto is not model and isinstance(onto, GuidedDenoiser)
    # the σ the run recorded at the call is b/a of the state the replay stops at: the plan is known before it
    plan = continuation_plan(name, settings, onto, float(parent.frames.sigma[call - 1]), nfe)
    item, kept = budget.estimate_bytes(model.shape), parent.frames.x.shape[1]
    frames_kept = 2 * (call - 1 + (plan.expected_calls or ADAPTIVE_CALLS)) * kept * item
    budget.check(f"branching {n:,} samples into {SAMPLERS[name].label} at up to {nfe} model calls (the frames of "
                 "every call are kept)", 3 * n * item + frames_kept)  # noise, the state and the samples
    noise = _noise(n, tuple(model.shape), seed, model.device)
    point = rewind(model, parent, call, noise, seed, check)
    recorder = FrameRecorder(keep=parent.frames.x.shape[1])
    start = time.perf_counter()
    x, calls = continue_from(onto, point, plan, recorder, check)
    if noise.device.type == "cuda":
        torch.cuda.synchronize(noise.device)
    seconds = time.perf_counter() - start
    own = recorder.frames()
    before = call - 1
    frames = Frames(np.concatenate([parent.frames.x[:before], own.x]), np.concatenate([parent.frames.x0[:before], own.x0]),
                    np.concatenate([parent.frames.sigma[:before], own.sigma]))
    samples = x.float().cpu().numpy()
    label = SAMPLERS[name].label
    arrows = None
    if kind == "points" and tuple(model.shape) == (2,) and len(frames) <= MAX_FIELD_FRAMES:
        arrows = _field(onto, frames, model.device)[1]
    guidance = float(onto.scale) if guided else None
    return BranchRun(branch_name(parent.name, call, name), branch_label(parent.label, call, label, calls, guidance),
                     dict(settings), calls, samples, frames, plan.sigmas, seconds,
                     score_samples(samples, reference, kind, model.shape), arrows,
                     sampler=name, parent=parent.name, parent_label=parent.label, call=call, sigma=point.sigma,
                     guidance=guidance, guide_class=int(onto.label) if guided else None)
