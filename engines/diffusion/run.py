"""The sampling jobs of the diffusion engine (the application layer, :mod:`tasks.diffusion`, runs them).

:func:`compare_job` runs two or more samplers from the same initial noise (and the same seed for their
own noise) at about the same number of model calls, records every call (x_t and x̂0), scores the
samples against held-out data and, for 2D, evaluates the model's denoising field on a grid at every
recorded call. :func:`quality_job` sweeps NFE for the quality-vs-NFE chart.
"""
from __future__ import annotations

import copy
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
import torch

from engines.budget import check, estimate_bytes
from engines.diffusion.catalogue import SAMPLERS
from engines.diffusion.recording import FrameRecorder, Frames
from engines.diffusion.samplers import make_plan
from engines.diffusion.samplers.pf_ode import MAX_CALLS as ADAPTIVE_CALLS
from engines.diffusion.sources import Source
from engines.errors import InputError
from engines.threads import step_threads

FIELD_GRID = 17
FIELD_EXTENT = 3.0
MAX_FIELD_FRAMES = 400


@dataclass
class SamplerRun:
    name: str
    label: str
    settings: dict[str, Any]
    nfe: int
    samples: np.ndarray  # (N, *shape) model space
    frames: Frames  # per call: x (VP scale), x̂0, σ
    grid: np.ndarray  # the σ grid the sampler stepped on
    seconds: float
    metrics: dict[str, float] = field(default_factory=dict)
    field: Optional[np.ndarray] = None  # (calls, G, G, 2) arrows (a/‖(a,b)‖)·x̂0 − x on the display grid


@dataclass
class CompareResult:
    runs: list[SamplerRun]
    kind: str
    reference: Optional[np.ndarray]
    field_axis: Optional[np.ndarray] = None  # (G,) grid coordinates of the field
    description: dict[str, Any] = field(default_factory=dict)


def _noise(n: int, shape: tuple[int, ...], seed: int, device) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn((n, *shape), generator=g).to(device)


def score_samples(samples: np.ndarray, reference: Optional[np.ndarray], kind: str, shape) -> dict[str, float]:
    """SW and MMD for points; for 8×8 single-channel images the Fréchet distance in classifier features.
    Samples that are not all finite are not scored: the measure is how many are not
    (``non_finite_samples``), whether or not there is a reference."""
    from engines.diffusion.metrics import frechet_digits, mmd, sliced_wasserstein

    bad = int((~np.isfinite(samples.reshape(len(samples), -1))).any(1).sum())
    if bad:
        return {"non_finite_samples": bad}
    if reference is None or len(samples) < 2:
        return {}
    if kind == "points":
        return {"sliced_wasserstein": sliced_wasserstein(samples, reference), "mmd": mmd(samples, reference)}
    from engines.diffusion.data import to_unit

    out = {"sliced_wasserstein": sliced_wasserstein(to_unit(samples), to_unit(reference))}
    if tuple(shape) == (1, 8, 8) and len(samples) >= 10:
        out["frechet_digits"] = frechet_digits(to_unit(samples), to_unit(reference))
    return out


def sample_one(model, name: str, settings: dict[str, Any], nfe: int, noise: torch.Tensor, seed: int,
               recorder: Optional[FrameRecorder] = None,
               check: Optional[Callable[[], None]] = None) -> tuple[torch.Tensor, np.ndarray, float, int]:
    """(samples, σ grid, seconds, model calls) of one sampler from ``noise``; ``check`` (a job's
    ``reporter.check``) runs before every model call. Torch gets the threads one call's FLOPs are worth."""
    from engines.diffusion.models import CountingDenoiser

    plan = make_plan(name, model, nfe, **settings)
    counted = CountingDenoiser(model, check)
    gen = torch.Generator(device=noise.device).manual_seed(seed + 1)
    start = time.perf_counter()
    half = math.sqrt(0.5)  # σ = 1: any noise level costs the same
    with step_threads(lambda: model(noise[:1], half, half), len(noise), noise.device), torch.inference_mode():
        x = plan.run(counted, noise, recorder, gen)
    if noise.device.type == "cuda":
        torch.cuda.synchronize(noise.device)
    return x, plan.sigmas, time.perf_counter() - start, counted.calls


def _field(model, frames: Frames, device) -> tuple[np.ndarray, np.ndarray]:
    axis = np.linspace(-FIELD_EXTENT, FIELD_EXTENT, FIELD_GRID)
    gx, gy = np.meshgrid(axis, axis)
    pts = torch.as_tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32, device=device)
    out = np.zeros((len(frames), FIELD_GRID, FIELD_GRID, 2), np.float32)
    with torch.inference_mode():
        for i, sigma in enumerate(frames.sigma):
            a, b = (0.0, 1.0) if math.isinf(sigma) else (1 / math.sqrt(1 + sigma * sigma), sigma / math.sqrt(1 + sigma * sigma))
            x0 = model(pts, a, b)
            out[i] = (a * x0 - pts).reshape(FIELD_GRID, FIELD_GRID, 2).cpu().numpy()
    return axis, out


