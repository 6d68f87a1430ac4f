"""Gradient descent, heavy-ball momentum (Polyak 1964) and Nesterov momentum (Sutskever et al. 2013),
following torch.optim.SGD step for step (first step: buffer = gradient, no dampening)."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor

from engines.optim.optimizers.base import ElementwiseOptimizer, Hyper, add_scaled_, is_zero


class SGD(ElementwiseOptimizer):
    """θ ← θ − γ h with h = g (+ wd·θ), or the momentum buffer b ← μ b + (1 − τ) g (Nesterov: g + μ b)."""

    def __init__(
        self,
        params: Sequence[Tensor],
        batch_dims: int = 0,
        *,
        lr: Hyper,
        momentum: Hyper = 0.0,
        dampening: Hyper = 0.0,
        weight_decay: Hyper = 0.0,
        nesterov: bool = False,
    ) -> None:
        self.momentum, self.dampening, self.weight_decay = momentum, dampening, weight_decay
        self.nesterov = bool(nesterov)
        super().__init__(params, batch_dims, lr=lr)

    def init_state(self, p: Tensor) -> dict[str, Tensor]:
        return {} if is_zero(self.momentum) else {"momentum": torch.zeros_like(p)}

    def update(self, p: Tensor, g: Tensor, s: dict[str, Tensor]) -> None:
        if not is_zero(self.weight_decay):
            g = add_scaled_(g.clone(), p, self.weight_decay)
        if "momentum" in s:
            buf = s["momentum"]
            if self.t == 1:
                buf.copy_(g)
            else:
                add_scaled_(buf.mul_(self.momentum), g, 1 - self.dampening)
            g = add_scaled_(g.clone(), buf, self.momentum) if self.nesterov else buf
        add_scaled_(p, g, -self.lr)

    def view(self, p: Tensor, s: dict[str, Tensor]) -> dict[str, Tensor]:
        return {**s, "step_size": self.full(p, self.lr)}
