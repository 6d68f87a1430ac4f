"""What a diffusion comparison's figure shows, and its words: per sampler the samples it returned (titled with
the sampler, the model calls spent and the measures, which are of those samples) apart from x_t at its last
model call (labelled with that call's σ). The two differ: DDPM and DDIM make their last call at σ ≈ 0.17 and
return that call's x̂0, so their last x_t is still noisy while their samples are the best of the lot.

Qt-free: ``run diffusion``'s figure.png and the diffusion panel's frame views both take their arrays and
titles from here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from engines.diffusion.run import CompareResult, SamplerRun

SHORT = {"sliced_wasserstein": "SW", "mmd": "MMD²", "frechet_digits": "FD", "non_finite_samples": "not finite"}


def sigma_text(sigma: float) -> str:
    return "σ = ∞" if math.isinf(sigma) else f"σ = {sigma:.3g}"


def metrics_text(metrics: dict[str, float]) -> str:
    """"SW 0.0648, MMD² 0.00348": a run's measures, short."""
    return ", ".join(f"{SHORT.get(k, k)} {v:.3g}" for k, v in metrics.items())


def samples_title(run: "SamplerRun") -> str:
    """"<b>DDPM ancestral</b> samples, NFE 20" and, on a second line, the measures of those samples."""
    head = f"<b>{run.label}</b> samples, NFE {run.nfe}"
    return head + (f"<br>{metrics_text(run.metrics)}" if run.metrics else "")


def last_call_title(run: "SamplerRun") -> str:
    """"x_t at call 20/20, σ = 0.173": what the bottom row shows, which is not the samples."""
    calls = len(run.frames)
    return f"x_t at its last call ({calls}/{calls}), {sigma_text(float(run.frames.sigma[-1]))}" if calls else "no calls"


@dataclass
class Cell:
    title: str
    data: np.ndarray  # (N, 2) points or (N, C, H, W) images in [-1, 1], as the model space has them


@dataclass
class FigureRows:
    """The figure's two rows, one cell per sampler in run order."""

    kind: str  # "points" or "images"
    samples: list[Cell]  # what each sampler returned
    last_x: list[Cell]  # x_t at each sampler's last model call (VP scale)


def figure_rows(result: "CompareResult") -> FigureRows:
    """The rows of a comparison's figure: the returned samples on top, the last x_t below."""
    empty = np.zeros((0, *result.runs[0].samples.shape[1:])) if result.runs else np.zeros((0, 2))
    return FigureRows(result.kind,
                      [Cell(samples_title(r), np.asarray(r.samples)) for r in result.runs],
                      [Cell(last_call_title(r), np.asarray(r.frames.x[-1]) if len(r.frames) else empty)
                       for r in result.runs])
