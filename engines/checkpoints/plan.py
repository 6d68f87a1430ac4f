"""A config's model checked against its weights before it is built: the model is first made on PyTorch's
``meta`` device (every tensor has a shape and a dtype but no memory), then its parameter count and size
are compared with the tensor shapes the weights file holds (a safetensors header is read without its
data) and with :func:`engines.budget.load_budget`. A config that claims an architecture
its weights do not match, or one larger than the budget, is refused with both counts in the message;
only then is the real model built."""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch import Tensor, nn

from engines import budget
from engines.checkpoints.tensors import fit_problems, strip_prefix
from engines.errors import InputError

Shapes = Mapping[str, tuple[int, ...]]


def planned_model(build: Callable[[], nn.Module]) -> nn.Module:
    """The model ``build()`` makes, on the meta device: shapes and dtypes without storage (a config asking
    for billions of parameters costs nothing here)."""
    with torch.device("meta"):
        return build()


def header_shapes(header: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
    """Tensor name -> shape from a safetensors header (:func:`engines.checkpoints.read_header`)."""
    shapes = {}
    for name, entry in header.items():
        shape = entry.get("shape") if isinstance(entry, Mapping) else None
        if name != "__metadata__" and isinstance(shape, list) and all(isinstance(s, int) for s in shape):
            shapes[name] = tuple(shape)
    return shapes


def tensor_shapes(tensors: Mapping[str, Tensor]) -> dict[str, tuple[int, ...]]:
    """Tensor name -> shape of tensors already read (a .pt file has no header to read first)."""
    return {name: tuple(t.shape) for name, t in tensors.items()}


def parameter_count(shapes: Shapes) -> int:
    return sum(math.prod(shape) for shape in shapes.values())


def check_weights_fit(model: nn.Module, found: Shapes, config: str, weights: str, copies: int = 1) -> None:
    """InputError unless ``found`` (the weights file's shapes) fills ``model`` (a :func:`planned_model`)
    exactly and ``copies`` of its state (a training run's snapshots) fit the budget. ``config`` and
    ``weights`` name the two files."""
    state: Sequence[tuple[str, Tensor]] = list(model.state_dict().items())
    planned = {name: tuple(t.shape) for name, t in state}
    found = strip_prefix(found)
    count, held = parameter_count(planned), parameter_count(found)
    one = sum(t.numel() * t.element_size() for _, t in state)
    size, limit = copies * one, budget.load_budget()
    over = f", more than the {budget.describe(limit)} a model may take here" if size > limit else ""
    each = f"; {budget.describe(size)} for {copies} copies" if copies > 1 else ""
    claim = f"{config} describes a model of {count:,} parameters ({budget.describe(one)}{each}{over})"
    problems = fit_problems(planned, found)
    if problems:
        raise InputError(f"{claim}, but {weights} holds {held:,}; the model was not built ({'; '.join(problems)})")
    if over:
        raise InputError(f"{claim}; the model was not built")
