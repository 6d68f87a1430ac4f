"""Classifier-free guidance in the diffusion workflow: sample a class-conditional model (a mixture with classes,
a digits model trained with label dropout) guided towards a class, and sweep the guidance scale w.

The convention (:mod:`engines.diffusion.guidance`): D̃ = D_u + w (D_c − D_u); w = 0 is the unconditional
model bit for bit, w = 1 the conditional one. Used by the diffusion panel's Guidance tab and by
``workbench run diffusion --guidance W --class C``. Importing this module loads no torch.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from engines.catalogue import Option
from tasks.diffusion import DEFAULT_NFE, SampleOutcome, SampleRequest, SamplerSpec, SourceSpec, open_source, sample_job

if TYPE_CHECKING:
    from engines.diffusion.guidance_sweep import GuidanceSweep
    from engines.diffusion.sources import Source

GUIDANCE = Option("guidance", "Guidance scale w", "float", None, 0.0, 20.0, step=0.5, decimals=2, none_label="1",
                  help="classifier-free guidance scale w in D_u + w (D_c - D_u): 0 the unconditional model, 1 the "
                       "conditional one, above 1 guided past it (Ho & Salimans' w is this w - 1); needs --class")
CLASS = Option("class", "Class", "int", None, 0, 999, none_label="none",
               help="the class to sample, on a class-conditional mixture or a model trained with --class-dropout")
SWEEP_SAMPLES = 500  # samples per scale in the panel's sweep


def _open(source: SourceSpec, device: str, reporter) -> "Source":
    if not isinstance(source, str):
        return source
    from engines.device import pick_device

    reporter.progress(None, "loading the model")
    return open_source(source, pick_device(device))


def guided_sample_job(reporter, request: SampleRequest, label: int, scale: float | None = None) -> SampleOutcome:
    """The request's samplers on its model guided towards ``label`` at ``scale`` (None: 1, the conditional
    model); the metrics measure against the class's exact conditional samples (or held-out images)."""
    from engines.diffusion.guidance import guided_source

    request.check()
    CLASS.validate(label)
    scale = 1.0 if scale is None else GUIDANCE.validate(scale)
    source = _open(request.source, request.device, reporter)
    guided = guided_source(source, label, scale, request.seed)
    return sample_job(reporter, replace(request, source=guided))


def source_classes(source: "Source") -> list[str]:
    """The names of the classes ``source``'s model is conditioned on ([] when it is not)."""
    from engines.diffusion.guidance import class_names

    return class_names(source.model)


def branch_source(source: "Source", label: int | None, scale: float | None, seed: int = 0) -> "Source":
    """The source a branch continues on when it changes the guidance: ``source``'s class-conditional model
    guided towards ``label`` at ``scale`` (None: the guided run's own class / scale; an unguided run's scale
    defaults to 1), with the class's reference data."""
    from engines.diffusion.guidance import GuidedDenoiser, guided_source
    from engines.errors import InputError

    model = source.model
    if isinstance(model, GuidedDenoiser):
        label = model.label if label is None else label
        scale = model.scale if scale is None else scale
        source = replace(source, model=model.model)
    elif label is None:
        raise InputError("a branch's guidance scale needs a class to guide towards (the run is not guided)")
    CLASS.validate(label)
    return guided_source(source, label, 1.0 if scale is None else GUIDANCE.validate(scale), seed)


def guidance_metrics(outcome: SampleOutcome) -> dict[str, Any]:
    """metrics.json's ``guidance``: the scale, class and convention, and each sampler's fraction of samples
    per class (by nearest component, or the digits classifier)."""
    from engines.diffusion.guidance import CONVENTION, class_fractions, class_names

    model = outcome.source.model
    inner = model.model
    return {"guidance": {"scale": model.scale, "class": model.label, "convention": CONVENTION,
                         "class_names": class_names(inner),
                         "class_fractions": {r.name: [round(float(f), 6) for f in class_fractions(inner, r.samples)]
                                             for r in outcome.result.runs}}}


def guidance_summary(metrics: dict[str, Any]) -> str:
    """One line: the class, the scale and each sampler's fraction of samples in that class."""
    g = metrics["guidance"]
    k = g["class"]
    shares = ", ".join(f"{name} {fr[k]:.3f}" for name, fr in g["class_fractions"].items())
    return f"guided towards {g['class_names'][k]} at w = {g['scale']:g}; fraction of samples in it: {shares}"


@dataclass
class GuidanceRequest:
    """A sweep of the guidance scale: ``sampler`` at ``nfe`` calls on ``samples`` samples from one noise."""

    source: SourceSpec
    label: int
    scales: tuple[float, ...] = ()  # () the engine's default sweep, 0 to 8
    sampler: SamplerSpec = ("heun", {})
    nfe: int = DEFAULT_NFE
    samples: int = SWEEP_SAMPLES
    seed: int = 0
    device: str = "auto"


@dataclass
class GuidanceOutcome:
    source: "Source"
    sweep: "GuidanceSweep"
    request: GuidanceRequest = field(default_factory=lambda: GuidanceRequest(""))


def guidance_job(reporter, request: GuidanceRequest) -> GuidanceOutcome:
    """Open the model and sweep the guidance scale (partials: the engine's sweep so far)."""
    from engines.diffusion.guidance_sweep import SCALES, guidance_job as sweep

    CLASS.validate(request.label)
    for w in request.scales:
        GUIDANCE.validate(w)
    SampleRequest(request.source, [request.sampler], request.nfe, request.samples, request.seed).check()
    source = _open(request.source, request.device, reporter)
    result = sweep(reporter, source, request.label, request.scales or SCALES, request.sampler, request.nfe,
                   request.samples, request.seed)
    return GuidanceOutcome(source, result, request)
