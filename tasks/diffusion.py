"""The diffusion workflow: open a model (an exact mixture, a bundled or saved checkpoint, a diffusers folder),
sample it with several samplers from the same noise at the same NFE, measure quality against NFE, train a
model and save it; and what ``workbench run diffusion`` writes (samples, frames, metrics, sidecar).

Jobs (``job(reporter, ...)``), their requests, results and defaults; the diffusion panel and the ``run
diffusion`` and ``train diffusion`` commands are thin clients of this module. Each job resolves the device
preference once, inside the job (never on the GUI thread). Importing this module loads no torch.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np

from engines.catalogue import Option, seed_option
from engines.diffusion.catalogue import MIXTURES, PREDICTION, SAMPLERS, SCHEDULE, TRAINING_SETS
from engines.errors import InputError
from tasks import __version__
from tasks.bundled import bundled, bundled_path

if TYPE_CHECKING:
    from engines.diffusion.run import CompareResult, QualityCurves
    from engines.diffusion.sources import Source
    from engines.diffusion.training import TrainResult, TrainSnapshot

DEFAULT_MIXTURE = "moons"  # the command's model when none is named
DEFAULT_SAMPLERS = ("ddim", "heun", "dpmpp_2m", "euler_maruyama")
DEFAULT_NFE = 20
DEFAULT_SAMPLES = 1000
QUALITY_NFES = (5, 10, 20, 50, 100)  # the quality-against-NFE sweep
QUALITY_SAMPLES = 500
TRAIN_STEPS = 3000
BATCH = {"points": 512, "images": 256}  # training batch by data kind
LEARNING_RATE = 2e-3

# the numbers of a sampling run and of a training run, as the command line's options show them
NFE = Option("nfe", "NFE", "int", DEFAULT_NFE, 1, 1000, help="model calls per sampler")
SAMPLES = Option("samples", "Samples", "int", DEFAULT_SAMPLES, 2, 1_000_000, help="samples per sampler")
SEED = seed_option(help="seed of the shared initial noise and of the samplers' noise")
STEPS = Option("steps", "Steps", "int", TRAIN_STEPS, 1, 1_000_000, help="optimizer steps")
BATCH_SIZE = Option("batch_size", "Batch size", "int", None, 1, 65536, none_label="data's",
                    help="items per optimisation step (the data's: " + ", ".join(f"{b} for {kind}" for kind, b in BATCH.items()) + ")")
LR = Option("lr", "Learning rate", "float", LEARNING_RATE, 1e-6, 1.0, help="Adam learning rate, cosine-decayed")
CLASS_DROPOUT = Option("class_dropout", "Label dropout", "float", None, 0.0, 0.9, none_label="off",
                       help="train class-conditional (digits) with each label dropped to the null label with this "
                            "probability: one model for classifier-free guidance (Ho & Salimans 2022)")

SamplerSpec = tuple[str, dict[str, Any]]  # a sampler's name and its settings (see engines.diffusion.catalogue)
SourceSpec = Union[str, "Source"]  # "mixture:NAME", "bundled:NAME", a path, or a model already open


# ------------------------------------------------------------------ sources
def source_choices() -> list[tuple[str, str]]:
    """(label, spec) of every built-in model in menu order: the exact mixtures, then the bundled checkpoints."""
    return ([(f"Exact mixture: {m.label}", f"mixture:{m.name}") for m in MIXTURES]
            + [(b.label, f"bundled:{b.name}") for b in bundled("diffusion")])


def default_source() -> str:
    """The first bundled checkpoint (moons) when it is installed, else the exact mixture of the same data."""
    first = bundled("diffusion")[0]
    return f"bundled:{first.name}" if first.path.is_file() else f"mixture:{DEFAULT_MIXTURE}"


def open_source(spec: str, device: Any = "cpu", dataset: Optional[str] = None) -> "Source":
    """``mixture:NAME`` (an exact mixture), ``bundled:NAME`` (a bundled checkpoint) or a path (a Workbench
    checkpoint or a diffusers model folder), on ``device``; ``dataset`` replaces the data a checkpoint was
    trained on as the held-out reference."""
    from engines.diffusion.sources import checkpoint_source, mixture_source

    kind, _, rest = spec.partition(":")
    if kind == "mixture":
        if dataset is not None:
            raise InputError("--dataset goes with --checkpoint: an exact mixture is scored against its own samples")
        return mixture_source(rest, device)
    if kind == "bundled":
        return checkpoint_source(bundled_path("diffusion", rest), device, dataset)
    return checkpoint_source(spec, device, dataset)


# ------------------------------------------------------------------ sampling
@dataclass
class SampleRequest:
    """Samplers to compare on one model: each from the same initial noise (``seed``), spending ``nfe``
    model calls on ``samples`` samples. ``device`` is a preference ("auto", "cpu", ...) used when the source
    is a spec; an open source stays where it is."""

    source: SourceSpec = f"mixture:{DEFAULT_MIXTURE}"
    samplers: list[SamplerSpec] = field(default_factory=lambda: [(name, {}) for name in DEFAULT_SAMPLERS])
    nfe: int = DEFAULT_NFE
    samples: int = DEFAULT_SAMPLES
    seed: int = 0
    device: str = "auto"
    dataset: Optional[str] = None  # held-out data other than the checkpoint's own (a path or a built-in set)

    def check(self) -> None:
        """InputError for anything the engines would refuse later (before a model is loaded)."""
        NFE.validate(self.nfe)
        SAMPLES.validate(self.samples)
        SEED.validate(self.seed)
        if not self.samplers:
            raise InputError("choose at least one sampler")
        names = [name for name, _ in self.samplers]
        if len(set(names)) != len(names):
            raise InputError("each sampler may be given once (compare settings of one sampler in separate runs)")
        for name, settings in self.samplers:
            SAMPLERS[name].settings(settings)


@dataclass
class SampleOutcome:
    source: "Source"  # the open model (kept by the panel for reruns and the quality sweep)
    result: "CompareResult"
    request: Optional[SampleRequest] = None  # what was sampled (samplers, NFE, samples, seed)

    @property
    def device(self) -> str:
        return str(self.source.model.device)


def sample_job(reporter, request: SampleRequest) -> SampleOutcome:
    """Open the request's source (if it is a spec) and compare its samplers on it; partials are the
    engine's CompareResults with the samplers finished so far."""
    from engines.diffusion.run import compare_job

    request.check()
    source = request.source
    if isinstance(source, str):
        from engines.device import pick_device

        reporter.progress(None, "loading the model")
        source = open_source(source, pick_device(request.device), request.dataset)
    return SampleOutcome(source, compare_job(reporter, source, request.samplers, request.nfe, request.samples,
                                             request.seed), request)


