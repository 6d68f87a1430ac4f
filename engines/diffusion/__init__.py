"""Diffusion models without Qt: schedules, parameterisations, denoisers (trained networks and the exact
Gaussian mixture), training objectives as a job, one function per sampler with a callback per model call,
frame recording, metrics, checkpoints and an optional diffusers model-folder loader.

    from engines.jobs import run
    from engines.diffusion import compare_job, mixture_source
    result = run(compare_job, mixture_source("moons"), [("ddim", {}), ("heun", {})], nfe=20, n=1000)

Every model is a :class:`~engines.diffusion.models.Denoiser` called as ``model(x, a, b) -> x̂0`` for
states x = a·x0 + b·ε; samplers choose their own coordinates (VP, VE or flow) on a σ grid.
"""
from engines.diffusion.mixture import GaussianMixture, named_mixture
from engines.diffusion.models import Denoiser, EDMModel, FlowModel, VPModel
from engines.diffusion.recording import FrameRecorder, Frames
from engines.diffusion.run import CompareResult, QualityCurves, SamplerRun, compare_job, quality_job
from engines.diffusion.samplers import SAMPLERS, make_plan, parse_sampler
from engines.diffusion.schedules import VPSchedule, karras_sigmas
from engines.diffusion.sources import Source, checkpoint_source, mixture_source, open_source

__all__ = ["GaussianMixture", "named_mixture", "Denoiser", "EDMModel", "FlowModel", "VPModel", "FrameRecorder",
           "Frames", "CompareResult", "QualityCurves", "SamplerRun", "compare_job", "quality_job", "SAMPLERS",
           "make_plan", "parse_sampler", "VPSchedule", "karras_sigmas", "Source", "checkpoint_source",
           "mixture_source", "open_source"]
