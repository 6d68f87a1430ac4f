"""Real-network mode: registries of known architectures and datasets, the built-in MLP on scikit-learn's
8×8 digits, and training runs recorded as parameter snapshots (the trajectories that Li et al. 2018,
"Visualizing the Loss Landscape of Neural Nets", project onto loss-landscape planes).

Other panels register their models and data with :func:`register_architecture` and
:func:`register_dataset`; a dataset is a :class:`Task` whose splits hold model inputs and targets (for
a stochastic objective, fix the noise in the inputs) plus a loss ``loss_fn(model_output, targets)``.
A training run is stored as a folder of safetensors files and a JSON config with a content hash.
Other engines' models (the latent panel's VAEs and NICE flow, the diffusion panel's denoisers) come from the modules in :data:`PROVIDERS`,
imported on the first lookup; :func:`open_network` opens any file by the JSON "format" it declares.
"""
from __future__ import annotations

import functools
import hashlib
import importlib
import itertools
import json
import math
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from torch import Tensor, nn
from torch.func import functional_call

from engines.device import pick_device
from engines.errors import InputError
from engines.jobs import Reporter, Throttle
from engines.checkpoints import declared_format, match_state_dict, read_json_config, read_safetensors, read_tensors
from engines.data import digits_split
from engines.optim.optimizers import build_optimizer
from engines.optim.spec import OptimizerSpec, format_spec, parse_spec