def quality_job(reporter, source: "Source", samplers: list[SamplerSpec], samples: int = QUALITY_SAMPLES,
                seed: int = 0, nfes: tuple[int, ...] = QUALITY_NFES,
                shown: Optional[SampleOutcome] = None) -> "QualityCurves":
    """Quality against held-out data at each of ``nfes``, per sampler (partials: the curves so far).
    With ``shown`` (the comparison the panel shows), the sweep runs on its samplers, samples and seed, its
    NFE joins the sweep and its measured metrics are the curves' points there: a number the panel shows
    twice is computed once."""
    from engines.diffusion.run import quality_job as sweep

    known = None
    if shown is not None and shown.request is not None:
        asked = shown.request
        samplers, samples, seed = list(asked.samplers), asked.samples, asked.seed
        nfes = tuple(sorted(set(nfes) | {asked.nfe}))
        known = {(r.name, asked.nfe): (r.nfe, r.metrics) for r in shown.result.runs if r.metrics}
    return sweep(reporter, source, samplers, nfes, samples, seed, known=known)


# ------------------------------------------------------------------ what a headless run writes
def samples_array(outcome: SampleOutcome) -> np.ndarray:
    """samples.npy: (K, M, ...) the M samples of each of the K samplers, in request order (points as they
    are, images (C, H, W) in [0, 1])."""
    from engines.diffusion.data import to_unit

    stack = np.stack([r.samples for r in outcome.result.runs])
    return to_unit(stack) if outcome.source.kind == "images" else stack


def frames_arrays(result: "CompareResult") -> dict[str, np.ndarray]:
    """frames.npz: per sampler NAME, x_NAME (calls, M, ...) the state in VP scale, x0_NAME the model's x̂0 at
    each call and sigma_NAME the σ of each call; ``samplers`` lists the names."""
    arrays = {"samplers": np.array([r.name for r in result.runs])}
    for r in result.runs:
        arrays[f"x_{r.name}"], arrays[f"x0_{r.name}"], arrays[f"sigma_{r.name}"] = r.frames.x, r.frames.x0, r.frames.sigma
    return arrays


def source_parameters(source: "Source") -> dict[str, Any]:
    """What reproduces the model: its description without the display label."""
    return {k: v for k, v in source.description.items() if k != "label"}


def run_metrics(request: SampleRequest, outcome: SampleOutcome) -> dict[str, Any]:
    """metrics.json: NFE spent, seconds and the quality measures of every sampler."""
    note = {"note": outcome.source.note} if outcome.source.note else {}
    return {"source": source_parameters(outcome.source), **note, "nfe_requested": request.nfe,
            "samples": request.samples, "seed": request.seed,
            "samplers": [{"name": r.name, "label": r.label, "settings": r.settings, "nfe": r.nfe,
                          "seconds": round(r.seconds, 4), **r.metrics} for r in outcome.result.runs]}


def run_parameters(request: SampleRequest, outcome: SampleOutcome) -> dict[str, Any]:
    """The sidecar's parameters of a run."""
    return {"panel": "diffusion", **source_parameters(outcome.source),
            "samplers": [[name, settings] for name, settings in request.samplers], "nfe": request.nfe,
            "samples": request.samples, "seed": request.seed, "device": outcome.device}


