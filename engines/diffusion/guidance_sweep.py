"""How samples leave the true conditional distribution as the guidance scale w grows.

:func:`guidance_job` samples a class-conditional model guided towards one class at each scale of a sweep,
from the same initial noise with the same sampler and NFE, and measures at each w the distance of the
samples to the exact conditional distribution (sliced Wasserstein and MMD against exact conditional
samples for a mixture, held-out images of the class for the digits) and the fraction of samples in each
class (by nearest component, or the digits classifier). See :mod:`engines.diffusion.guidance` for the
convention (w = 0 unconditional, w = 1 conditional).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional, Sequence

import numpy as np

from engines.budget import check, estimate_bytes
from engines.diffusion.catalogue import SAMPLERS
from engines.diffusion.guidance import (GuidedDenoiser, check_class, class_fractions, class_names,
                                        conditional_reference)
from engines.diffusion.run import _noise, sample_one, score_samples
from engines.diffusion.sources import Source
from engines.errors import InputError

SCALES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)


@dataclass
class GuidanceSweep:
    """Per guidance scale: the samples, their distances to the class's reference and their class fractions."""

    label: int
    class_names: list[str]
    sampler: str
    sampler_label: str
    nfe: int
    kind: str  # "points" or "images"
    reference: Optional[np.ndarray]  # the exact conditional samples (or held-out images of the class)
    scales: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)  # measure -> value at each scale
    fractions: list[np.ndarray] = field(default_factory=list)  # (classes,) at each scale
    samples: list[np.ndarray] = field(default_factory=list)  # (N, ...) model space, at each scale

    def snapshot(self) -> "GuidanceSweep":
        """A copy whose lists the job no longer appends to (a partial the GUI reads while the sweep goes on)."""
        return replace(self, scales=list(self.scales), metrics={k: list(v) for k, v in self.metrics.items()},
                       fractions=list(self.fractions), samples=list(self.samples))

    def table(self) -> dict[str, np.ndarray]:
        """Columns of one row per scale: w, each measure and the fraction of each class (``fraction_NAME``)."""
        out: dict[str, np.ndarray] = {"w": np.array(self.scales, float)}
        out.update({k: np.array(v, float) for k, v in self.metrics.items()})
        fr = np.array(self.fractions, float).reshape(len(self.scales), len(self.class_names))
        out.update({f"fraction_{name.replace(' ', '_')}": fr[:, k] for k, name in enumerate(self.class_names)})
        return out


def guidance_job(reporter, source: Source, label: int, scales: Sequence[float] = SCALES,
                 sampler: tuple[str, dict[str, Any]] = ("heun", {}), nfe: int = 20, n: int = 1000,
                 seed: int = 0) -> GuidanceSweep:
    """Sample ``source`` guided towards ``label`` at each of ``scales`` (partials: the sweep so far)."""
    if not scales:
        raise InputError("give at least one guidance scale")
    if n < 2:
        raise InputError(f"need at least 2 samples, got {n}")
    name, settings = sampler
    model = source.model
    check(f"{len(scales)} guidance scales of {n:,} samples each", estimate_bytes(model.shape) * n * (len(scales) + 2))
    check_class(model, label, source.label)
    sweep = GuidanceSweep(int(label), class_names(model), name, SAMPLERS[name].label, int(nfe), source.kind,
                          conditional_reference(source, label, seed))
    noise = _noise(n, tuple(model.shape), seed, model.device)
    for i, w in enumerate(scales):
        reporter.progress(i / len(scales), f"guidance w = {w:g} ({i + 1} of {len(scales)})")
        x, _, _, _ = sample_one(GuidedDenoiser(model, label, w), name, settings, nfe, noise, seed, check=reporter.check)
        samples = x.float().cpu().numpy()
        sweep.scales.append(float(w))
        sweep.samples.append(samples)
        sweep.fractions.append(class_fractions(model, samples))
        for key, value in score_samples(samples, sweep.reference, source.kind, model.shape).items():
            sweep.metrics.setdefault(key, [np.nan] * i).append(value)
        for values in sweep.metrics.values():
            values.extend([np.nan] * (i + 1 - len(values)))
        reporter.partial(sweep.snapshot())
    reporter.progress(1.0, "guidance sweep done")
    return sweep
