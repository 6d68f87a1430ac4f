"""Zeroth-order optimisation with Gaussian smoothing (Su Jianlin, "殊途同归的策略梯度与零阶优化";
Nesterov & Spokoiny 2017): ∇f(x) ≈ E_u[(f(x + εu) − b)/ε · u], u ~ N(0, I), estimated from function
values only and fed to SGD (with optional momentum).

Baselines b (hyperparameter ``baseline``): 0 = none (b = 0, unbiased but noisy), 1 = f(x) (the
finite-difference form, one extra evaluation), 2 = the variance-optimal b = E[f(x+εu)‖u‖²]/E[‖u‖²]
estimated from the same samples (needs ``samples`` ≥ 2: with one sample it cancels the estimate).
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch
from torch import Tensor

from engines.errors import InputError
from engines.optim.optimizers.base import Closure, Hyper, Stepper
from engines.optim.optimizers.sgd import SGD


class ZerothOrder(Stepper):
    """Gaussian-direction gradient estimate from ``samples`` loss evaluations, then an SGD step."""

    needs_closure = True

    def __init__(
        self,
        params: Sequence[Tensor],
        batch_dims: int = 0,
        *,
        lr: Hyper,
        eps: Hyper = 1e-2,
        samples: int = 8,
        baseline: int = 1,
        momentum: Hyper = 0.0,
        seed: int = 0,
    ) -> None:
        super().__init__(params, batch_dims)
        if int(samples) < 1 or int(baseline) not in (0, 1, 2):
            raise InputError("zeroth_order needs samples ≥ 1 and baseline 0 (none), 1 (f(x)) or 2 (optimal)")
        self.eps, self.samples, self.baseline = eps, int(samples), int(baseline)
        self.sgd = SGD(self.params, batch_dims, lr=lr, momentum=momentum)
        p0 = self.params[0]
        self.generator = torch.Generator(device=p0.device).manual_seed(int(seed))
        self.estimate = [torch.zeros_like(p) for p in self.params]

    @property
    def lr(self) -> Hyper:
        return self.sgd.lr

    def _per_problem(self, f: Tensor, p: Tensor) -> Tensor:
        """A per-problem value (shape batch) reshaped to broadcast against parameter ``p``."""
        return f.reshape(f.shape + (1,) * (p.dim() - f.dim()))

    def _step(self, grads: Optional[list[Tensor]], closure: Optional[Closure]) -> None:
        if closure is None:
            raise InputError("zeroth_order needs a closure that evaluates the loss")
        dirs, values, sq_norms = [], [], []
        for _ in range(self.samples):
            u = [torch.randn(p.shape, generator=self.generator, dtype=p.dtype, device=p.device) for p in self.params]
            values.append(closure([p + self.eps * d for p, d in zip(self.params, u)]))
            dirs.append(u)
            sq_norms.append(sum(d.pow(2).flatten(self.batch_dims).sum(-1) for d in u))
        if self.baseline == 0:
            b: Tensor | float = 0.0
        elif self.baseline == 1:
            b = closure(self.params)
        else:
            b = sum(f * n for f, n in zip(values, sq_norms)) / sum(sq_norms)
        for i, (p, est) in enumerate(zip(self.params, self.estimate)):
            est.zero_()
            for u, f in zip(dirs, values):
                est.addcmul_(u[i], self._per_problem(f - b, p))
            est.div_(self.eps * self.samples)
        self.sgd.step(self.estimate)

    def state_views(self) -> list[dict[str, Tensor]]:
        return [{**v, "gradient_estimate": e} for v, e in zip(self.sgd.state_views(), self.estimate)]