def non_finite_runs(outcome: SampleOutcome, where: str = "") -> list[str]:
    """A sentence for each sampler whose samples are not all finite (it diverged), saying where they are
    kept (``where``: "samples.npy") and that they were not scored."""
    kept = f"kept as they are in {where}, " if where else ""
    return [f"{r.label}: {r.metrics['non_finite_samples']} of {len(r.samples)} samples are not finite (the sampler "
            f"diverged; NaN or infinite values): {kept}not scored"
            for r in outcome.result.runs if r.metrics.get("non_finite_samples")]


def run_summary(outcome: SampleOutcome) -> str:
    """One line per run: each sampler's calls and measures."""
    return ", ".join(f"{r.name} ({r.nfe} calls" + "".join(f", {k} {v:.4g}" for k, v in r.metrics.items()) + ")"
                     for r in outcome.result.runs)


# ------------------------------------------------------------------ training
@dataclass
class TrainRequest:
    """A training run: ``dataset`` a built-in training set (see engines.diffusion.catalogue.TRAINING_SETS)
    or a file of points or images; ``prediction`` and ``schedule`` apply to DDPM; ``batch_size`` None takes
    :data:`BATCH` of the data's kind; ``preview_every`` 0 draws one preview, at the end."""

    dataset: str = TRAINING_SETS.names[0]
    objective: str = "ddpm"
    steps: int = TRAIN_STEPS
    prediction: str = PREDICTION.default
    schedule: str = SCHEDULE.default
    batch_size: Optional[int] = None
    lr: float = LEARNING_RATE
    seed: int = 0
    device: str = "auto"
    preview_every: int = 0
    class_dropout: Optional[float] = None
    labels: Optional[str] = None  # a table's label column, left out of its points


@dataclass
class TrainOutcome:
    result: "TrainResult"  # the network, losses and the checkpoint's config
    source: "Source"  # the trained model, ready to sample, with the held-out data for the metrics


@dataclass
class TrainPartial:
    snapshot: "TrainSnapshot"  # the loss curve so far and a preview
    outcome: TrainOutcome  # the EMA weights so far, ready to sample and save (what Stop keeps)


def train_job(reporter, request: TrainRequest) -> TrainOutcome:
    """Load the data, train (partials: :class:`TrainPartial` at every preview) and wrap the result as a source."""
    from engines.device import pick_device
    from engines.diffusion.data import load_data
    from engines.diffusion.sources import Source
    from engines.diffusion.training import train_job as train
    from engines.jobs import MappedReporter

    for option in (STEPS, BATCH_SIZE, LR, SEED, CLASS_DROPOUT):
        option.validate(getattr(request, option.name))
    reporter.progress(None, f"loading {request.dataset}")
    data = load_data(request.dataset, request.seed, request.labels)
    device = pick_device(request.device)

    def outcome(result: "TrainResult") -> TrainOutcome:
        done = result.extra["train"]["steps"]
        label = f"trained {request.objective} on {data.name}" + (
            f" (stopped at step {done})" if done < request.steps else "")
        source = Source(result.model, data.kind, data.heldout, {"source": "trained", "dataset": data.name,
                                                                "objective": request.objective, "label": label},
                        data.train[:2000])
        return TrainOutcome(result, source)

    partials = MappedReporter(reporter, lambda snap: TrainPartial(snap, outcome(snap.result)))
    return outcome(train(partials, data, request.objective, request.steps, prediction=request.prediction,
                         schedule=request.schedule, batch=request.batch_size or BATCH[data.kind], lr=request.lr,
                         seed=request.seed, device=device, preview_every=request.preview_every or max(request.steps, 1),
                         class_dropout=request.class_dropout))


def save_job(reporter, result: "TrainResult", path: Union[str, Path],
             final: Optional[Union[str, Path]] = None) -> dict[str, Any]:
    """Write a trained model as a checkpoint (``PATH.safetensors`` + ``PATH.json``) stamped with this
    application's version; returns the JSON body (``weights`` names the file, ``sha256`` its hash).
    ``final``: where the checkpoint will lie when ``path`` is in a staging folder (its data is recorded
    relative to that place)."""
    from engines.data.provenance import DATA_KEY, record_data
    from engines.diffusion.checkpoint import save

    reporter.progress(None, f"saving {Path(path).name}")
    b = result.body
    extra = {"dataset": result.data_name, **result.extra}
    if result.data_path is not None and Path(result.data_path).exists():  # for run diffusion's held-out rows
        extra[DATA_KEY] = record_data(result.data_path, final or path, result.data_labels).as_dict()
    return save(path, result.net, b["objective"], prediction=b["prediction"], schedule=b["schedule"], shape=b["shape"],
                sigma_data=b["sigma_data"], extra=extra, version=__version__)
