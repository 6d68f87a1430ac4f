"""Means over a dataset of a function vmapped over stacked weights: what the batched plane
(:mod:`engines.landscape.planes`) and line (:mod:`engines.landscape.interpolation`) evaluations share."""
from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from torch import Tensor

from engines.landscape.registry import Split

Batched = Callable[[Mapping[str, Tensor], tuple[Tensor, ...], Tensor], Tensor]


@torch.no_grad()
def mean_over_data(batched: Batched, stacked: Mapping[str, Tensor], data: Split, data_batch: int) -> Tensor:
    """``batched(stacked, inputs, targets)`` (a per-batch mean for each of K stacked weight sets) averaged
    over ``data`` in slices of ``data_batch`` samples, weighted by slice size; float64, shape (K, ...)."""
    total: Tensor | None = None
    for start in range(0, len(data), data_batch):
        part = data.take(slice(start, start + data_batch))
        value = batched(stacked, part.inputs, part.targets).double() * len(part)
        total = value if total is None else total + value
    if total is None:
        raise ValueError("mean_over_data needs at least one sample")
    return total / len(data)
