"""The built-in network of the landscape tools: an MLP classifier on scikit-learn's 8×8 digits (the fixed
split of :mod:`engines.data`, standardised with training statistics), with or without BatchNorm (the
``batchnorm`` setting). :func:`register` adds the architecture ``digits_mlp``, the dataset ``digits`` and the reading of bare weights files as this MLP."""
from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from engines.data import digits_split
from engines.errors import InputError
from engines.landscape.formats import load_checkpoint
from engines.landscape.registry import CheckpointFormat, Entry, OpenedNetwork, Registry, Split, Task

ARCHITECTURE = "digits_mlp"
DATASET = "digits"
_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}
MAX_HIDDEN_LAYERS = 16


def _mlp(config: dict[str, Any]) -> nn.Module:
    hidden = config["hidden"]
    if not isinstance(hidden, (list, tuple)) or not all(isinstance(h, int) and h > 0 for h in hidden):
        raise InputError(f"hidden must be a list of positive widths, got {hidden!r}")
    if len(hidden) > MAX_HIDDEN_LAYERS:
        raise InputError(f"hidden lists {len(hidden)} layers; an MLP here has at most {MAX_HIDDEN_LAYERS}")
    for name in ("inputs", "classes"):
        if not isinstance(config[name], int) or isinstance(config[name], bool) or config[name] < 1:
            raise InputError(f"{name} must be a whole number of at least 1, got {config[name]!r}")
    if not isinstance(config["batchnorm"], bool):
        raise InputError(f"batchnorm must be true or false, got {config['batchnorm']!r}")
    if config["activation"] not in _ACTIVATIONS:
        raise InputError(f"unknown activation {config['activation']!r}; known: {', '.join(_ACTIVATIONS)}")
    widths = [int(config["inputs"]), *hidden, int(config["classes"])]
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(widths)):
        normalised = config["batchnorm"] and i < len(widths) - 2
        # a bias before BatchNorm is cancelled by its mean: its gradient is rounding noise, which Adam would
        # blow up to steps of size lr (Ioffe & Szegedy 2015 drop it; BatchNorm's own shift takes its place)
        layers.append(nn.Linear(a, b, bias=not normalised))
        if i < len(widths) - 2:
            if normalised:  # Ioffe & Szegedy 2015: normalise each hidden unit before its activation
                layers.append(nn.BatchNorm1d(b))
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


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """``F.cross_entropy`` (the batch mean), computed as logsumexp − the target's logit: the same value (to
    float rounding) but several times faster on CPU for 10 classes than log_softmax, which a batched loss
    plane otherwise spends most of its time in."""
    picked = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return (torch.logsumexp(logits, dim=-1) - picked).mean()


def _digits(config: dict[str, Any]) -> Task:
    x_train, y_train, x_test, y_test = _digits_arrays()

    def split(x: np.ndarray, y: np.ndarray) -> Split:
        return Split((torch.tensor(x, dtype=torch.float32),), torch.tensor(y, dtype=torch.long))

    return Task(DATASET, split(x_train, y_train), split(x_test, y_test), cross_entropy,
                metric=lambda out, y: (out.argmax(dim=-1) == y).float().mean(), metric_name="accuracy")


def open_bare(registry: Registry, path: Path) -> OpenedNetwork:
    """A weights file without a JSON config, read as the digits MLP."""
    try:
        model = load_checkpoint(registry, path, ARCHITECTURE)
    except InputError as exc:
        raise InputError(f"{exc} (a weights file without a JSON config is read as the digits MLP; other "
                         f"models need their NAME.json beside the weights)") from None
    return OpenedNetwork(model, registry.load_task(DATASET), f"checkpoint {path.name}", ARCHITECTURE,
                         registry.architecture(ARCHITECTURE).config(), DATASET, {})


def register(registry: Registry) -> None:
    registry.add_dataset(DATASET, Entry(
        _digits, {},
        "scikit-learn 8×8 digits, 10 classes, the fixed stratified split of engines.data, standardised"))
    registry.add_architecture(ARCHITECTURE, Entry(
        _mlp, {"inputs": 64, "hidden": [64], "classes": 10, "activation": "relu", "batchnorm": False},
        "MLP classifier for the 8×8 digits (batchnorm: BatchNorm1d before each hidden activation)", dataset=DATASET))
    registry.set_bare(CheckpointFormat(ARCHITECTURE, open_bare, "bare digits_mlp state dicts"))
