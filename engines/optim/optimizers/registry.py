"""The optimizer catalogue (names, defaults, descriptions) and :func:`build_optimizer`.

Defaults follow torch.optim. Boolean flags (nesterov, amsgrad, centered, decoupled_weight_decay) are
given as 0/1 and must be python numbers; every other hyperparameter may be a tensor broadcastable
against the parameters (e.g. shape (N, 1) with ``batch_dims=1``) to batch many values in one run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np
import torch
from torch import Tensor

from engines.errors import InputError
from engines.optim.optimizers.adam import Adam, NAdam, RAdam
from engines.optim.optimizers.adaptive import Adadelta, Adagrad, RMSprop
from engines.optim.optimizers.base import Stepper
from engines.optim.optimizers.lion import Lion
from engines.optim.optimizers.sgd import SGD
from engines.optim.optimizers.zeroth_order import ZerothOrder

if TYPE_CHECKING:
    from engines.optim.spec import OptimizerSpec

FLAGS = frozenset({"nesterov", "amsgrad", "centered", "decoupled_weight_decay", "samples", "baseline", "seed"})
"""Hyperparameters that select code paths or counts: python numbers only, never tensors."""


@dataclass(frozen=True)
class OptimizerInfo:
    """A base optimizer: its class, editable defaults, fixed settings and a one-line description."""

    cls: Callable[..., Stepper]
    defaults: dict[str, Any]
    description: str
    fixed: dict[str, Any] = field(default_factory=dict)


_ADAM = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}

OPTIMIZERS: dict[str, OptimizerInfo] = {
    "sgd": OptimizerInfo(
        SGD, {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": 0},
        "gradient descent (torch.optim.SGD)"),
    "momentum": OptimizerInfo(
        SGD, {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0},
        "heavy-ball momentum (Polyak)", {"nesterov": 0}),
    "nesterov": OptimizerInfo(
        SGD, {"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.0},
        "Nesterov accelerated gradient", {"nesterov": 1, "dampening": 0.0}),
    "adagrad": OptimizerInfo(
        Adagrad, {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.0,
                  "eps": 1e-10}, "per-coordinate step γ/√Σg² (Duchi et al. 2011)"),
    "rmsprop": OptimizerInfo(
        RMSprop, {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0,
                  "centered": 0}, "step γ/√EMA(g²) (Hinton 2012)"),
    "adadelta": OptimizerInfo(
        Adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
        "unit-corrected RMSprop (Zeiler 2012)"),
    "adam": OptimizerInfo(Adam, {**_ADAM, "amsgrad": 0}, "bias-corrected moments (Kingma & Ba 2015)",
                          {"decoupled_weight_decay": 0}),
    "adamw": OptimizerInfo(Adam, {**_ADAM, "weight_decay": 1e-2, "amsgrad": 0},
                           "Adam with decoupled weight decay (Loshchilov & Hutter 2019)",
                           {"decoupled_weight_decay": 1}),
    "amsgrad": OptimizerInfo(Adam, dict(_ADAM), "Adam with max of v (Reddi et al. 2018)",
                             {"amsgrad": 1, "decoupled_weight_decay": 0}),
    "nadam": OptimizerInfo(NAdam, {**_ADAM, "lr": 2e-3, "momentum_decay": 4e-3, "decoupled_weight_decay": 0},
                           "Nesterov-accelerated Adam (Dozat 2016)"),
    "radam": OptimizerInfo(RAdam, {**_ADAM, "decoupled_weight_decay": 0},
                           "variance-rectified Adam (Liu et al. 2020)"),
    "lion": OptimizerInfo(Lion, {"lr": 1e-4, "betas": (0.9, 0.99), "weight_decay": 0.0},
                          "sign of interpolated momentum (Chen et al. 2023)"),
    "zeroth_order": OptimizerInfo(
        ZerothOrder, {"lr": 1e-3, "eps": 1e-2, "samples": 8, "baseline": 1, "momentum": 0.0, "seed": 0},
        "gradient estimated from f(x+εu), u~N(0,I); baseline 0 none, 1 f(x), 2 optimal"),
}


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
    from engines.optim.wrappers import WRAPPERS

    info = OPTIMIZERS.get(spec.name)
    if info is None:
        raise InputError(f"unknown optimizer {spec.name!r}; known: {', '.join(OPTIMIZERS)}")
    params = list(params)
    like = params[0]
    hyper = resolve(info.defaults, dict(spec.hyper), f"{spec.name}")
    hyper = {k: _convert(k, v, like) for k, v in {**hyper, **info.fixed}.items()}
    stepper = info.cls(params, batch_dims, **hyper)
    for w in spec.wrappers:
        winfo = WRAPPERS.get(w.name)
        if winfo is None:
            raise InputError(f"unknown wrapper {w.name!r}; known: {', '.join(WRAPPERS)}")
        given = dict(w.params) if winfo.step_keys else resolve(winfo.defaults, dict(w.params), w.name)
        stepper = winfo.factory(stepper, **{k: _convert(k, v, like) for k, v in given.items()})
    return stepper