T = TypeVar("T")
PathLike = str | Path


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A registered builder: ``entry(overrides)`` fills in ``defaults`` and builds.

    Config values must be JSON-serialisable (lists, not tuples) so a saved run rebuilds the same object.
    ``dataset`` names, for an architecture, the dataset it is trained on by default.
    """

    build: Callable[[dict[str, Any]], T]
    defaults: Mapping[str, Any]
    description: str = ""
    dataset: str | None = None

    def config(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        unknown = sorted(set(overrides or {}) - set(self.defaults))
        if unknown:
            raise InputError(f"unknown setting {unknown[0]!r}; known: {', '.join(self.defaults)}")
        return {**self.defaults, **(overrides or {})}

    def __call__(self, overrides: Mapping[str, Any] | None = None) -> T:
        return self.build(self.config(overrides))


@dataclass(frozen=True)
class Split:
    """Model inputs (a tuple: ``model(*inputs)``) and targets, aligned along dimension 0."""

    inputs: tuple[Tensor, ...]
    targets: Tensor

    def __len__(self) -> int:
        return int(self.targets.shape[0])

    def take(self, index: Tensor | slice) -> Split:
        return Split(tuple(x[index] for x in self.inputs), self.targets[index])

    def to(self, device: torch.device) -> Split:
        return Split(tuple(x.to(device) for x in self.inputs), self.targets.to(device))


@dataclass(frozen=True)
class Task:
    """A dataset with its objective: ``loss_fn(model_output, targets)`` is a mean over the batch;
    ``metric`` (named ``metric_name``, e.g. accuracy) is optional. Tensors are shared: do not modify."""

    name: str
    train: Split
    test: Split
    loss_fn: Callable[[Any, Tensor], Tensor]
    metric: Callable[[Any, Tensor], Tensor] | None = None
    metric_name: str = ""


ARCHITECTURES: dict[str, Entry[nn.Module]] = {}
DATASETS: dict[str, Entry[Task]] = {}

# Engines whose models this mode knows: each module registers its architectures, datasets and checkpoint
# formats when imported. They are imported on the first registry lookup (not here), so they may import
# this module without a cycle.
PROVIDERS: tuple[str, ...] = ("engines.latent.landscape", "engines.diffusion.landscape")
_providers_lock = threading.RLock()  # re-entrant: a provider being imported may look names up itself
_providers_loaded = False


def load_providers() -> None:
    """Import every module in :data:`PROVIDERS` once (called by every lookup; cheap after the first)."""
    global _providers_loaded
    if _providers_loaded:
        return
    with _providers_lock:
        for name in PROVIDERS:
            importlib.import_module(name)
        _providers_loaded = True


def register_architecture(name: str, entry: Entry[nn.Module]) -> None:
    """Make a model known to the loss-landscape tools and the checkpoint loader."""
    if name in ARCHITECTURES:
        raise ValueError(f"architecture {name!r} is already registered")
    ARCHITECTURES[name] = entry


def register_dataset(name: str, entry: Entry[Task]) -> None:
    if name in DATASETS:
        raise ValueError(f"dataset {name!r} is already registered")
    DATASETS[name] = entry


@dataclass(frozen=True)
class OpenedNetwork:
    """A model opened from a file, ready for a landscape: the registered architecture (in eval mode)
    with its weights, the task it is scored on and what its loss is called; ``run`` for a training run."""

    model: nn.Module
    task: Task
    label: str
    architecture: str
    arch_config: dict[str, Any]
    dataset: str
    dataset_config: dict[str, Any]
    loss_name: str = "training loss"
    run: TrainingRun | None = None


CHECKPOINT_FORMATS: dict[str, tuple[Callable[[Path], OpenedNetwork], str]] = {}


def register_checkpoint_format(fmt: str, opener: Callable[[Path], OpenedNetwork], description: str) -> None:
    """Let :func:`open_network` open files whose JSON declares ``"format": fmt``."""
    if fmt in CHECKPOINT_FORMATS:
        raise ValueError(f"checkpoint format {fmt!r} is already registered")
    CHECKPOINT_FORMATS[fmt] = (opener, description)


def checkpoint_format(path: PathLike) -> str | None:
    """The "format" a file declares: a folder's config.json (a training run), a JSON file itself, the
    NAME.json beside NAME.safetensors/.pt, else the safetensors metadata; None for a bare state dict.
    InputError when the JSON is unreadable or declares no format."""
    path = Path(path)
    if path.is_dir():
        path = path / _CONFIG
        if not path.is_file():
            raise InputError(f"{path.parent.name} is not a training-run folder (it has no {_CONFIG})")
    json_path = path if path.suffix.lower() == ".json" else path.with_suffix(".json")
    if json_path.is_file():
        fmt = read_json_config(json_path).get("format")
        if not isinstance(fmt, str):
            raise InputError(f"{json_path.name} does not say which kind of checkpoint it describes "
                             "(no \"format\" in the JSON)")
        return fmt
    return declared_format(path) if path.suffix.lower() == ".safetensors" else None


def open_network(path: PathLike) -> OpenedNetwork:
    """Open whatever ``path`` holds by the format it declares (:func:`checkpoint_format`): a saved
    training run, a checkpoint of a registered format (e.g. the latent panel's), or a bare state dict of
    the digits MLP. InputError naming the format for files of kinds this mode does not know."""
    path = Path(path)
    fmt = identify_checkpoint(path)
    if fmt == RUN_FORMAT:
        run = load_run(path if path.is_dir() else path.parent)
        return OpenedNetwork(run.model(-1), run.task(), f"{(path if path.is_dir() else path.parent).name}: "
                             f"{run.optimizer}", run.architecture, run.arch_config, run.dataset, run.dataset_config,
                             run=run)
    if fmt is None:
        if path.is_dir() or path.suffix.lower() == ".json":
            raise InputError(f"{path.name} is not a checkpoint")
        try:
            model = load_checkpoint(path, "digits_mlp")
        except InputError as exc:
            raise InputError(f"{exc} (a weights file without a JSON config is read as the digits MLP; other "
                             f"models need their NAME.json beside the weights)") from None
        return OpenedNetwork(model, load_task("digits"), f"checkpoint {path.name}", "digits_mlp",
                             ARCHITECTURES["digits_mlp"].config(), "digits", {})
    return CHECKPOINT_FORMATS[fmt][0](path)


def identify_checkpoint(path: PathLike) -> str | None:
    """:func:`checkpoint_format` of an existing file this mode can open (None: a bare state dict, read as
    the digits MLP); InputError naming the format, and the ones known, for any other kind of checkpoint.
    Cheap (reads only JSON): the GUI calls it before starting a job."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist (moved or deleted?)")
    fmt = checkpoint_format(path)
    load_providers()
    if fmt is not None and fmt != RUN_FORMAT and fmt not in CHECKPOINT_FORMATS:
        known = "; ".join([f"{RUN_FORMAT!r} (training-run folders)", "bare digits_mlp state dicts",
                           *(f"{k!r} ({d})" for k, (_, d) in CHECKPOINT_FORMATS.items())])
        raise InputError(f"{path.name} is a checkpoint of kind {fmt!r}, which the Real-network mode cannot open; "
                         f"it opens: {known}")
    return fmt


def build_model(architecture: str, config: Mapping[str, Any] | None = None) -> nn.Module:
    """A freshly initialised model of a registered architecture (InputError if unknown)."""
    return _lookup(ARCHITECTURES, architecture, "architecture")(config)


def load_task(dataset: str, config: Mapping[str, Any] | None = None) -> Task:
    return _lookup(DATASETS, dataset, "dataset")(config)


