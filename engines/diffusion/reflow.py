"""Rectified flow and reflow (Liu et al. 2022, "Flow Straight and Fast"): train flow matching on independent
(data, noise) pairs, then, round after round, draw noise ε, carry it to a sample x̂0 along the previous
model's ODE and train the next model (started from the previous weights) on the coupled pairs (x̂0, ε).
Each round's paths are straighter, so one or two Euler steps sample better.

Straightness (Liu et al. 2022, eq. 4 of §2.2) of a model's flow Z_t from noise Z_1 to its sample Z_0:

    S = ∫₀¹ E ‖(Z_1 − Z_0) − v(Z_t, t)‖² dt,

0 for perfectly straight paths; measured along the model's own Euler paths (``steps`` steps) from fixed noise.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import torch

from engines.device import DeviceLike, as_device
from engines.diffusion.catalogue_likelihood import PAIR_STEPS, PAIRS, REFLOW
from engines.diffusion.data import DiffusionData
from engines.diffusion.estimates import Estimate, estimate
from engines.diffusion.models import CountingDenoiser
from engines.diffusion.run import QualityCurves
from engines.diffusion.training import TrainResult, train_job
from engines.jobs import SpanReporter

QUALITY_NFES = (1, 2, 4, 8, 16)  # flow-matching Euler steps of each round's quality curve
MEASURE_SAMPLES = 1000  # noise rows straightness and quality are measured on (the same for every round)


@dataclass
class ReflowRound:
    round: int  # 0: flow matching on independent pairs; r ≥ 1: the r-th reflow
    result: TrainResult
    straightness: Estimate
    quality: dict[int, dict[str, float]]  # NFE -> the metrics of flow-matching Euler at that NFE

    @property
    def label(self) -> str:
        return "flow matching" if self.round == 0 else f"reflow {self.round}"


@dataclass
class ReflowResult:
    data_name: str
    kind: str  # the data's kind ("points" or "images")
    heldout: np.ndarray  # the held-out data quality is measured against
    rounds: list[ReflowRound] = field(default_factory=list)
    planned: int = 0

    def curves(self) -> QualityCurves:
        """Quality against NFE, one curve per round (flow-matching Euler), labelled "reflow round k" (round 0:
        flow matching itself): extra series on the panel's quality-against-NFE chart."""
        curves = QualityCurves({}, {}, {})
        for r in self.rounds:
            key = f"round{r.round}"
            curves.labels[key] = f"reflow round {r.round}" + (" (flow matching)" if r.round == 0 else "")
            curves.nfes[key] = list(r.quality)
            curves.metrics[key] = {}
            for metrics in r.quality.values():
                for name, value in metrics.items():
                    curves.metrics[key].setdefault(name, []).append(value)
        return curves

    def columns(self) -> dict[str, np.ndarray]:
        """straightness.csv: round, straightness and its 95% half-width, and the one- and two-step sliced
        Wasserstein distance to held-out data."""
        rows = self.rounds
        sw = lambda r, n: r.quality.get(n, {}).get("sliced_wasserstein", float("nan"))  # noqa: E731
        return {"round": np.array([r.round for r in rows]),
                "straightness": np.array([r.straightness.mean for r in rows]),
                "ci95_half_width": np.array([r.straightness.half_width for r in rows]),
                "one_step_sliced_wasserstein": np.array([sw(r, 1) for r in rows]),
                "two_step_sliced_wasserstein": np.array([sw(r, 2) for r in rows])}


def flow_paths(model, noise: torch.Tensor, steps: int, check=None) -> tuple[torch.Tensor, np.ndarray]:
    """(Z_0, per-row straightness) of Euler paths of ``steps`` uniform steps from Z_1 = ``noise`` along the
    model's velocity v = (x − x̂0)/t (flow coordinates x = (1 − t) x0 + t ε)."""
    counted = CountingDenoiser(model, check)
    ts = np.linspace(1.0, 0.0, steps + 1)
    x = noise
    velocities = []
    with torch.inference_mode():
        for t, t_next in zip(ts[:-1], ts[1:]):
            v = (x - counted(x, 1.0 - t, t)) / t
            velocities.append(v)
            x = x + (t_next - t) * v
        chord = noise - x
        s = sum((chord - v).flatten(1).square().sum(1).cpu().double() for v in velocities) / steps
    return x, s.numpy()


