"""Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): a sign update of an
interpolated momentum, with decoupled weight decay."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor

from engines.optim.optimizers.base import ElementwiseOptimizer, Hyper, add_scaled_, is_zero


class Lion(ElementwiseOptimizer):
    """c = β1 m + (1 − β1) g; θ ← θ(1 − γλ) − γ sign(c); m ← β2 m + (1 − β2) g."""

    def __init__(
        self,
        params: Sequence[Tensor],
        batch_dims: int = 0,
        *,
        lr: Hyper,
        betas: tuple[Hyper, Hyper] = (0.9, 0.99),
        weight_decay: Hyper = 0.0,
    ) -> None:
        self.beta1, self.beta2 = betas
        self.weight_decay = weight_decay
        super().__init__(params, batch_dims, lr=lr)

    def init_state(self, p: Tensor) -> dict[str, Tensor]:
        return {"momentum": torch.zeros_like(p)}

    def update(self, p: Tensor, g: Tensor, s: dict[str, Tensor]) -> None:
        m = s["momentum"]
        if not is_zero(self.weight_decay):
            p.mul_(1 - self.lr * self.weight_decay)
        add_scaled_(p, torch.lerp(m, g, 1 - self.beta1).sign_(), -self.lr)
        m.lerp_(g, 1 - self.beta2)

    def view(self, p: Tensor, s: dict[str, Tensor]) -> dict[str, Tensor]:
        return {**s, "step_size": self.full(p, self.lr)}
