"""Reflow (rectified flow, Liu et al. 2022) as a workflow: flow matching then R reflow rounds, each measured
by the straightness of its paths and by one- and two-step sample quality; ``workbench train diffusion
--objective flow --reflow R`` saves one checkpoint per round and ``straightness.csv``, and the diffusion
panel's Likelihood tab draws the rounds. Importing this module loads no torch."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from engines.diffusion.catalogue import TRAINING_SETS
from engines.diffusion.catalogue_likelihood import PAIR_STEPS, PAIRS, REFLOW

if TYPE_CHECKING:
    from engines.diffusion.reflow import ReflowResult
    from engines.diffusion.sources import Source

STRAIGHTNESS_FILE = "straightness.csv"


@dataclass
class ReflowRequest:
    """Flow matching on ``dataset`` for ``steps`` steps, then ``rounds`` reflow rounds of as many steps."""

    dataset: str = TRAINING_SETS.names[0]
    steps: int = 1500
    rounds: int = 1
    pairs: int = PAIRS.default
    pair_steps: int = PAIR_STEPS.default
    batch_size: Any = None
    lr: float = 2e-3
    seed: int = 0
    device: str = "auto"


def reflow_job(reporter, request: ReflowRequest) -> "ReflowResult":
    """Load the data and run the rounds (partials: the rounds so far)."""
    from engines.device import pick_device
    from engines.diffusion.data import load_data
    from engines.diffusion.reflow import reflow_job as rounds
    from tasks.diffusion import BATCH, BATCH_SIZE, LR, SEED, STEPS

    for option in (STEPS, BATCH_SIZE, LR, SEED):
        option.validate(getattr(request, option.name))
    for option, value in ((REFLOW, request.rounds), (PAIRS, request.pairs), (PAIR_STEPS, request.pair_steps)):
        option.validate(value)
    reporter.progress(None, f"loading {request.dataset}")
    data = load_data(request.dataset, request.seed)
    return rounds(reporter, data, request.rounds, request.steps, pairs=request.pairs, pair_steps=request.pair_steps,
                  batch=request.batch_size or BATCH[data.kind], lr=request.lr, seed=request.seed,
                  device=pick_device(request.device))


def round_path(path: Union[str, Path], round: int) -> Path:
    """CKPT for round 0 and CKPT-reflowR for round R (the .safetensors suffix kept where given)."""
    path = Path(path)
    if round == 0:
        return path
    suffix = path.suffix if path.suffix.lower() == ".safetensors" else ""
    base = path.name[: -len(suffix)] if suffix else path.name
    return path.with_name(f"{base}-reflow{round}{suffix}")


def save_rounds_job(reporter, result: "ReflowResult", path: Union[str, Path]) -> list[dict[str, Any]]:
    """Every round's checkpoint (:func:`round_path`) and ``straightness.csv`` beside them, replacing the old
    set together or not at all; the JSON bodies."""
    from engines.export.staging import create_folder, staged_outputs
    from engines.export.tables import write_csv
    from tasks.diffusion import save_job

    path = Path(path)
    bodies = []
    with staged_outputs(create_folder(path.parent, "checkpoint folder")) as stage:
        for r in result.rounds:
            reporter.check()
            r.result.extra["straightness"] = r.straightness.to_json()
            final = round_path(path, r.round)
            bodies.append(save_job(reporter, r.result, stage / final.name, final=final))
        write_csv(stage / STRAIGHTNESS_FILE, result.columns())
    return bodies


def summary(result: "ReflowResult") -> str:
    """Straightness and one-step quality of every round, in a line."""
    cols = result.columns()
    return "; ".join(f"round {r}: straightness {s:.4g} ± {h:.2g}, one-step SW {q:.4g}"
                     for r, s, h, q in zip(cols["round"], cols["straightness"], cols["ci95_half_width"],
                                           cols["one_step_sliced_wasserstein"]))


def round_source(result: "ReflowResult", index: int) -> "Source":
    """The model of round ``index`` as a source to sample, with the held-out data for the metrics."""
    from engines.diffusion.sources import Source

    r = result.rounds[index]
    return Source(r.result.model, result.kind, result.heldout,
                  {"source": "trained", "dataset": result.data_name, "objective": "flow", "reflow": r.round,
                   "label": f"{r.label} on {result.data_name}"})
