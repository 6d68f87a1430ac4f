"""The panel's jobs: plain functions ``job(reporter, ...)`` run off the GUI thread (and by the CLI).

Engines are imported inside the functions, so importing this module does not load torch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# name -> label, kept here (not imported from the engine) so that building the sidebar needs no torch;
# tests check it against engines.diffusion.samplers.SAMPLERS.
SAMPLER_LABELS = {
    "ddpm": "DDPM ancestral",
    "ddim": "DDIM",
    "euler": "Euler (EDM σ)",
    "heun": "Heun (EDM σ)",
    "dpmpp_2m": "DPM-Solver++(2M)",
    "euler_maruyama": "Euler–Maruyama SDE",
    "pf_ode": "PF-ODE (RK45, adaptive)",
    "langevin": "Annealed Langevin",
    "flow_euler": "Flow-matching Euler",
}
DEFAULT_SAMPLERS = ("ddim", "heun", "dpmpp_2m", "euler_maruyama")
MIXTURES = ("moons", "eight_gaussians", "gaussian_mixture", "swiss_roll", "checkerboard", "rings", "circles")
TRAIN_SETS = ("moons", "swiss_roll", "eight_gaussians", "checkerboard", "rings", "circles", "digits")
QUALITY_NFES = (5, 10, 20, 50, 100)


def default_source() -> str:
    """The bundled moons checkpoint when it is installed, else the exact moons mixture."""
    import resources

    return "bundled:moons" if resources.path("checkpoints", "diffusion_moons.safetensors").is_file() else "mixture:moons"


@dataclass
class SampleOutcome:
    source: Any  # engines.diffusion.sources.Source
    result: Any  # engines.diffusion.run.CompareResult


def sample_job(reporter, source: Any, device: str, samplers: list[tuple[str, dict]], nfe: int, n: int,
               seed: int) -> SampleOutcome:
    """Open ``source`` (a spec string, or a Source already open) and compare ``samplers`` on it."""
    from engines.diffusion.run import compare_job
    from engines.diffusion.sources import open_source

    if isinstance(source, str):
        reporter.progress(None, "loading the model")
        from engines.device import pick_device

        source = open_source(source, pick_device(device))
    return SampleOutcome(source, compare_job(reporter, source, samplers, nfe, n, seed))


def quality_job(reporter, source: Any, samplers: list[tuple[str, dict]], n: int, seed: int):
    from engines.diffusion.run import quality_job as run_quality

    return run_quality(reporter, source, samplers, QUALITY_NFES, n, seed)


def train_job(reporter, dataset: str, objective: str, steps: int, seed: int, device: str):
    """Train a model on ``dataset``; returns (TrainResult, Source of the trained model)."""
    from engines.diffusion.data import load_data
    from engines.diffusion.sources import Source
    from engines.diffusion.training import train_job as run_training

    reporter.progress(None, f"loading {dataset}")
    data = load_data(dataset, seed)
    result = run_training(reporter, data, objective, steps, seed=seed, device=device,
                          preview_every=max(50, steps // 12), batch=256 if data.kind == "images" else 512)
    source = Source(result.model, data.kind, data.heldout, {"source": "trained", "dataset": data.name,
                                                            "objective": objective, "label": f"trained {objective} on {data.name}"},
                    data.train[:2000])
    return result, source


def save_job(reporter, result: Any, path: str) -> str:
    from engines.diffusion.checkpoint import save

    b = result.body
    body = save(path, result.net, b["objective"], prediction=b["prediction"], schedule=b["schedule"], shape=b["shape"],
                sigma_data=b["sigma_data"], extra={"dataset": result.data_name, **result.extra})
    return body["sha256"]
