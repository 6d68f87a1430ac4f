"""What the landscape tools know: architectures, datasets (a :class:`Task` each) and checkpoint formats.

A :class:`Registry` starts empty; providers fill it with their ``register(registry)`` function (the digits
MLP in :mod:`engines.landscape.digits`, the latent and diffusion engines' models), and one composition
place (:mod:`tasks.landscape`) calls them, so this module imports none of them. A dataset is a
:class:`Task` whose splits hold model inputs and targets (for a stochastic objective, fix the noise in the
inputs) plus a loss ``loss_fn(model_output, targets)``.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar

import torch
from torch import Tensor, nn

from engines.errors import InputError

if TYPE_CHECKING:
    from engines.landscape.training import TrainingRun

T = TypeVar("T")


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
    run: Optional["TrainingRun"] = None


Opener = Callable[["Registry", Path], OpenedNetwork]


@dataclass(frozen=True)
class CheckpointFormat:
    """Files whose JSON declares ``"format": name`` open with ``opener(registry, path)``."""

    name: str
    opener: Opener
    description: str


@dataclass
class Registry:
    """Architectures, datasets and checkpoint formats by name; ``bare`` opens a weights file that declares
    no format (a state dict without a JSON config), if a provider offers that."""

    architectures: dict[str, Entry[nn.Module]] = field(default_factory=dict)
    datasets: dict[str, Entry[Task]] = field(default_factory=dict)
    formats: dict[str, CheckpointFormat] = field(default_factory=dict)
    bare: CheckpointFormat | None = None

    def add_architecture(self, name: str, entry: Entry[nn.Module]) -> None:
        """Make a model known to the loss-landscape tools and the checkpoint loader."""
        _add(self.architectures, name, entry, "architecture")

    def add_dataset(self, name: str, entry: Entry[Task]) -> None:
        _add(self.datasets, name, entry, "dataset")

    def add_format(self, fmt: CheckpointFormat) -> None:
        """Let :func:`engines.landscape.formats.open_network` open files declaring ``fmt.name``."""
        _add(self.formats, fmt.name, fmt, "checkpoint format")

    def set_bare(self, fmt: CheckpointFormat) -> None:
        if self.bare is not None:
            raise ValueError(f"bare state dicts already open as {self.bare.name}")
        self.bare = fmt

    def architecture(self, name: str) -> Entry[nn.Module]:
        return _lookup(self.architectures, name, "architecture")

    def dataset(self, name: str) -> Entry[Task]:
        return _lookup(self.datasets, name, "dataset")

    def build_model(self, architecture: str, config: Mapping[str, Any] | None = None) -> nn.Module:
        """A freshly initialised model of a registered architecture (InputError if unknown)."""
        return self.architecture(architecture)(config)

    def load_task(self, dataset: str, config: Mapping[str, Any] | None = None) -> Task:
        return self.dataset(dataset)(config)

    def with_network(self, opened: OpenedNetwork) -> Registry:
        """A copy of this registry that also builds ``opened``'s network when its architecture or dataset is
        not registered (a user's exported program): the architecture entry copies the opened model with its
        weights, trainable, the dataset entry returns its task, each for the opened configuration only."""
        scoped = replace(self, architectures=dict(self.architectures), datasets=dict(self.datasets))
        if opened.architecture not in scoped.architectures:
            scoped.architectures[opened.architecture] = Entry(lambda _: copy.deepcopy(opened.model).requires_grad_(True),
                                                              dict(opened.arch_config), opened.label, opened.dataset)
        if opened.dataset not in scoped.datasets:
            scoped.datasets[opened.dataset] = Entry(lambda _: opened.task, dict(opened.dataset_config), opened.task.name)
        return scoped


def _add(table: dict[str, Any], name: str, value: Any, what: str) -> None:
    if name in table:
        raise ValueError(f"{what} {name!r} is already registered")
    table[name] = value


def _lookup(table: Mapping[str, Entry[T]], name: str, what: str) -> Entry[T]:
    entry = table.get(name) if isinstance(name, str) else None
    if entry is None:
        raise InputError(f"unknown {what} {name!r}; known: {', '.join(table)}")
    return entry