def load_checkpoint(path: PathLike, architecture: str, config: Mapping[str, Any] | None = None) -> nn.Module:
    """A registered model with weights from a .safetensors or .pt/.pth state dict, in eval mode.

    Torch files go through ``torch.load(weights_only=True)`` only; every unreadable, hostile or
    mismatched file raises InputError naming the problem (see :mod:`engines.checkpoints`)."""
    model = build_model(architecture, config)
    state = match_state_dict(model, read_tensors(path), Path(path).name)
    model.load_state_dict(state)
    return model.eval()


# --- the built-in entry: an MLP classifier on scikit-learn's 8×8 digits -----------------------------

_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}


def _mlp(config: dict[str, Any]) -> nn.Module:
    hidden = config["hidden"]
    if not isinstance(hidden, (list, tuple)) or not all(isinstance(h, int) and h > 0 for h in hidden):
        raise InputError(f"hidden must be a list of positive widths, got {hidden!r}")
    if config["activation"] not in _ACTIVATIONS:
        raise InputError(f"unknown activation {config['activation']!r}; known: {', '.join(_ACTIVATIONS)}")
    widths = [int(config["inputs"]), *hidden, int(config["classes"])]
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(widths)):
        layers.append(nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(_ACTIVATIONS[config["activation"]]())
    return nn.Sequential(*layers)


@functools.lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, ...]:
    """The shared fixed digits split (engines.data), flattened and standardised with training statistics."""
    data = digits_split()
    x_train, x_test = data.train_x.reshape(len(data.train_x), -1), data.test_x.reshape(len(data.test_x), -1)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1.0  # constant border pixels
    return (x_train - mean) / std, data.train_y, (x_test - mean) / std, data.test_y


def _digits(config: dict[str, Any]) -> Task:
    x_train, y_train, x_test, y_test = _digits_arrays()

    def split(x: np.ndarray, y: np.ndarray) -> Split:
        return Split((torch.tensor(x, dtype=torch.float32),), torch.tensor(y, dtype=torch.long))

    return Task("digits", split(x_train, y_train), split(x_test, y_test), F.cross_entropy,
                metric=lambda out, y: (out.argmax(dim=-1) == y).float().mean(), metric_name="accuracy")


register_dataset("digits", Entry(
    _digits, {},
    "scikit-learn 8×8 digits, 10 classes, the fixed stratified split of engines.data, standardised"))
register_architecture("digits_mlp", Entry(
    _mlp, {"inputs": 64, "hidden": [64], "classes": 10, "activation": "relu"},
    "MLP classifier for the 8×8 digits", dataset="digits"))


# --- training runs ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrainingProgress:
    """Partial result of :func:`train_run`: the loss curve so far (self-contained)."""

    step: int
    steps: int
    losses: np.ndarray
    snapshot_steps: tuple[int, ...]


@dataclass(frozen=True)
class TrainingRun:
    """A saved training run: ``snapshots[i]`` is the model's state dict after ``snapshot_steps[i]``
    updates (0 = initialisation); ``losses[k]`` the minibatch loss of step k (before its update);
    ``train_loss``/``test_loss``/``test_metric`` are full-split evaluations at each snapshot."""

    architecture: str
    arch_config: dict[str, Any]
    dataset: str
    dataset_config: dict[str, Any]
    optimizer: str
    steps: int
    batch_size: int
    seed: int
    losses: np.ndarray
    snapshot_steps: tuple[int, ...]
    snapshots: tuple[dict[str, Tensor], ...]
    train_loss: np.ndarray
    test_loss: np.ndarray
    test_metric: np.ndarray

    def model(self, index: int = -1) -> nn.Module:
        """The architecture with the weights of snapshot ``index``, in eval mode."""
        model = build_model(self.architecture, self.arch_config)
        model.load_state_dict(self.snapshots[index])
        return model.eval()

    def task(self) -> Task:
        return load_task(self.dataset, self.dataset_config)


