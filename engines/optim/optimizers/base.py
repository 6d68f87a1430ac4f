"""The stepper contract shared by every optimizer and wrapper, plus scalar-or-tensor helpers.

Every optimizer has the base form g_t = ∇L(θ_t); h_t = f(g_≤t); θ_{t+1} = θ_t − γ h_t
(Su Jianlin, "6个派生优化器", 2019). A :class:`Stepper` owns a list of parameter tensors and updates
them in place. ``batch_dims`` leading dimensions of every parameter index independent problems
(trajectories); hyperparameters are python floats or tensors broadcastable against the parameters
(e.g. shape ``(N, 1)``), so many hyperparameter values run in one batched tensor.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, Optional, Sequence, Union

import torch
from torch import Tensor

from engines.errors import InputError

Hyper = Union[float, Tensor]
Closure = Callable[[list[Tensor]], Tensor]
"""Evaluates the loss at the given parameter values: per-problem shape ``batch`` (or a scalar)."""


class Stepper(ABC):
    """Updates ``params`` in place; one :meth:`step` per iteration."""

    needs_closure = False  # True for optimizers driven by function values (zeroth order)

    def __init__(self, params: Sequence[Tensor], batch_dims: int = 0) -> None:
        if not params:
            raise InputError("an optimizer needs at least one parameter tensor")
        self.params = list(params)
        self.batch_dims = batch_dims

    @property
    @abstractmethod
    def lr(self) -> Hyper:
        """The nominal learning rate γ of the current step (wrappers scale or pass it through)."""

    @abstractmethod
    def _step(self, grads: Optional[list[Tensor]], closure: Optional[Closure]) -> None: ...

    @abstractmethod
    def state_views(self) -> list[dict[str, Tensor]]:
        """Per parameter: named state tensors of the parameter's shape (e.g. "momentum", "step_size")."""

    def step(self, grads: Optional[list[Tensor]] = None, closure: Optional[Closure] = None) -> None:
        """One update; ``grads`` matches ``params``; ``closure`` is only used by zeroth-order methods."""
        if grads is None and not self.needs_closure:
            raise InputError("this optimizer needs gradients")
        if grads is not None and len(grads) != len(self.params):
            raise InputError(f"expected {len(self.params)} gradients, got {len(grads)}")
        with torch.no_grad():
            self._step(grads, closure)

    def state_view(self) -> dict[str, Tensor]:
        """Internal state for display: with one parameter its tensors (param-shaped); with several,
        their non-batch parts flattened and concatenated (shape ``batch + (total,)``)."""
        views = self.state_views()
        if len(views) == 1:
            return dict(views[0])
        keys = [k for k in views[0] if all(k in v for v in views)]
        b = self.batch_dims
        return {
            k: torch.cat([v[k].reshape(*v[k].shape[:b], -1) for v in views], dim=b) for k in keys
        }


def row_norm(x: Tensor, batch_dims: int) -> Tensor:
    """‖x‖ over the non-batch dimensions, keeping dims so it broadcasts against ``x``."""
    dims = tuple(range(batch_dims, x.dim()))
    if not dims:
        return x.abs()
    return torch.linalg.vector_norm(x, dim=dims, keepdim=True)


def add_scaled_(y: Tensor, x: Tensor, a: Hyper) -> Tensor:
    """y += a·x for a float or a broadcastable tensor ``a``."""
    return y.addcmul_(x, a) if isinstance(a, Tensor) else y.add_(x, alpha=a)


def add_ratio_(y: Tensor, x: Tensor, d: Tensor, a: Hyper) -> Tensor:
    """y += a·x/d for a float or a broadcastable tensor ``a``."""
    return y.addcmul_(x / d, a) if isinstance(a, Tensor) else y.addcdiv_(x, d, value=a)


def ema_sq_(v: Tensor, g: Tensor, beta: Hyper) -> Tensor:
    """v ← β v + (1 − β) g² (torch.optim's second-moment update)."""
    v.mul_(beta)
    return v.addcmul_(g * g, 1 - beta) if isinstance(beta, Tensor) else v.addcmul_(g, g, value=1 - beta)


def is_zero(a: Hyper) -> bool:
    """True only for a python zero: a tensor hyperparameter always takes the general path."""
    return not isinstance(a, Tensor) and a == 0


class ElementwiseOptimizer(Stepper):
    """A base optimizer whose update acts per parameter tensor with per-parameter state dicts.

    Subclasses implement :meth:`init_state`, :meth:`update` and :meth:`view`; ``self.t`` is the
    1-based step count during :meth:`update` (as ``state["step"]`` in torch.optim).
    """

    def __init__(self, params: Sequence[Tensor], batch_dims: int = 0, *, lr: Hyper) -> None:
        super().__init__(params, batch_dims)
        self._lr = lr
        self.t = 0
        self.states = [self.init_state(p) for p in self.params]

    @property
    def lr(self) -> Hyper:
        return self._lr

    @abstractmethod
    def init_state(self, p: Tensor) -> dict[str, Tensor]: ...

    def prepare(self) -> None:
        """Per-step quantities shared by all parameters (called after ``t`` is incremented)."""

    @abstractmethod
    def update(self, p: Tensor, g: Tensor, s: dict[str, Tensor]) -> None: ...

    @abstractmethod
    def view(self, p: Tensor, s: dict[str, Tensor]) -> dict[str, Tensor]: ...

    def _step(self, grads: Optional[list[Tensor]], closure: Optional[Closure]) -> None:
        assert grads is not None
        self.t += 1
        self.prepare()
        for p, g, s in zip(self.params, grads, self.states):
            self.update(p, g, s)

    def state_views(self) -> list[dict[str, Tensor]]:
        return [self.view(p, s) for p, s in zip(self.params, self.states)]

    def full(self, p: Tensor, value: Hyper) -> Tensor:
        """``value`` broadcast to the shape of ``p`` (for display of scalar step sizes)."""
        return torch.as_tensor(value, dtype=p.dtype, device=p.device).expand_as(p).clone()
