"""Derived optimizers that wrap any base optimizer (Su Jianlin, "6个派生优化器", 2019; bert4keras):
weight decay, layer adaptation, learning-rate schedules (piecewise linear, warm-up, cosine), gradient
accumulation, Lookahead (Zhang et al. 2019) and lazy updates.

Wrappers compose in the order the spec lists them: each one transforms the update proposed by the base
optimizer and the wrappers before it, as bert4keras does with ``new_x − x``. Their names, parameters and
descriptions are in :data:`engines.optim.catalogue.WRAPPERS`.
"""
from __future__ import annotations

from typing import Callable, Optional

import torch
from torch import Tensor

from engines.errors import InputError
from engines.optim import schedules
from engines.optim.optimizers.base import Closure, Hyper, Stepper, add_scaled_, row_norm


class Wrapper(Stepper):
    """A stepper around ``inner``, sharing its parameters."""

    needs_grads = False  # True where the wrapper reads gradients (not usable with zeroth order)

    def __init__(self, inner: Stepper) -> None:
        super().__init__(inner.params, inner.batch_dims)
        if self.needs_grads and inner.needs_closure:
            raise InputError(f"{type(self).__name__} needs gradients; it cannot wrap a zeroth-order optimizer")
        self.inner = inner
        self.needs_closure = inner.needs_closure

    @property
    def lr(self) -> Hyper:
        return self.inner.lr

    def state_views(self) -> list[dict[str, Tensor]]:
        return self.inner.state_views()


class DeltaWrapper(Wrapper):
    """Lets the inner stepper move θ_t → θ', then rewrites θ' from (θ_t, θ', g)."""

    def _step(self, grads: Optional[list[Tensor]], closure: Optional[Closure]) -> None:
        old = [p.clone() for p in self.params]
        self.inner.step(grads, closure)
        for i, (p, o) in enumerate(zip(self.params, old)):
            self.transform(p, o, None if grads is None else grads[i])

    def transform(self, p: Tensor, old: Tensor, g: Optional[Tensor]) -> None:
        raise NotImplementedError


class WeightDecay(DeltaWrapper):
    """θ_{t+1} = θ' − γ λ θ_t."""

    def __init__(self, inner: Stepper, rate: Hyper = 0.01) -> None:
        super().__init__(inner)
        self.rate = rate

    def transform(self, p: Tensor, old: Tensor, g: Optional[Tensor]) -> None:
        add_scaled_(p, old, -self.lr * self.rate)


class LayerAdaptation(DeltaWrapper):
    """LAMB-style trust ratio per tensor (per row with batch dims): θ_{t+1} = θ_t − γ‖θ_t‖ h/‖h‖,
    where h = (θ_t − θ')/γ; left unscaled where ‖θ_t‖ = 0 or ‖h‖ ≈ 0 (bert4keras)."""

    eps = 1e-7

    def transform(self, p: Tensor, old: Tensor, g: Optional[Tensor]) -> None:
        lr = self.lr
        lr = lr.abs().clamp_min(self.eps) if isinstance(lr, Tensor) else max(abs(lr), self.eps)
        dx = p.sub_(old)
        x_norm = row_norm(old, self.batch_dims)
        h_norm = row_norm(dx, self.batch_dims) / lr
        ratio = torch.where((x_norm > 0) & (h_norm > self.eps), x_norm / h_norm, 1.0)
        p.mul_(ratio).add_(old)


class Schedule(DeltaWrapper):
    """Multiplies the update by a schedule of the update count; the lr it reports to outer wrappers
    (and the step size it displays) is scaled too, as bert4keras scales the learning rate itself."""

    def __init__(self, inner: Stepper, multiplier: Callable[[int], float]) -> None:
        super().__init__(inner)
        self.multiplier = multiplier
        self.count = 0  # updates made so far
        self.factor = multiplier(0)  # the multiplier of the current (or next) update

    @property
    def lr(self) -> Hyper:
        return self.inner.lr * self.factor

    def _step(self, grads: Optional[list[Tensor]], closure: Optional[Closure]) -> None:
        self.factor = self.multiplier(self.count)
        super()._step(grads, closure)
        self.count += 1

    def transform(self, p: Tensor, old: Tensor, g: Optional[Tensor]) -> None:
        p.sub_(old).mul_(self.factor).add_(old)

    def state_views(self) -> list[dict[str, Tensor]]:
        views = self.inner.state_views()
        return [{**v, "step_size": v["step_size"] * self.factor} if "step_size" in v else v for v in views]


def piecewise_lr(inner: Stepper, **points: float) -> Schedule:
    """lr × piecewise_linear(t, {step: factor}); spec keys are step numbers, e.g. ``piecewise_lr:1000=1,2000=0.1``."""
    knots = {int(k): float(v) for k, v in points.items()}
    schedules.piecewise_linear(0, knots)  # validates
    return Schedule(inner, lambda t: schedules.piecewise_linear(t, knots))


def warmup(inner: Stepper, steps: float = 100) -> Schedule:
    return Schedule(inner, lambda t: schedules.warmup(t, int(steps)))


def cosine(inner: Stepper, steps: float = 1000, floor: float = 0.0) -> Schedule:
    return Schedule(inner, lambda t: schedules.cosine(t, int(steps), float(floor)))


class Accumulate(Wrapper):
    """Gradient accumulation: every k-th call, one inner step with the mean of the last k gradients."""

    needs_grads = True

    def __init__(self, inner: Stepper, k: float = 4) -> None:
        super().__init__(inner)
        self.k = int(k)
        if self.k < 1:
            raise InputError("accumulate needs k ≥ 1")
        self.sums = [torch.zeros_like(p) for p in self.params]
        self.count = 0

    def _step(self, grads: Optional[list[Tensor]], closure: Optional[Closure]) -> None:
        assert grads is not None
        for s, g in zip(self.sums, grads):
            s.add_(g)
        self.count += 1
        if self.count % self.k == 0:
            self.inner.step([s / self.k for s in self.sums])
            for s in self.sums:
                s.zero_()


class Lookahead(Wrapper):
    """Every k inner steps: slow ← slow + α(fast − slow), fast ← slow (Zhang et al. 2019)."""

    def __init__(self, inner: Stepper, k: float = 5, alpha: Hyper = 0.5) -> None:
        super().__init__(inner)
        self.k, self.alpha = int(k), alpha
        if self.k < 1:
            raise InputError("lookahead needs k ≥ 1")
        self.slow = [p.detach().clone() for p in self.params]
        self.count = 0

    def _step(self, grads: Optional[list[Tensor]], closure: Optional[Closure]) -> None:
        self.inner.step(grads, closure)
        self.count += 1
        if self.count % self.k == 0:
            for p, s in zip(self.params, self.slow):
                p.copy_(s.lerp_(p, self.alpha))

    def state_views(self) -> list[dict[str, Tensor]]:
        return [{**v, "slow": s} for v, s in zip(self.inner.state_views(), self.slow)]


class Lazy(DeltaWrapper):
    """Rows (slices along the last axis) with an all-zero gradient keep their value (bert4keras)."""

    needs_grads = True

    def transform(self, p: Tensor, old: Tensor, g: Optional[Tensor]) -> None:
        assert g is not None
        mask = (g != 0).any(dim=-1, keepdim=True) if p.dim() > self.batch_dims else g != 0
        p.copy_(torch.where(mask, p, old))
