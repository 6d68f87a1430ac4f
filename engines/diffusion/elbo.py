"""The ELBO of a diffusion model seen as a hierarchical VAE (Ho et al. 2020 eq. 5; Su, "DDPM = 自回归式VAE"):

    −log p(x0) ≤ KL(q(x_T|x0) ‖ N(0, I))                                   prior term L_T
               + Σ_{t=2..T} KL(q(x_{t−1}|x_t, x0) ‖ p_θ(x_{t−1}|x_t))      the KL terms L_{t−1}
               − log p_θ(x0|x_1)                                            reconstruction L_0

on a discrete VP schedule ᾱ_1..ᾱ_T (the model's own for a DDPM, the linear one otherwise). The reverse step
p_θ(x_{t−1}|x_t) is the posterior q(x_{t−1}|x_t, x̂0) with x̂0 the model's denoised guess and variance the
posterior's β̃_t, so each KL is ½(SNR_{t−1} − SNR_t)‖x0 − x̂0(x_t)‖² (Kingma et al. 2021 eq. 13), SNR = ᾱ/(1−ᾱ).
The decoder is N(x̂0(x_1), σ_1²) with σ_1² = (1−ᾱ_1)/ᾱ_1: a density for continuous points (nats/dim), or
integrated over each bin of width ``bin_width`` (the edge bins reaching ±∞) for discretised images (Ho et
al. §3.3), which makes the bound one on a probability (bits/dim). One draw of x_t per row and timestep.
With the posterior's variance the first timesteps dominate on continuous data (their SNR jumps by 1/t while
E‖x0 − x̂0‖² ≈ d/SNR_t): even the exact denoiser of eight_gaussians has an ELBO of 0.97 nats/dim against
its log density's 0.60; on discretised data x̂0 snaps to the grid at small σ and those terms vanish.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from engines.diffusion.estimates import Estimate, estimate
from engines.diffusion.models import CountingDenoiser
from engines.diffusion.schedules import VPSchedule


@dataclass
class ElboResult:
    """Per-row bounds and per-timestep terms, all in nats per dimension."""

    nll: np.ndarray  # (rows,) the negative ELBO of each row
    kl: np.ndarray  # (T,) mean KL term at each timestep t = 1..T; index 0 holds no KL (it is the decoder's)
    kl_ci: np.ndarray  # (T,) half-width of each KL term's 95% interval
    reconstruction: Estimate  # L_0 = −log p_θ(x0|x_1)
    prior: Estimate  # L_T = KL(q(x_T|x0) ‖ N(0, I))
    sigmas: np.ndarray  # (T,) σ_t of each timestep
    discrete: bool

    @property
    def total(self) -> Estimate:
        return estimate(self.nll)


def snr(schedule: VPSchedule) -> np.ndarray:
    """SNR_t = ᾱ_t/(1 − ᾱ_t) for t = 1..T (float64)."""
    ab = schedule.alphas_cumprod
    return ab / (1.0 - ab)


def kl_weights(schedule: VPSchedule) -> np.ndarray:
    """½(SNR_{t−1} − SNR_t) for t = 2..T, at indices 1..T−1 (index 0, the decoder's step, is 0)."""
    s = snr(schedule)
    return np.concatenate([[0.0], 0.5 * (s[:-1] - s[1:])])


def prior_kl(x0: torch.Tensor, alpha_bar: float) -> torch.Tensor:
    """KL(N(√ᾱ x0, (1−ᾱ) I) ‖ N(0, I)) of each row, summed over dimensions."""
    flat = x0.flatten(1).double()
    d = flat.shape[1]
    return 0.5 * (alpha_bar * flat.square().sum(1) + d * ((1 - alpha_bar) - 1 - math.log(1 - alpha_bar)))


def gaussian_nll(x0: torch.Tensor, mean: torch.Tensor, std: float) -> torch.Tensor:
    """−log N(x0; mean, std² I) of each row, summed over dimensions."""
    diff = (x0 - mean).flatten(1).double()
    return 0.5 * (diff.square().sum(1) / std ** 2 + diff.shape[1] * math.log(2 * math.pi * std ** 2))


def discretised_nll(x0: torch.Tensor, mean: torch.Tensor, std: float, bin_width: float,
                    low: float = -1.0, high: float = 1.0) -> torch.Tensor:
    """−log of the probability N(mean, std²) gives x0's bin [x0 ± bin_width/2] (the edge bins at ``low`` and
    ``high`` reaching ±∞; Ho et al. 2020 eq. 13), each row summed over dimensions."""
    x, m = x0.flatten(1).double(), mean.flatten(1).double()
    half = bin_width / 2
    upper = torch.where(x >= high - 1e-6, torch.full_like(x, math.inf), (x + half - m) / std)
    lower = torch.where(x <= low + 1e-6, torch.full_like(x, -math.inf), (x - half - m) / std)
    # P = Φ(upper) − Φ(lower), computed on the side of the smaller tail to keep precision
    flip = (lower > 0)
    a = torch.where(flip, -upper, lower)
    b = torch.where(flip, -lower, upper)
    log_b, log_a = torch.special.log_ndtr(b), torch.special.log_ndtr(a)
    log_p = log_b + torch.log1p(-torch.exp((log_a - log_b).clamp(max=0.0)).clamp(max=1 - 1e-12))
    return -log_p.sum(1)


CHUNK_ELEMENTS = 1 << 14  # numbers per network call when a DDPM evaluates many timesteps at once


def _denoised(model, x0: torch.Tensor, ab: np.ndarray, steps: range, eps: torch.Tensor, check) -> torch.Tensor:
    """x̂0 (len(steps), rows, ...) of x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε_t for each t of ``steps``: one network call
    for a DDPM on its own schedule, one model call per timestep otherwise."""
    if getattr(model, "denoise_steps", None) is not None and np.array_equal(model.schedule.alphas_cumprod, ab):
        check()
        k, n = len(steps), len(x0)
        t = torch.arange(steps.start, steps.stop, device=x0.device).repeat_interleave(n)
        abt = torch.as_tensor(ab, dtype=x0.dtype, device=x0.device)[t].reshape(-1, *(1,) * (x0.ndim - 1))
        x = abt.sqrt() * x0.repeat(k, *(1,) * (x0.ndim - 1)) + (1 - abt).sqrt() * eps.flatten(0, 1)
        return model.denoise_steps(x, t).reshape(eps.shape)
    counted = CountingDenoiser(model, check)
    out = []
    for i, t in enumerate(steps):
        a, b = math.sqrt(ab[t]), math.sqrt(1.0 - ab[t])
        out.append(counted(a * x0 + b * eps[i], a, b))
    return torch.stack(out)


def elbo_job(reporter, model, x0: torch.Tensor, schedule: Optional[VPSchedule] = None,
             bin_width: Optional[float] = None, seed: int = 0) -> ElboResult:
    """The negative ELBO of each row of ``x0`` (model space, on ``model.device``) and its terms at every
    timestep, checked for Cancel between network calls."""
    sched = schedule if schedule is not None else model.schedule
    ab = sched.alphas_cumprod
    steps = len(ab)
    d = int(np.prod(x0.shape[1:]))
    weights = kl_weights(sched)
    g = torch.Generator(device=x0.device).manual_seed(seed)
    x0_cpu = x0.cpu()  # the terms are summed in float64 on the CPU (MPS has no float64)
    kl_rows = torch.zeros(len(x0), dtype=torch.float64)
    kl_mean, kl_ci = np.zeros(steps), np.zeros(steps)
    recon = torch.zeros(len(x0), dtype=torch.float64)
    chunk = max(1, CHUNK_ELEMENTS // x0.numel())
    with torch.inference_mode():
        for start in range(0, steps, chunk):
            reporter.progress(start / steps, f"ELBO: timestep {start + 1}/{steps}")
            block = range(start, min(steps, start + chunk))
            eps = torch.randn((len(block), *x0.shape), generator=g, device=x0.device)
            x0_hats = _denoised(model, x0, ab, block, eps, reporter.check)
            for t, x0_hat in zip(block, x0_hats):
                if t == 0:
                    std = math.sqrt((1.0 - ab[0]) / ab[0])
                    x0_hat = x0_hat.cpu()
                    recon = (gaussian_nll(x0_cpu, x0_hat, std) if bin_width is None
                             else discretised_nll(x0_cpu, x0_hat, std, bin_width))
                    continue
                term = weights[t] * (x0 - x0_hat).flatten(1).square().sum(1).cpu().double()
                kl_rows += term
                e = estimate(term.numpy() / d)
                kl_mean[t], kl_ci[t] = e.mean, e.half_width
    prior = prior_kl(x0_cpu, float(ab[-1]))
    nll = (recon + kl_rows + prior).numpy() / d
    reporter.progress(1.0, "ELBO done")
    return ElboResult(nll, kl_mean, kl_ci, estimate(recon.numpy() / d), estimate(prior.numpy() / d),
                      sched.sigmas, bin_width is not None)
