"""Building a stepper from a spec: the catalogue (:mod:`engines.optim.catalogue`) names each optimizer's and
wrapper's class, this module imports it and converts the hyperparameters.

Defaults follow torch.optim. Boolean flags (nesterov, amsgrad, centered, decoupled_weight_decay) are
given as 0/1 and must be python numbers; every other hyperparameter may be a tensor broadcastable
against the parameters (e.g. shape (N, 1) with ``batch_dims=1``) to batch many values in one run.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import torch
from torch import Tensor

from engines.errors import InputError
from engines.catalogue import load
from engines.optim.catalogue import OPTIMIZERS, WRAPPERS
from engines.optim.optimizers.base import Stepper

if TYPE_CHECKING:
    from engines.optim.spec import OptimizerSpec

FLAGS = frozenset({"nesterov", "amsgrad", "centered", "decoupled_weight_decay", "samples", "baseline", "seed"})
"""Hyperparameters that select code paths or counts: python numbers only, never tensors."""


def _convert(name: str, value: Any, like: Tensor) -> Any:
    """Python numbers stay; arrays/tensors move to the parameters' dtype and device; tuples recurse."""
    if isinstance(value, tuple):
        return tuple(_convert(name, v, like) for v in value)
    if isinstance(value, (Tensor, np.ndarray)):
        if name in FLAGS:
            raise InputError(f"hyperparameter {name!r} must be a single number, not a tensor")
        return torch.as_tensor(value, dtype=like.dtype, device=like.device)
    if name in FLAGS:
        return int(value)
    return float(value)


def resolve(known: dict[str, Any], given: dict[str, Any], what: str) -> dict[str, Any]:
    """Defaults overridden by ``given``; an unknown key is an InputError naming it."""
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InputError(f"unknown {what} parameter {unknown[0]!r}; known: {', '.join(sorted(known)) or 'none'}")
    return {**known, **given}


def build_optimizer(spec: OptimizerSpec, params: Sequence[Tensor], batch_dims: int = 0) -> Stepper:
    """A stepper for ``spec`` over ``params``: the base optimizer wrapped by ``spec.wrappers`` in order."""
    entry = OPTIMIZERS[spec.name]
    params = list(params)
    like = params[0]
    hyper = resolve(entry.defaults(), dict(spec.hyper), f"{spec.name}")
    hyper = {k: _convert(k, v, like) for k, v in {**hyper, **entry.fixed}.items()}
    stepper = load(entry.stepper)(params, batch_dims, **hyper)
    for w in spec.wrappers:
        wrapper = WRAPPERS[w.name]
        given = dict(w.params) if wrapper.step_keys else resolve(wrapper.defaults(), dict(w.params), w.name)
        stepper = load(wrapper.factory)(stepper, **{k: _convert(k, v, like) for k, v in given.items()})
    return stepper