def train_run(
    reporter: Reporter,
    spec: OptimizerSpec | str,
    steps: int,
    batch_size: int = 64,
    seed: int = 0,
    save_every: int = 10,
    architecture: str = "digits_mlp",
    arch_config: Mapping[str, Any] | None = None,
    dataset: str | None = None,
    dataset_config: Mapping[str, Any] | None = None,
    device: str | None = "cpu",
) -> TrainingRun:
    """Job: train a registered architecture with ``spec`` (any base optimizer and wrappers, via
    :func:`build_optimizer`; zeroth-order ones get a minibatch-loss closure) for ``steps`` minibatch
    steps, snapshotting every ``save_every`` steps.

    Streams :class:`TrainingProgress`; InputError if the loss stops being finite."""
    spec = parse_spec(spec) if isinstance(spec, str) else spec
    for name, value in (("steps", steps), ("batch_size", batch_size), ("save_every", save_every)):
        if not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be a positive integer, got {value!r}")
    arch_entry = _lookup(ARCHITECTURES, architecture, "architecture")
    arch_cfg = arch_entry.config(arch_config)
    dataset = dataset or arch_entry.dataset
    if dataset is None:
        raise InputError(f"architecture {architecture!r} has no default dataset; name one")
    data_entry = _lookup(DATASETS, dataset, "dataset")
    data_cfg = data_entry.config(dataset_config)
    task = data_entry(data_cfg)
    dev = pick_device(device)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = arch_entry.build(arch_cfg)
    model.to(dev).train()
    params = [p for p in model.parameters() if p.requires_grad]
    stepper = build_optimizer(spec, params)
    train, test = task.train.to(dev), task.test.to(dev)
    batches = _batches(len(train), min(batch_size, len(train)), torch.Generator().manual_seed(seed))

    losses = np.full(steps, np.nan)
    snap_steps: list[int] = []
    snapshots: list[dict[str, Tensor]] = []
    evals: list[tuple[float, float, float]] = []

    def snapshot(step: int) -> None:
        snap_steps.append(step)
        snapshots.append({k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()})
        evals.append(_evaluate(model, task, train, test))

    snapshot(0)
    throttle = Throttle(0.1)
    names = [name for name, p in model.named_parameters() if p.requires_grad]
    for step in range(steps):
        batch = train.take(next(batches).to(dev))

        def closure(values: list[Tensor], batch: Split = batch) -> Tensor:  # zeroth order: loss at other weights
            return task.loss_fn(functional_call(model, dict(zip(names, values)), batch.inputs), batch.targets)

        with torch.set_grad_enabled(not stepper.needs_closure):
            loss = task.loss_fn(model(*batch.inputs), batch.targets)
        value = float(loss.detach())
        if not math.isfinite(value):
            raise InputError(f"training diverged at step {step} (loss {value}); lower the learning rate")
        if stepper.needs_closure:
            stepper.step(None, closure)
        else:
            grads = torch.autograd.grad(loss, params, allow_unused=True)
            stepper.step([torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)])
        losses[step] = value
        if (step + 1) % save_every == 0 or step + 1 == steps:
            snapshot(step + 1)
        if throttle() or step + 1 == steps:
            reporter.partial(TrainingProgress(step + 1, steps, losses[: step + 1].copy(), tuple(snap_steps)))
            reporter.progress((step + 1) / steps, f"step {step + 1}/{steps}, loss {value:.4g}")

    train_loss, test_loss, metric = (np.array(col) for col in zip(*evals))
    return TrainingRun(architecture, arch_cfg, dataset, data_cfg, format_spec(spec), steps, batch_size, seed,
                       losses, tuple(snap_steps), tuple(snapshots), train_loss, test_loss, metric)


def _batches(n: int, size: int, gen: torch.Generator) -> Iterator[Tensor]:
    """Minibatch indices: reshuffled epochs, the incomplete tail of each epoch dropped."""
    while True:
        order = torch.randperm(n, generator=gen)
        for start in range(0, n - size + 1, size):
            yield order[start:start + size]


@torch.no_grad()
def _evaluate(model: nn.Module, task: Task, train: Split, test: Split) -> tuple[float, float, float]:
    was_training = model.training
    model.eval()
    train_loss = float(task.loss_fn(model(*train.inputs), train.targets))
    out = model(*test.inputs)
    test_loss = float(task.loss_fn(out, test.targets))
    metric = float(task.metric(out, test.targets)) if task.metric is not None else math.nan
    model.train(was_training)
    return train_loss, test_loss, metric


# --- storage: a folder of safetensors files plus config.json ----------------------------------------

RUN_FORMAT = "workbench.training_run"
RUN_VERSION = 1
_CONFIG = "config.json"
_CURVES = "curves.safetensors"


