"""Held-out log-likelihood of every latent model: exact for the flow, importance sampling for the VAEs
(Burda et al. 2015, "Importance Weighted Autoencoders", arXiv 1509.00519):

    log p(x) ≈ log (1/K) Σ_k p(x, z_k) / q(z_k|x),   z_k ~ q(z|x),

a stochastic lower bound that tightens as K grows (K ≥ 100 here). Images are discrete (L levels): a model
whose density is of the dequantized item y = (k + u)/L (the flow, the f-VAE) is evaluated at one uniform u
per pixel, which bounds log P(k) from below after adding D log L (Theis et al. 2016); the VAEs' Gaussian
density at the pixel values times the bin width 1/(L − 1) is a midpoint estimate of the probability.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import torch
from torch import Tensor

from engines.device import DeviceLike, as_device
from engines.latent.models import LOG_2PI, LatentModel, to_flow_space

MIN_SAMPLES = 100


def standard_normal_log_prob(z: Tensor) -> Tensor:
    return -0.5 * (z.pow(2).sum(-1) + z.shape[-1] * LOG_2PI)


def log_prior(model: LatentModel, z: Tensor) -> Tensor:
    """log p(z) per item: N(0, I), or the clustering prior's uniform mixture of N(μ_y, I)."""
    if not model.config.has_clusters:
        return standard_normal_log_prob(z)
    parts = standard_normal_log_prob(z[..., None, :] - model.means)
    return torch.logsumexp(parts, dim=-1) - math.log(model.config.clusters)


def gaussian_log_weights(model: LatentModel, x: Tensor, samples: int,
                         log_px_z: Optional[Callable[[Tensor], Tensor]] = None) -> Tensor:
    """(samples, N) log p(x|z_k) + log p(z_k) − log q(z_k|x) for a Gaussian encoder q; ``log_px_z(z)`` gives
    log p(x|z) per item (default: the VAE's likelihood of ``x``)."""
    if log_px_z is None:
        def log_px_z(z: Tensor) -> Tensor:
            return -model.reconstruction_nll(model.decoder_output(z), x)
    mean, logvar = model.encode(x)
    std = (0.5 * logvar).exp()
    rows = []
    for _ in range(samples):
        eps = torch.randn_like(mean)
        z = mean + std * eps
        log_q = standard_normal_log_prob(eps) - (0.5 * logvar).sum(-1)
        rows.append(log_px_z(z) + log_prior(model, z) - log_q)
    return torch.stack(rows)


def log_bin_width(model: LatentModel) -> float:
    """log of a pixel bin's width in the space the model's density is of (0 for points and Bernoulli)."""
    config = model.config
    if not config.is_image or getattr(model, "bernoulli", False):
        return 0.0
    dequantized = config.is_flow or getattr(model, "dequantized", False)
    return -math.log(config.levels if dequantized else config.levels - 1)


@dataclass(frozen=True)
class Likelihood:
    """Held-out negative log-likelihood: nats per item (of the discrete pixels for images, with the bin
    width; a density's for points) and bits per dimension."""

    nll: float
    bits_per_dim: float
    items: int
    samples: int  # importance samples per item (0: exact)


@torch.no_grad()
def item_nll(model: LatentModel, x: Tensor, samples: int = MIN_SAMPLES) -> Tensor:
    """−log p(x) per item, nats, in the model's own space (see the module docstring)."""
    if model.config.is_flow:
        return -model.log_prob(to_flow_space(x, model.config, noise=True))
    weigh = getattr(model, "importance_log_weights", None)
    logw = weigh(x, samples) if weigh is not None else gaussian_log_weights(model, x, samples)
    return -(torch.logsumexp(logw, dim=0) - math.log(samples))


@torch.no_grad()
def held_out_nll(model: LatentModel, x, samples: int = MIN_SAMPLES, seed: int = 0, device: DeviceLike = "cpu",
                 chunk: int = 256, reporter=None) -> Likelihood:
    """:class:`Likelihood` of the items ``x`` (array or tensor) with ``samples`` importance samples each."""
    dev = as_device(device)
    was = model.training
    model.to(dev).eval()
    p = next(model.parameters())
    x = torch.as_tensor(x).to(dev, p.dtype)
    total = 0.0
    with torch.random.fork_rng(devices=[] if dev.type == "cpu" else [dev]):
        torch.manual_seed(seed)
        for i, part in enumerate(x.split(chunk)):
            total += float(item_nll(model, part, samples).sum())
            if reporter is not None:
                reporter.progress(min(1.0, (i + 1) * chunk / len(x)), "estimating the likelihood")
                reporter.check()
    model.train(was)
    d = model.config.dims
    nll = total / len(x) - d * log_bin_width(model)
    return Likelihood(nll, nll / (d * math.log(2.0)), len(x), 0 if model.config.is_flow else samples)
