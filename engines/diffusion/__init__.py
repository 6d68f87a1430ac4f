"""Diffusion models without Qt: schedules, parameterisations, denoisers (trained networks and the exact
Gaussian mixture), training objectives as a job, one function per sampler with a callback per model call,
frame recording, metrics, checkpoints and an optional diffusers model-folder loader.

    from engines.jobs import run
    from engines.diffusion.run import compare_job
    from engines.diffusion.sources import mixture_source
    result = run(compare_job, mixture_source("moons"), [("ddim", {}), ("heun", {})], nfe=20, n=1000)

Every model is a :class:`~engines.diffusion.models.Denoiser` called as ``model(x, a, b) -> x̂0`` for
states x = a·x0 + b·ε; samplers choose their own coordinates (VP, VE or flow) on a σ grid.
:mod:`engines.diffusion.catalogue` lists the samplers, mixtures, training sets and objectives (no torch);
importing this package loads nothing else.
"""