def _quality(samples: np.ndarray, data: DiffusionData) -> dict[str, float]:
    """Sliced Wasserstein to held-out data for points (MMD would double a round's measuring time); the
    comparison's full set of measures for images."""
    from engines.diffusion.metrics import sliced_wasserstein
    from engines.diffusion.run import score_samples

    if data.kind == "points" and np.isfinite(samples).all():
        return {"sliced_wasserstein": sliced_wasserstein(samples, data.heldout)}
    return score_samples(samples, data.heldout, data.kind, data.shape)


def _measure(model, data: DiffusionData, steps: int, samples: int, seed: int,
             check) -> tuple[Estimate, dict[int, dict[str, float]]]:
    g = torch.Generator().manual_seed(seed + 7)
    noise = torch.randn((samples, *data.shape), generator=g).to(model.device)
    _, s = flow_paths(model, noise, steps, check)
    quality = {}
    for nfe in QUALITY_NFES:
        x, _ = flow_paths(model, noise, nfe, check)
        quality[nfe] = _quality(x.float().cpu().numpy(), data)
    return estimate(s), quality


def reflow_job(reporter, data: DiffusionData, rounds: int = REFLOW.default, steps: int = 3000, *,
               pairs: int = PAIRS.default, pair_steps: int = PAIR_STEPS.default, batch: int = 512, lr: float = 2e-3,
               seed: int = 0, device: DeviceLike = "cpu", measure_samples: int = MEASURE_SAMPLES) -> ReflowResult:
    """Flow matching, then ``rounds`` reflow rounds of ``steps``
    steps on ``pairs`` (noise, sample) pairs each; partials: the :class:`ReflowResult` so far."""
    for option, value in ((REFLOW, rounds), (PAIRS, pairs), (PAIR_STEPS, pair_steps)):
        option.validate(value)
    dev = as_device(device)
    out = ReflowResult(data.name, data.kind, data.heldout, planned=rounds + 1)
    span = 1.0 / (rounds + 1)
    previous: Optional[TrainResult] = None
    for r in range(rounds + 1):
        stage = SpanReporter(reporter, r * span, 0.8 * span)
        if previous is None:
            result = train_job(stage, data, "flow", steps, batch=batch, lr=lr, seed=seed, device=dev)
        else:
            reporter.progress(r * span, f"reflow {r}: drawing {pairs:,} pairs")
            g = torch.Generator().manual_seed(seed + 1000 * r)
            noise = torch.randn((pairs, *data.shape), generator=g).to(dev)
            samples, _ = flow_paths(previous.model, noise, pair_steps, reporter.check)
            coupled = DiffusionData(data.name, data.kind, samples.float().cpu().numpy(), data.heldout)
            result = train_job(stage, coupled, "flow", steps, batch=batch, lr=lr, seed=seed + r, device=dev,
                               net=copy.deepcopy(previous.net), noise=noise.cpu().numpy())
            result.extra["reflow"] = {"round": r, "pairs": pairs, "pair_steps": pair_steps}
        reporter.progress((r + 0.85) * span, f"{'reflow ' + str(r) if r else 'flow matching'}: measuring straightness")
        straight, quality = _measure(result.model, data, pair_steps, measure_samples, seed, reporter.check)
        out.rounds.append(ReflowRound(r, result, straight, quality))
        reporter.partial(ReflowResult(out.data_name, out.kind, out.heldout, list(out.rounds), out.planned))
        previous = result
    reporter.progress(1.0, "reflow done")
    return out
