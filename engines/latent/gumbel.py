"""A VAE with categorical latents: ``latent`` variables of ``categories`` classes each, relaxed during training
by Gumbel-softmax (Jang et al. 2017, arXiv 1611.01144; Maddison et al. 2017, the Concrete distribution,
arXiv 1611.00712): y = softmax((log π + g) / τ), g ~ Gumbel(0, 1), with the temperature τ annealed from
1 to 0.5 over the training steps. Prior: uniform over the categories; KL(q(c|x) || uniform) is exact.

A code is the concatenation of one (relaxed) one-hot block per variable, so ``latent_size`` is
latent × categories; ``encode`` gives the posterior probabilities as the code.
"""
from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from engines.latent.config import ModelConfig
from engines.latent.models import VAE, LatentModel, _mlp

START_TEMPERATURE = 1.0
MIN_TEMPERATURE = 0.5
ANNEAL_RATE = 1e-3  # τ = max(0.5, exp(−rate · step)), per training step (Jang et al. anneal the same way)


def gumbel_noise(shape: torch.Size, generator: Optional[torch.Generator] = None, device=None, dtype=None) -> Tensor:
    """Standard Gumbel samples, −log(−log u)."""
    u = torch.rand(shape, generator=generator, dtype=dtype).to(device)
    return -torch.log(-torch.log(u.clamp(1e-12, 1.0 - 1e-7)))


def relaxed_one_hot(logits: Tensor, temperature: float, noise: Tensor) -> Tensor:
    """Gumbel-softmax sample softmax((logits + noise) / τ) over the last axis; τ = 0 gives the one-hot argmax."""
    if temperature <= 0:
        return F.one_hot((logits + noise).argmax(-1), logits.shape[-1]).to(logits.dtype)
    return torch.softmax((logits + noise) / temperature, dim=-1)


def annealed_temperature(step: int) -> float:
    """τ after ``step`` training steps (a negative count, as a hostile checkpoint may hold, counts as 0)."""
    return max(MIN_TEMPERATURE, START_TEMPERATURE * math.exp(-ANNEAL_RATE * max(0, step)))


class GumbelVAE(VAE):
    """MLP encoder to logits (N, latent, categories), MLP decoder from the flattened code; the VAE's pixel
    likelihoods. ``steps`` counts training steps (the annealing clock; saved with the weights)."""

    def __init__(self, config: ModelConfig) -> None:
        LatentModel.__init__(self, config)
        d, h, n = config.dims, config.hidden, config.latent_size
        self.encoder = _mlp([d, h, h], last_act=True)
        self.to_logits = nn.Linear(h, n)
        self.decoder = _mlp([n, h, h, d])
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))
        self._init_likelihood()

    @property
    def temperature(self) -> float:
        """The relaxation temperature now (annealed with the training steps)."""
        return annealed_temperature(int(self.steps))

    def logits(self, x: Tensor) -> Tensor:
        """Log-probabilities of q(c|x), (N, latent, categories)."""
        out = self.to_logits(self.encoder(x.flatten(1))).view(len(x), self.config.latent, self.config.categories)
        return torch.log_softmax(out, dim=-1)

    def encode(self, x: Tensor) -> tuple[Tensor, None]:
        return self.logits(x).exp().flatten(1), None

    def kl(self, logq: Tensor) -> Tensor:
        """KL(q(c|x) || uniform) per item, summed over the variables."""
        return (logq.exp() * logq).sum((-1, -2)) + self.config.latent * math.log(self.config.categories)

    def losses(self, x: Tensor, kl_weight: float = 1.0) -> dict[str, Tensor]:
        logq = self.logits(x)
        y = relaxed_one_hot(logq, self.temperature, gumbel_noise(logq.shape, device=x.device, dtype=x.dtype))
        if self.training and torch.is_grad_enabled():
            self.steps += 1
        recon = -self.log_px_z(self.likelihood_item(x, noise=self.training), y.flatten(1))
        kl = self.kl(logq)
        return {"recon": recon.mean(), "kl": kl.mean(), "total": (recon + kl).mean(),
                "objective": (recon + kl_weight * kl).mean()}

    def prior_codes(self, n: int, generator: Optional[torch.Generator] = None, temperature: float = 0.0) -> Tensor:
        """(n, latent_size) codes from the uniform prior: one-hot at temperature 0, Gumbel-softmax relaxed above."""
        p = next(self.parameters())
        shape = torch.Size((n, self.config.latent, self.config.categories))
        noise = gumbel_noise(shape, generator, p.device, p.dtype)
        return relaxed_one_hot(torch.zeros(shape, device=p.device, dtype=p.dtype), temperature, noise).flatten(1)

    def sample(self, n: int, generator: Optional[torch.Generator] = None, temperature: float = 0.0) -> Tensor:
        return self.decode(self.prior_codes(n, generator, temperature))

    def importance_log_weights(self, x: Tensor, samples: int) -> Tensor:
        """(samples, N) log p(y|c_k) + log p(c_k) − log q(c_k|x) for discrete c_k ~ q(c|x), at one
        dequantization y of each item (:meth:`likelihood_item`)."""
        y = self.likelihood_item(x, noise=True)
        logq = self.logits(x)
        log_prior = -self.config.latent * math.log(self.config.categories)
        rows = []
        for _ in range(samples):
            c = relaxed_one_hot(logq, 0.0, gumbel_noise(logq.shape, device=x.device, dtype=x.dtype))
            log_q = (c * logq).sum((-1, -2))
            rows.append(self.log_px_z(y, c.flatten(1)) + log_prior - log_q)
        return torch.stack(rows)
