"""Adam (Kingma & Ba 2015) with AMSGrad (Reddi et al. 2018) and decoupled weight decay (AdamW,
Loshchilov & Hutter 2019), NAdam (Dozat 2016) and RAdam (Liu et al. 2020), matching torch.optim."""
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


class _Moments(ElementwiseOptimizer):
    """Shared first/second moment bookkeeping and (coupled or decoupled) weight decay."""

    def __init__(
        self,
        params: Sequence[Tensor],
        batch_dims: int = 0,
        *,
        lr: Hyper,
        betas: tuple[Hyper, Hyper] = (0.9, 0.999),
        eps: Hyper = 1e-8,
        weight_decay: Hyper = 0.0,
        decoupled_weight_decay: bool = False,
    ) -> None:
        self.beta1, self.beta2 = betas
        self.eps, self.weight_decay = eps, weight_decay
        self.decoupled = bool(decoupled_weight_decay)
        super().__init__(params, batch_dims, lr=lr)

    def init_state(self, p: Tensor) -> dict[str, Tensor]:
        return {"momentum": torch.zeros_like(p), "second_moment": torch.zeros_like(p)}

    def moments(self, p: Tensor, g: Tensor, s: dict[str, Tensor]) -> Tensor:
        """Apply weight decay, update m and v in place; returns the gradient actually used."""
        if not is_zero(self.weight_decay):
            if self.decoupled:
                p.mul_(1 - self.lr * self.weight_decay)
            else:
                g = add_scaled_(g.clone(), p, self.weight_decay)
        s["momentum"].lerp_(g, 1 - self.beta1)
        ema_sq_(s["second_moment"], g, self.beta2)
        return g


class Adam(_Moments):
    """θ ← θ − γ m̂ / (√v̂ + ε), m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t) (v̂ from max v with AMSGrad)."""

    def __init__(self, params: Sequence[Tensor], batch_dims: int = 0, *, amsgrad: bool = False, **hyper) -> None:
        self.amsgrad = bool(amsgrad)
        super().__init__(params, batch_dims, **hyper)

    def init_state(self, p: Tensor) -> dict[str, Tensor]:
        s = {**super().init_state(p), "denom": torch.empty_like(p)}
        if self.amsgrad:
            s["max_second_moment"] = torch.zeros_like(p)
        return s

    def prepare(self) -> None:
        self.bc2_sqrt = (1 - self.beta2**self.t) ** 0.5
        self.step_size = self.lr / (1 - self.beta1**self.t)

    def update(self, p: Tensor, g: Tensor, s: dict[str, Tensor]) -> None:
        self.moments(p, g, s)
        v = s["second_moment"]
        if self.amsgrad:
            v = torch.maximum(s["max_second_moment"], v, out=s["max_second_moment"])
        # torch.optim's exact operation order: trajectories can be chaotic, so rounding must match
        denom = torch.sqrt(v, out=s["denom"]).div_(self.bc2_sqrt).add_(self.eps)
        add_ratio_(p, s["momentum"], denom, -self.step_size)

    def view(self, p: Tensor, s: dict[str, Tensor]) -> dict[str, Tensor]:
        t = max(self.t, 1)
        v = s["max_second_moment"] if self.amsgrad else s["second_moment"]
        v_hat = v / (1 - self.beta2**t)
        out = {k: s[k] for k in ("momentum", "second_moment")}
        return {**out, "step_size": self.lr / (v_hat.sqrt() + self.eps)}


class NAdam(_Moments):
    """Nesterov Adam with torch's momentum schedule μ_t = β1(1 − ½·0.96^(t·ψ)) and product Πμ."""

    def __init__(
        self, params: Sequence[Tensor], batch_dims: int = 0, *, momentum_decay: Hyper = 4e-3, **hyper
    ) -> None:
        self.momentum_decay = momentum_decay
        self.mu_product: Hyper = 1.0
        super().__init__(params, batch_dims, **hyper)

    def _mu(self, t: int) -> Hyper:
        return self.beta1 * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def prepare(self) -> None:
        mu, mu_next = self._mu(self.t), self._mu(self.t + 1)
        self.mu_product = self.mu_product * mu
        self.grad_scale = -self.lr * (1.0 - mu) / (1.0 - self.mu_product)
        self.avg_scale = -self.lr * mu_next / (1.0 - self.mu_product * mu_next)
        self.bc2 = 1 - self.beta2**self.t

    def update(self, p: Tensor, g: Tensor, s: dict[str, Tensor]) -> None:
        g = self.moments(p, g, s)
        denom = s["second_moment"].div(self.bc2).sqrt_().add_(self.eps)
        add_ratio_(p, g, denom, self.grad_scale)
        add_ratio_(p, s["momentum"], denom, self.avg_scale)

    def view(self, p: Tensor, s: dict[str, Tensor]) -> dict[str, Tensor]:
        v_hat = s["second_moment"] / (1 - self.beta2 ** max(self.t, 1))
        return {**s, "step_size": self.lr / (v_hat.sqrt() + self.eps)}


class RAdam(_Moments):
    """Rectified Adam: the adaptive step is used once the SMA length ρ_t exceeds 5, scaled by r_t."""

    def prepare(self) -> None:
        t, b2 = self.t, self.beta2
        self.bc1, self.bc2 = 1 - self.beta1**t, 1 - b2**t
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * (b2**t) / self.bc2
        self.rectified = rho_t > 5.0  # a bool, or a bool tensor when β2 is a tensor
        if isinstance(rho_t, Tensor):
            rho_t = torch.where(self.rectified, rho_t, 5.0)
        elif not self.rectified:
            self.rect = 0.0
            return
        self.rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5

    def _adaptive(self, s: dict[str, Tensor]) -> Tensor:
        return (self.bc2**0.5) / s["second_moment"].sqrt().add_(self.eps)

    def update(self, p: Tensor, g: Tensor, s: dict[str, Tensor]) -> None:
        self.moments(p, g, s)
        m_hat = s["momentum"] / self.bc1
        if isinstance(self.rectified, Tensor):
            factor = torch.where(self.rectified, self._adaptive(s) * self.rect, 1.0)
            p.sub_(m_hat * self.lr * factor)
        elif self.rectified:
            p.add_(m_hat * self.lr * self._adaptive(s) * self.rect, alpha=-1.0)
        else:
            p.add_(m_hat * self.lr, alpha=-1.0)

    def view(self, p: Tensor, s: dict[str, Tensor]) -> dict[str, Tensor]:
        if self.t == 0:
            return {**s, "step_size": self.full(p, self.lr)}
        factor = torch.where(torch.as_tensor(self.rectified), self._adaptive(s) * self.rect, 1.0)
        return {**s, "step_size": self.lr * factor}