def planned_bytes(model, samplers: list[tuple[str, dict[str, Any]]], nfe: int, n: int,
                  keep: Optional[int] = None) -> int:
    """Bytes a comparison holds: the shared noise and, per sampler, its samples and the x and x̂0 frames of
    every call (an adaptive sampler's at its cap of calls)."""
    item = estimate_bytes(model.shape)
    kept = n if keep is None else min(keep, n)
    total = item * n
    for name, settings in samplers:
        calls = make_plan(name, model, nfe, **settings).expected_calls or ADAPTIVE_CALLS
        total += item * n + 2 * calls * kept * item
    return total


def compare_job(reporter, source: Source, samplers: list[tuple[str, dict[str, Any]]], nfe: int = 20, n: int = 1000,
                seed: int = 0, keep: Optional[int] = None, with_field: bool = True) -> CompareResult:
    """Every sampler from the same noise; partials are CompareResults with the runs finished so far."""
    if not samplers:
        raise InputError("choose at least one sampler")
    if n < 2:
        raise InputError(f"need at least 2 samples, got {n}")
    model = source.model
    device = model.device
    check(f"sampling {n:,} samples with {len(samplers)} sampler{'s' if len(samplers) > 1 else ''} at {nfe} "
          "model calls each (the frames of every call are kept)", planned_bytes(model, samplers, nfe, n, keep))
    noise = _noise(n, tuple(model.shape), seed, device)
    result = CompareResult([], source.kind, source.reference, description=dict(source.description))
    for k, (name, settings) in enumerate(samplers):
        label = SAMPLERS[name].label
        reporter.progress(k / len(samplers), f"sampling with {label}")
        recorder = FrameRecorder(keep=keep)
        x, grid, seconds, calls = sample_one(model, name, settings, nfe, noise, seed, recorder, reporter.check)
        frames = recorder.frames()
        samples = x.float().cpu().numpy()
        run = SamplerRun(name, label, dict(settings), calls, samples, frames, grid, seconds)
        run.metrics = score_samples(samples, source.reference, source.kind, model.shape)
        if with_field and source.kind == "points" and tuple(model.shape) == (2,) and len(frames) <= MAX_FIELD_FRAMES:
            result.field_axis, run.field = _field(model, frames, device)
        result.runs.append(run)
        reporter.partial(CompareResult(list(result.runs), result.kind, result.reference, result.field_axis,
                                       result.description))
    reporter.progress(1.0, "sampled")
    return result


@dataclass
class QualityCurves:
    nfes: dict[str, list[int]]  # sampler -> NFE actually spent at each point
    metrics: dict[str, dict[str, list[float]]]  # sampler -> metric -> values
    labels: dict[str, str]
    reference_name: str = "held-out data"


def quality_job(reporter, source: Source, samplers: list[tuple[str, dict[str, Any]]], nfes: Sequence[int],
                n: int = 1000, seed: int = 0, reference: Optional[np.ndarray] = None,
                known: Optional[Mapping[tuple[str, int], tuple[int, dict[str, float]]]] = None) -> QualityCurves:
    """Quality against ``reference`` (default: the source's held-out data) at each NFE, per sampler.
    ``known`` maps (sampler, NFE) to (model calls, metrics) already measured on the same noise (a
    :func:`compare_job` with the same ``n`` and ``seed``): those points are taken, not sampled again."""
    ref = source.reference if reference is None else reference
    if ref is None:
        raise InputError("this model has no held-out data to measure quality against")
    model = source.model
    noise = _noise(n, tuple(model.shape), seed, model.device)
    curves = QualityCurves({}, {}, {})
    total = len(samplers) * len(nfes)
    done = 0
    for name, settings in samplers:
        curves.labels[name] = SAMPLERS[name].label
        curves.nfes[name] = []
        curves.metrics[name] = {}
        points = [nfes[0]] if SAMPLERS[name].grid == "adaptive" else nfes
        for nfe in points:
            reporter.progress(done / total, f"quality: {name} at NFE {nfe}")
            if known is not None and (name, nfe) in known:
                calls, m = known[(name, nfe)]
            else:
                x, _, _, calls = sample_one(model, name, settings, nfe, noise, seed, check=reporter.check)
                m = score_samples(x.float().cpu().numpy(), ref, source.kind, model.shape)
            curves.nfes[name].append(calls)
            for key, value in m.items():
                curves.metrics[name].setdefault(key, []).append(value)
            done += 1
            reporter.partial(copy.deepcopy(curves))  # a snapshot: the GUI reads it while this goes on
        done += len(nfes) - len(points)
    return curves
