"""Held-out negative log-likelihood of every latent model, one quantity for all of them.

Points: −log p(x) of the model's density. Images: each of the D pixels holds one of L levels k, and every
model is a density p of a continuous item y in which level k owns a bin of width w (NICE and the f-VAE:
y = (k + u)/L − 1/2, w = 1/L, ``to_flow_space``; the Gaussian, clustering and Gumbel VAEs:
y = (k + u − 1/2)/(L − 1), w = 1/(L − 1), ``dequantize``). The model's probability of the discrete image k
is P(k) = ∫ p(y) dy over its bins, and by Jensen (uniform dequantization: Theis et al. 2016, "A note on the
evaluation of generative models", arXiv 1511.01844; Ho et al. 2019, "Flow++", arXiv 1902.00275, §3.1)

    log P(k) ≥ E_u[log p(y(k, u))] + D log w,   u ~ U[0, 1)^D.

log p(y) is exact for the flow; the VAEs estimate it by importance sampling with K ≥ 100 samples
(Burda et al. 2015, "Importance Weighted Autoencoders", arXiv 1509.00519), whose expectation is below it:

    log p(y) ≥ E log (1/K) Σ_j p(y | z_j) p(z_j) / q(z_j | x),   z_j ~ q(z | x).

The held-out NLL is −(log p̂(y) + D log w) with one u per pixel (and K samples sharing it) per image, so
its expectation bounds −log P(k) from above for every model alike, in nats per image. Every model is
trained on the same dequantized items (a fresh u per batch), so none is judged on a density it never fit.
The Bernoulli likelihood's figure is the cross-entropy of the pixels themselves (w = 1): a bound on
−log P(k) only for binary pixels (L = 2).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from engines.device import DeviceLike, as_device
from engines.latent.models import LOG_2PI, LatentModel, to_flow_space
from engines.threads import step_threads

MIN_SAMPLES = 100


def standard_normal_log_prob(z: Tensor) -> Tensor:
    return -0.5 * (z.pow(2).sum(-1) + z.shape[-1] * LOG_2PI)


def log_prior(model: LatentModel, z: Tensor) -> Tensor:
    """log p(z) per item: N(0, I), or the clustering prior's uniform mixture of N(μ_y, I)."""
    if not model.config.has_clusters:
        return standard_normal_log_prob(z)
    parts = standard_normal_log_prob(z[..., None, :] - model.means)
    return torch.logsumexp(parts, dim=-1) - math.log(model.config.clusters)


def gaussian_log_weights(model: LatentModel, x: Tensor, samples: int) -> Tensor:
    """(samples, N) log p(y|z_j) + log p(z_j) − log q(z_j|x) for a Gaussian encoder q, at one dequantization
    y of each item (the model's ``likelihood_item``) shared by its samples."""
    y = model.likelihood_item(x, noise=True)
    mean, logvar = model.encode(x)
    std = (0.5 * logvar).exp()
    rows = []
    for _ in range(samples):
        eps = torch.randn_like(mean)
        z = mean + std * eps
        log_q = standard_normal_log_prob(eps) - (0.5 * logvar).sum(-1)
        rows.append(model.log_px_z(y, z) + log_prior(model, z) - log_q)
    return torch.stack(rows)


@dataclass(frozen=True)
class Likelihood:
    """Held-out negative log-likelihood: nats per item (for images an upper bound on −log P(k) of the
    discrete pixels, see the module docstring; a density's for points) and bits per dimension."""

    nll: float
    bits_per_dim: float
    items: int
    samples: int  # importance samples per item (0: exact)


@torch.no_grad()
def item_nll(model: LatentModel, x: Tensor, samples: int = MIN_SAMPLES) -> Tensor:
    """−log p̂(y) per item, nats, of one dequantization y of each item in the model's own space, without the
    bin width (see the module docstring)."""
    if model.config.is_flow:
        return -model.log_prob(to_flow_space(x, model.config, noise=True))
    weigh = getattr(model, "importance_log_weights", None)
    logw = weigh(x, samples) if weigh is not None else gaussian_log_weights(model, x, samples)
    return -(torch.logsumexp(logw, dim=0) - math.log(samples))


@torch.no_grad()
def held_out_nll(model: LatentModel, x, samples: int = MIN_SAMPLES, seed: int = 0, device: DeviceLike = "cpu",
                 chunk: int = 256, reporter=None) -> Likelihood:
    """:class:`Likelihood` of the items ``x`` (array or tensor) with ``samples`` importance samples each, on
    the threads one sample of a chunk is worth (engines.threads)."""
    dev = as_device(device)
    was = model.training
    model.to(dev).eval()
    p = next(model.parameters())
    x = torch.as_tensor(x).to(dev, p.dtype)
    total = 0.0
    with step_threads(lambda: item_nll(model, x[:1], 1), min(chunk, len(x)), dev), \
            torch.random.fork_rng(devices=[] if dev.type == "cpu" else [dev]):
        torch.manual_seed(seed)
        for i, part in enumerate(x.split(chunk)):
            total += float(item_nll(model, part, samples).sum())
            if reporter is not None:
                reporter.progress(min(1.0, (i + 1) * chunk / len(x)), "estimating the likelihood")
                reporter.check()
    model.train(was)
    d = model.config.dims
    nll = total / len(x) - d * model.log_bin_width()
    return Likelihood(nll, nll / (d * math.log(2.0)), len(x), 0 if model.config.is_flow else samples)
