"""Variance of two gradient estimators on a small categorical problem: the reparameterised Gumbel-softmax
(pathwise) gradient and the score-function (REINFORCE, Williams 1992) gradient.

Problem: one categorical variable with logits θ and a fixed target t; the discrete objective is
E_{c ~ Cat(softmax θ)} ||onehot(c) − t||², the relaxed one E_g ||softmax((θ + g)/τ) − t||² with Gumbel g.
Per sample: pathwise ∇θ ||y(θ, g) − t||²; REINFORCE ||onehot(c) − t||² ∇θ log softmax(θ)_c, unbiased for
the discrete gradient (whose exact value is a finite sum). A second unbiased estimator of the relaxed
gradient, independent of the pathwise one, is the score function of the Concrete density of y (Maddison et
al. 2017, arXiv 1611.00712, Definition 1), f(y) ∇θ log p_θ(y).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor
from torch.func import grad, vmap

from engines.device import DeviceLike, as_device
from engines.errors import InputError
from engines.latent.gumbel import gumbel_noise

MAX_SAMPLES = 2_000_000


@dataclass(frozen=True)
class Estimate:
    """The mean of an estimator's per-sample gradients, its standard error per coordinate and its variance
    (the trace of the per-sample covariance)."""

    mean: np.ndarray
    stderr: np.ndarray
    variance: float


@dataclass(frozen=True)
class GradientVariances:
    reparameterised: Estimate  # Gumbel-softmax pathwise, of the relaxed objective
    reinforce: Estimate  # score function, of the discrete objective
    concrete_score: Estimate  # score function of the Concrete density, of the relaxed objective
    exact_discrete: np.ndarray  # ∇θ of the discrete objective, exactly
    temperature: float
    samples: int

    @property
    def ratio(self) -> float:
        """Variance of the reparameterised estimator over REINFORCE's."""
        return self.reparameterised.variance / self.reinforce.variance


def _estimate(per_sample: Tensor) -> Estimate:
    g = per_sample.detach().cpu().double().numpy()
    var = g.var(axis=0, ddof=1)
    return Estimate(g.mean(axis=0), np.sqrt(var / len(g)), float(var.sum()))


def concrete_log_density(logits: Tensor, y: Tensor, temperature: float) -> Tensor:
    """log p(y) of the Concrete (Gumbel-softmax) distribution on the simplex, Maddison et al. 2017 eq. (3)."""
    k = logits.shape[-1]
    log_y = torch.log(y)
    return (math.lgamma(k) + (k - 1) * math.log(temperature) + (logits - (temperature + 1) * log_y).sum(-1)
            - k * torch.logsumexp(logits - temperature * log_y, dim=-1))


def gradient_variances(logits, target, temperature: float = 0.5, samples: int = 10_000, seed: int = 0,
                       device: DeviceLike = "cpu") -> GradientVariances:
    """Both estimators' per-sample gradients w.r.t. the logits on ``samples`` draws, in float64."""
    if not 2 <= samples <= MAX_SAMPLES:
        raise InputError(f"samples must be between 2 and {MAX_SAMPLES:,}, got {samples}")
    if not temperature > 0:
        raise InputError(f"the temperature must be positive, got {temperature}")
    dev = as_device(device)
    theta = torch.as_tensor(logits, dtype=torch.float64, device=dev)
    t = torch.as_tensor(target, dtype=torch.float64, device=dev)
    if theta.ndim != 1 or theta.shape != t.shape or len(theta) < 2:
        raise InputError("logits and target must be vectors of the same length (at least 2 categories)")
    k = len(theta)
    gen = torch.Generator().manual_seed(seed)
    g = gumbel_noise(torch.Size((samples, k)), gen, dev, torch.float64)

    def relaxed_f(th: Tensor, noise: Tensor) -> Tensor:
        return (torch.softmax((th + noise) / temperature, -1) - t).pow(2).sum()

    pathwise = vmap(grad(relaxed_f), in_dims=(None, 0))(theta, g)

    c = (theta + gumbel_noise(torch.Size((samples, k)), gen, dev, torch.float64)).argmax(-1)  # Gumbel-max: exact draws
    onehot = torch.nn.functional.one_hot(c, k).double()
    f_discrete = (onehot - t).pow(2).sum(-1)
    score = onehot - torch.softmax(theta, -1)  # ∇θ log softmax(θ)_c
    reinforce = f_discrete[:, None] * score

    y = torch.softmax((theta + gumbel_noise(torch.Size((samples, k)), gen, dev, torch.float64)) / temperature, -1)
    f_relaxed = (y - t).pow(2).sum(-1)
    concrete = f_relaxed[:, None] * vmap(grad(lambda th, yy: concrete_log_density(th, yy, temperature)),
                                         in_dims=(None, 0))(theta, y)

    eye = torch.eye(k, dtype=torch.float64, device=dev)
    exact = grad(lambda th: (torch.softmax(th, -1) * (eye - t).pow(2).sum(-1)).sum())(theta)
    return GradientVariances(_estimate(pathwise), _estimate(reinforce), _estimate(concrete),
                             exact.cpu().numpy(), temperature, samples)