def save_run(run: TrainingRun, folder: PathLike) -> Path:
    """Write ``config.json``, ``curves.safetensors`` and one ``snapshot_NNNN.safetensors`` per snapshot."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    curves = _curves(run)
    save_file(curves, str(folder / _CURVES))
    for i, snap in enumerate(run.snapshots):
        save_file({k: v.contiguous() for k, v in snap.items()}, str(folder / _snapshot_name(i)))
    config = {
        "format": RUN_FORMAT, "version": RUN_VERSION,
        "architecture": run.architecture, "arch_config": run.arch_config,
        "dataset": run.dataset, "dataset_config": run.dataset_config,
        "optimizer": run.optimizer, "steps": run.steps, "batch_size": run.batch_size, "seed": run.seed,
        "snapshot_steps": list(run.snapshot_steps),
    }
    config["content_hash"] = _content_hash(config, curves, run.snapshots)
    (folder / _CONFIG).write_text(json.dumps(config, indent=2), encoding="utf-8")
    return folder


def load_run(folder: PathLike) -> TrainingRun:
    """Read a folder written by :func:`save_run`; InputError for anything missing, damaged, edited
    (content hash) or not matching the recorded architecture."""
    folder = Path(folder)
    config = _read_config(folder / _CONFIG)
    snap_steps = config["snapshot_steps"]
    model = build_model(config["architecture"], config["arch_config"])
    _lookup(DATASETS, config["dataset"], "dataset").config(config["dataset_config"])
    parse_spec(config["optimizer"])
    curves = read_safetensors(folder / _CURVES)
    snapshots = tuple(
        match_state_dict(model, read_safetensors(folder / _snapshot_name(i)), _snapshot_name(i))
        for i in range(len(snap_steps))
    )
    for key, length in (("losses", config["steps"]), ("train_loss", len(snap_steps)),
                        ("test_loss", len(snap_steps)), ("test_metric", len(snap_steps))):
        if key not in curves or tuple(curves[key].shape) != (length,):
            raise InputError(f"{_CURVES}: {key!r} is missing or does not have length {length}")
    if _content_hash(config, curves, snapshots) != config["content_hash"]:
        raise InputError(f"{folder.name}: content hash mismatch (files were edited, swapped or damaged)")
    arrays = {k: curves[k].double().numpy() for k in ("losses", "train_loss", "test_loss", "test_metric")}
    return TrainingRun(
        config["architecture"], config["arch_config"], config["dataset"], config["dataset_config"],
        config["optimizer"], config["steps"], config["batch_size"], config["seed"], arrays["losses"],
        tuple(snap_steps), snapshots, arrays["train_loss"], arrays["test_loss"], arrays["test_metric"])


def _snapshot_name(i: int) -> str:
    return f"snapshot_{i:04d}.safetensors"


def _curves(run: TrainingRun) -> dict[str, Tensor]:
    return {k: torch.tensor(np.asarray(v, dtype=np.float64))
            for k, v in (("losses", run.losses), ("train_loss", run.train_loss),
                         ("test_loss", run.test_loss), ("test_metric", run.test_metric))}


_FIELDS: dict[str, type] = {
    "architecture": str, "arch_config": dict, "dataset": str, "dataset_config": dict, "optimizer": str,
    "steps": int, "batch_size": int, "seed": int, "snapshot_steps": list, "content_hash": str,
}


def _read_config(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{path.parent} is not a saved training run (no {path.name})")
    config = read_json_config(path)
    if config.get("format") != RUN_FORMAT:
        raise InputError(f"{path} is not a training-run config (format is not {RUN_FORMAT!r})")
    if config.get("version") != RUN_VERSION:
        raise InputError(f"{path}: unsupported training-run version {config.get('version')!r}")
    for key, kind in _FIELDS.items():
        if not isinstance(config.get(key), kind) or (kind is int and isinstance(config[key], bool)):
            raise InputError(f"{path}: field {key!r} is missing or not a {kind.__name__}")
    if not all(isinstance(s, int) for s in config["snapshot_steps"]):
        raise InputError(f"{path}: snapshot_steps must be a list of integers")
    return config


def _content_hash(config: Mapping[str, Any], curves: Mapping[str, Tensor],
                  snapshots: tuple[dict[str, Tensor], ...]) -> str:
    """sha256 over the canonical config (without the hash) and every tensor's name, dtype, shape, bytes."""
    h = hashlib.sha256()
    body = {k: v for k, v in config.items() if k != "content_hash"}
    h.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    for tensors in (curves, *snapshots):
        for name in sorted(tensors):
            t = tensors[name].detach().cpu().contiguous()
            h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
            h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def _lookup(registry: Mapping[str, Entry[T]], name: str, what: str) -> Entry[T]:
    load_providers()
    entry = registry.get(name) if isinstance(name, str) else None
    if entry is None:
        raise InputError(f"unknown {what} {name!r}; known: {', '.join(registry)}")
    return entry
