"""Training runs recorded as parameter snapshots: the trajectories that Li et al. 2018, "Visualizing the
Loss Landscape of Neural Nets", project onto loss-landscape planes. Any registered architecture trains
with any optimizer spec (base optimizer and wrappers) of :mod:`engines.optim`."""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.func import functional_call

from engines.checkpoints import match_state_dict
from engines.device import DeviceLike, as_device
from engines.errors import InputError
from engines.jobs import Reporter, Throttle
from engines.landscape.registry import Registry, Split, Task
from engines.optim.optimizers import build_optimizer
from engines.optim.spec import OptimizerSpec, format_spec, parse_spec
from engines.threads import BACKWARD_FACTOR, step_threads


@dataclass(frozen=True)
class TrainingProgress:
    """Partial result of :func:`train_run`: the loss curve so far (self-contained)."""

    step: int
    steps: int
    losses: np.ndarray
    snapshot_steps: tuple[int, ...]


@dataclass(frozen=True)
class TrainingRun:
    """A training run: ``snapshots[i]`` is the model's state dict after ``snapshot_steps[i]`` updates
    (0 = initialisation); ``losses[k]`` the minibatch loss of step k (before its update);
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

    def model(self, registry: Registry, index: int = -1) -> nn.Module:
        """The architecture with the weights of snapshot ``index``, in eval mode."""
        model = registry.build_model(self.architecture, self.arch_config)
        model.load_state_dict(self.snapshots[index])
        return model.eval()

    def task(self, registry: Registry) -> Task:
        return registry.load_task(self.dataset, self.dataset_config)


def train_run(
    reporter: Reporter,
    registry: Registry,
    spec: OptimizerSpec | str,
    steps: int,
    batch_size: int = 64,
    seed: int = 0,
    save_every: int = 10,
    architecture: str = "digits_mlp",
    arch_config: Mapping[str, Any] | None = None,
    dataset: str | None = None,
    dataset_config: Mapping[str, Any] | None = None,
    device: DeviceLike = "cpu",
    initial: Mapping[str, Tensor] | None = None,
) -> TrainingRun:
    """Job: train a registered architecture with ``spec`` (any base optimizer and wrappers, via
    :func:`build_optimizer`; zeroth-order ones get a minibatch-loss closure) for ``steps`` minibatch
    steps, snapshotting every ``save_every`` steps. The weights start from ``seed``'s initialisation, or
    from ``initial`` (a full state dict of the architecture, e.g. an opened checkpoint's); the minibatch
    order depends on ``seed`` only, so runs with one seed see the same batches.

    Streams :class:`TrainingProgress`; InputError if the loss stops being finite."""
    spec = parse_spec(spec) if isinstance(spec, str) else spec
    for name, value in (("steps", steps), ("batch_size", batch_size), ("save_every", save_every)):
        if not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be a positive integer, got {value!r}")
    arch_entry = registry.architecture(architecture)
    arch_cfg = arch_entry.config(arch_config)
    dataset = dataset or arch_entry.dataset
    if dataset is None:
        raise InputError(f"architecture {architecture!r} has no default dataset; name one")
    data_entry = registry.dataset(dataset)
    data_cfg = data_entry.config(dataset_config)
    task = data_entry(data_cfg)
    dev = as_device(device)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = arch_entry.build(arch_cfg)
    if initial is not None:
        model.load_state_dict(match_state_dict(model, initial, "the initial weights"))
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
    one = train.take(slice(0, 1))

    def one_forward() -> None:  # in eval mode: BatchNorm statistics stay as they are
        model.eval()
        try:
            model(*one.inputs)
        finally:
            model.train()

    with step_threads(one_forward, BACKWARD_FACTOR * min(batch_size, len(train)), dev):
        for step in range(steps):
            reporter.check()
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
