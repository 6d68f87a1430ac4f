"""Per-coordinate adaptive step sizes: Adagrad (Duchi et al. 2011), RMSprop (Hinton 2012, with
torch's centered/momentum variants) and Adadelta (Zeiler 2012), matching torch.optim's formulas."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor

from engines.optim.optimizers.base import (
    ElementwiseOptimizer,
    Hyper,
    add_ratio_,
    add_scaled_,
    ema_sq_,
    is_zero,
)


def _decayed(g: Tensor, p: Tensor, weight_decay: Hyper) -> Tensor:
    """g + wd·θ (L2 regularisation folded into the gradient, as torch.optim does)."""
    return g if is_zero(weight_decay) else add_scaled_(g.clone(), p, weight_decay)


class Adagrad(ElementwiseOptimizer):
    """s ← s + g²; θ ← θ − γ_t g / (√s + ε) with γ_t = γ / (1 + (t − 1)·lr_decay)."""

    def __init__(
        self,
        params: Sequence[Tensor],
        batch_dims: int = 0,
        *,
        lr: Hyper,
        lr_decay: Hyper = 0.0,
        weight_decay: Hyper = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: Hyper = 1e-10,
    ) -> None:
        self.lr_decay, self.weight_decay, self.eps = lr_decay, weight_decay, eps
        self.initial = float(initial_accumulator_value)
        super().__init__(params, batch_dims, lr=lr)

    def init_state(self, p: Tensor) -> dict[str, Tensor]:
        return {"second_moment": torch.full_like(p, self.initial)}

    def _clr(self, t: int) -> Hyper:
        return self.lr / (1 + (max(t, 1) - 1) * self.lr_decay)

    def update(self, p: Tensor, g: Tensor, s: dict[str, Tensor]) -> None:
        g = _decayed(g, p, self.weight_decay)
        acc = s["second_moment"].addcmul_(g, g)
        add_ratio_(p, g, acc.sqrt().add_(self.eps), -self._clr(self.t))

    def view(self, p: Tensor, s: dict[str, Tensor]) -> dict[str, Tensor]:
        acc = s["second_moment"]
        return {**s, "step_size": self._clr(self.t + 1) / (acc.sqrt() + self.eps)}


class RMSprop(ElementwiseOptimizer):
    """v ← α v + (1 − α) g²; θ ← θ − γ g / (√(v − ḡ²) + ε) (centered) with optional momentum buffer."""

    def __init__(
        self,
        params: Sequence[Tensor],
        batch_dims: int = 0,
        *,
        lr: Hyper,
        alpha: Hyper = 0.99,
        eps: Hyper = 1e-8,
        weight_decay: Hyper = 0.0,
        momentum: Hyper = 0.0,
        centered: bool = False,
    ) -> None:
        self.alpha, self.eps, self.weight_decay, self.momentum = alpha, eps, weight_decay, momentum
        self.centered = bool(centered)
        super().__init__(params, batch_dims, lr=lr)

    def init_state(self, p: Tensor) -> dict[str, Tensor]:
        s = {"second_moment": torch.zeros_like(p)}
        if not is_zero(self.momentum):
            s["momentum"] = torch.zeros_like(p)
        if self.centered:
            s["grad_avg"] = torch.zeros_like(p)
        return s

    def _denom(self, s: dict[str, Tensor]) -> Tensor:
        v = s["second_moment"]
        if self.centered:
            avg = s["grad_avg"]
            return v.addcmul(avg, avg, value=-1).sqrt_().add_(self.eps)
        return v.sqrt().add_(self.eps)

    def update(self, p: Tensor, g: Tensor, s: dict[str, Tensor]) -> None:
        g = _decayed(g, p, self.weight_decay)
        ema_sq_(s["second_moment"], g, self.alpha)
        if self.centered:
            s["grad_avg"].lerp_(g, 1 - self.alpha)
        denom = self._denom(s)
        if "momentum" in s:
            add_ratio_(s["momentum"].mul_(self.momentum), g, denom, 1.0)
            add_scaled_(p, s["momentum"], -self.lr)
        else:
            add_ratio_(p, g, denom, -self.lr)

    def view(self, p: Tensor, s: dict[str, Tensor]) -> dict[str, Tensor]:
        return {**s, "step_size": self.lr / self._denom(s)}


class Adadelta(ElementwiseOptimizer):
    """v ← ρ v + (1 − ρ) g²; Δ = √(u + ε)/√(v + ε) · g; u ← ρ u + (1 − ρ) Δ²; θ ← θ − γ Δ."""

    def __init__(
        self,
        params: Sequence[Tensor],
        batch_dims: int = 0,
        *,
        lr: Hyper = 1.0,
        rho: Hyper = 0.9,
        eps: Hyper = 1e-6,
        weight_decay: Hyper = 0.0,
    ) -> None:
        self.rho, self.eps, self.weight_decay = rho, eps, weight_decay
        super().__init__(params, batch_dims, lr=lr)

    def init_state(self, p: Tensor) -> dict[str, Tensor]:
        return {"second_moment": torch.zeros_like(p), "delta_avg": torch.zeros_like(p)}

    def update(self, p: Tensor, g: Tensor, s: dict[str, Tensor]) -> None:
        g = _decayed(g, p, self.weight_decay)
        v, u = s["second_moment"], s["delta_avg"]
        std = ema_sq_(v, g, self.rho).add(self.eps).sqrt_()
        delta = u.add(self.eps).sqrt_().div_(std).mul_(g)
        ema_sq_(u, delta, self.rho)
        add_scaled_(p, delta, -self.lr)

    def view(self, p: Tensor, s: dict[str, Tensor]) -> dict[str, Tensor]:
        v, u = s["second_moment"], s["delta_avg"]
        return {**s, "step_size": self.lr * (u + self.eps).sqrt() / (v + self.eps).sqrt()}
