"""Denoisers: every model, trained or exact, seen the same way by the samplers.

A :class:`Denoiser` is called as ``model(x, a, b) -> x̂0`` for a batch of states x = a·x0 + b·ε (python
floats a, b: a = 0 is pure noise). Samplers pick their own coordinates (VP, VE, flow); each wrapper
converts the state to what its network was trained on:

* :class:`VPModel`   DDPM-trained network(x_vp, t) on a discrete ᾱ schedule, output ε, x0 or v,
* :class:`EDMModel`  Karras et al. preconditioning D(x; σ) = c_skip x + c_out F(c_in x, c_noise),
* :class:`FlowModel` flow matching / rectified flow: network(x_t, 1000·t) → velocity ε − x0.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional

import torch
from torch import Tensor, nn

from engines.diffusion import parameterisation as P
from engines.diffusion.catalogue import EDM_RHO, EDM_SIGMA_MAX, EDM_SIGMA_MIN
from engines.diffusion.schedules import VPSchedule

EDM_SIGMA_DATA = 0.5


class Denoiser:
    """Base class: ``shape`` of one sample, the σ range it knows, the VP schedule DDPM/DDIM step on."""

    shape: tuple[int, ...] = (2,)
    sigma_min: float = EDM_SIGMA_MIN
    sigma_max: float = EDM_SIGMA_MAX
    rho: float = EDM_RHO  # the Karras grid's default ρ for this model
    kind: str = "exact"
    schedule: VPSchedule = VPSchedule.make("linear")
    device: torch.device = torch.device("cpu")

    def __call__(self, x: Tensor, a: float, b: float) -> Tensor:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "shape": list(self.shape)}

    def to(self, device: torch.device | str) -> "Denoiser":
        self.device = torch.device(device)
        return self


class _NetworkModel(Denoiser):
    def __init__(self, net: nn.Module, shape: tuple[int, ...], config: dict[str, Any] | None = None) -> None:
        self.net = net.eval()
        self.shape = tuple(shape)
        self.config = dict(config or {})
        self.device = next(net.parameters()).device if any(True for _ in net.parameters()) else torch.device("cpu")

    def to(self, device: torch.device | str) -> "Denoiser":
        self.net.to(device)
        self.device = torch.device(device)
        return self

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "shape": list(self.shape), **self.config}


class VPModel(_NetworkModel):
    """A network trained on a discrete VP schedule: ``net(x_vp, t)`` with t in [0, T−1]."""

    kind = "ddpm"

    def __init__(self, net: nn.Module, schedule: VPSchedule, prediction: str = "eps", shape=(2,), config=None) -> None:
        super().__init__(net, shape, config)
        self.schedule = schedule
        self.prediction = P.canonical(prediction)
        self.sigma_min, self.sigma_max = schedule.sigma_min, schedule.sigma_max

    def timestep(self, sigma: float) -> float:
        return float(self.schedule.sigma_to_t(sigma))

    def __call__(self, x: Tensor, a: float, b: float) -> Tensor:
        norm = math.hypot(a, b)
        an, bn = a / norm, b / norm
        t = self.timestep(b / a) if a > 0 else float(self.schedule.steps - 1)
        xn = x / norm if norm != 1.0 else x
        x0, _ = P.to_x0_eps(self.prediction, self.net(xn, t), xn, an, bn)
        return x0

    def denoise_steps(self, x: Tensor, steps: Tensor) -> Tensor:
        """x̂0 of VP states x (a² + b² = 1) at the integer training steps ``steps``, one per row: many noise
        levels in one network call (the ELBO's timesteps)."""
        ab = torch.as_tensor(self.schedule.alphas_cumprod, dtype=x.dtype, device=x.device)[steps]
        ab = ab.reshape(-1, *(1,) * (x.ndim - 1))
        return P.to_x0_eps(self.prediction, self.net(x, steps.to(x.dtype)), x, ab.sqrt(), (1 - ab).sqrt())[0]


class EDMModel(_NetworkModel):
    """EDM preconditioning around a raw network F (``net(c_in·x, 250·ln σ)``), written in (a, b) so that
    a = 0 (σ = ∞) is finite."""

    kind = "edm"

    def __init__(self, net: nn.Module, sigma_data: float = EDM_SIGMA_DATA, shape=(2,), config=None,
                 sigma_min: float = EDM_SIGMA_MIN, sigma_max: float = EDM_SIGMA_MAX) -> None:
        super().__init__(net, shape, config)
        self.sigma_data = float(sigma_data)
        self.sigma_min, self.sigma_max = float(sigma_min), float(sigma_max)

    def __call__(self, x: Tensor, a: float, b: float) -> Tensor:
        sd = self.sigma_data
        q = b * b + a * a * sd * sd  # a²(σ² + σ_d²)
        sigma = min(b / a, 1e6) if a > 0 else 1e6
        c_in = 1.0 / math.sqrt(q)  # applied to x itself (x/a · 1/√(σ²+σ_d²))
        c_skip = sd * sd * a / q
        c_out = b * sd / math.sqrt(q)
        return c_skip * x + c_out * self.net(c_in * x, 250.0 * math.log(max(sigma, 1e-20)))


class FlowModel(_NetworkModel):
    """Flow matching: x_t = (1−t) x0 + t ε, ``net(x_t, 1000·t)`` predicts the velocity ε − x0."""

    kind = "flow"
    sigma_min, sigma_max = 1e-3, 1e3

    def __call__(self, x: Tensor, a: float, b: float) -> Tensor:
        s = a + b
        t = b / s
        xt = x / s if s != 1.0 else x
        x0, _ = P.to_x0_eps("flow", self.net(xt, 1000.0 * t), xt, 1.0 - t, t)
        return x0


CHECK_ELEMENTS = 1 << 12  # a checked call on the CPU evaluates the batch in slices of about this many numbers


class CountingDenoiser(Denoiser):
    """Wraps a denoiser and counts its calls (samplers report NFE with it). With ``check`` (a job's
    ``reporter.check``) a call on the CPU evaluates its batch in slices of :data:`CHECK_ELEMENTS` numbers and
    checks before each (the samples are independent), so Cancel stops a sampler within one slice: a call on
    20,000 points takes 0.3 s on a busy core."""

    def __init__(self, inner: Denoiser, check: Optional[Callable[[], None]] = None) -> None:
        self.inner = inner
        self.calls = 0
        self.check = check
        for name in ("shape", "sigma_min", "sigma_max", "kind", "schedule", "device"):
            setattr(self, name, getattr(inner, name))
        self.rho = getattr(inner, "rho", EDM_RHO)

    def __call__(self, x: Tensor, a: float, b: float) -> Tensor:
        self.calls += 1
        if self.check is None:
            return self.inner(x, a, b)
        rows = max(1, CHECK_ELEMENTS * len(x) // max(1, x.numel()))
        if x.device.type != "cpu" or len(x) <= rows:
            self.check()
            return self.inner(x, a, b)
        parts = []
        for start in range(0, len(x), rows):
            self.check()
            parts.append(self.inner(x[start:start + rows], a, b))
        return torch.cat(parts)
