"""The generative models: an MLP VAE, a small convolutional VAE, the NICE additive-coupling flow, and the
VAE with a clustering prior (Su Jianlin, "变分自编码器(四)").

Every model takes and returns tensors of shape (N, *data_shape): images (N, C, H, W) in [0, 1], points
(N, D). Common interface: ``encode(x) -> (mean, logvar)`` (logvar None for the flow, whose encoding is
exact), ``decode(z) -> x``, ``losses(x) -> dict`` of per-item means (``total`` is the negative ELBO, or
the flow's negative log-likelihood, in nats per item), ``sample(n)``.
"""
from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from engines.catalogue import load
from engines.latent.catalogue import MODELS
from engines.latent.config import ModelConfig

LOG_2PI = math.log(2 * math.pi)
MIN_LOG_SIGMA = math.log(0.03)


def _mlp(sizes: list[int], last_act: bool = False) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2 or last_act:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def gaussian_kl(mean: Tensor, logvar: Tensor) -> Tensor:
    """KL(N(mean, exp(logvar)) || N(0, I)) summed over the latent dimensions, per item."""
    return 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).sum(-1)


class LatentModel(nn.Module):
    """Base: the config and the helpers every model shares."""

    config: ModelConfig

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config

    @property
    def latent_size(self) -> int:
        return self.config.latent_size

    def encode(self, x: Tensor) -> tuple[Tensor, Optional[Tensor]]:
        raise NotImplementedError

    def decode(self, z: Tensor) -> Tensor:
        raise NotImplementedError

    def losses(self, x: Tensor, kl_weight: float = 1.0) -> dict[str, Tensor]:
        raise NotImplementedError

    def latent(self, x: Tensor) -> Tensor:
        """The deterministic code of ``x``: the posterior mean (VAEs), the exact image (flow)."""
        return self.encode(x)[0]

    def reconstruct(self, x: Tensor) -> Tensor:
        return self.decode(self.latent(x))

    def sample(self, n: int, generator: Optional[torch.Generator] = None, temperature: float = 1.0) -> Tensor:
        p = next(self.parameters())
        z = torch.randn(n, self.latent_size, generator=generator, device=p.device, dtype=p.dtype) * temperature
        return self.decode(z)

    def log_bin_width(self) -> float:
        """log of the width of a pixel level's bin in the space the model's density is of (0: a density of
        points, or probabilities of the pixels themselves); see engines.latent.likelihood."""
        return 0.0

    def discrete_nats(self, nats: float) -> float:
        """A density's negative log-likelihood (or −ELBO) per item, in nats of the discrete pixels: the
        density times the bins' volume (the same value for points)."""
        return nats - self.config.dims * self.log_bin_width()


def dequantize(x: Tensor, config: ModelConfig, noise: bool = False) -> Tensor:
    """Images as the Gaussian VAEs model them: pixel value x = k/(L − 1) spread over its bin of width
    1/(L − 1), y = (k + u − 1/2)/(L − 1) with u ~ U(0, 1) (``noise``; else the bin centre y = x, the
    pixel value: E[y | k] = x), shaped like the data; points as they are."""
    if not (noise and config.is_image):
        return x
    return x + (torch.rand_like(x) - 0.5) / (config.levels - 1)


class VAE(LatentModel):
    """Encoder and decoder MLPs. Likelihood: Gaussian with a learned standard deviation per pixel or
    coordinate (sigma >= 0.03), of the dequantized pixels for images (:func:`dequantize`: a fresh u per
    training batch; the bin centres, the pixel values, in eval mode), or for images Bernoulli on pixels in
    [0, 1] (binary cross-entropy). The encoder reads the pixel values."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        d, h, n = config.dims, config.hidden, config.latent
        self.encoder = _mlp([d, h, h], last_act=True)
        self.to_stats = nn.Linear(h, 2 * n)
        self.decoder = _mlp([n, h, h, d])
        self._init_likelihood()

    def _init_likelihood(self) -> None:
        if self.bernoulli:
            return
        self.log_sigma = nn.Parameter(torch.full(self.config.data_shape, -1.0))

    @property
    def bernoulli(self) -> bool:
        return self.config.is_image and self.config.likelihood == "bernoulli"

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        mean, logvar = self.to_stats(self.encoder(x.flatten(1))).chunk(2, dim=-1)
        return mean, logvar.clamp(-12.0, 8.0)

    def decoder_output(self, z: Tensor) -> Tensor:
        """Logits (images) or means (points), shaped like the data."""
        return self.decoder(z).view(-1, *self.config.data_shape)

    def decode(self, z: Tensor) -> Tensor:
        out = self.decoder_output(z)
        if self.bernoulli:
            return torch.sigmoid(out)
        return out.clamp(0.0, 1.0) if self.config.is_image else out

    def likelihood_item(self, x: Tensor, noise: bool) -> Tensor:
        """What p(·|z) is of: Gaussian images dequantized (:func:`dequantize`, fresh noise when ``noise``),
        otherwise ``x`` itself."""
        return x if self.bernoulli else dequantize(x, self.config, noise)

    def log_bin_width(self) -> float:
        return -math.log(self.config.levels - 1) if self.config.is_image and not self.bernoulli else 0.0

    def log_px_z(self, y: Tensor, z: Tensor) -> Tensor:
        """log p(y | z) per item of the items ``y`` from :meth:`likelihood_item`, nats."""
        return -self.reconstruction_nll(self.decoder_output(z), y)

    def reconstruction_nll(self, out: Tensor, x: Tensor) -> Tensor:
        """-log p(x | z) per item, nats (a density for the Gaussian likelihood)."""
        if self.bernoulli:
            return F.binary_cross_entropy_with_logits(out, x, reduction="none").flatten(1).sum(-1)
        log_sigma = self.log_sigma.clamp(MIN_LOG_SIGMA, 3.0)
        return (0.5 * ((x - out) / log_sigma.exp()).pow(2) + log_sigma + 0.5 * LOG_2PI).flatten(1).sum(-1)

    def losses(self, x: Tensor, kl_weight: float = 1.0) -> dict[str, Tensor]:
        mean, logvar = self.encode(x)
        z = mean + torch.randn_like(mean) * (0.5 * logvar).exp()  # reparameterisation
        recon = -self.log_px_z(self.likelihood_item(x, noise=self.training), z)
        kl = gaussian_kl(mean, logvar)
        return {"recon": recon.mean(), "kl": kl.mean(), "total": (recon + kl).mean(),
                "objective": (recon + kl_weight * kl).mean()}


def _conv_downsamples(h: int, w: int) -> int:
    """How many stride-2 steps the convolutional VAE takes: halve while even and at least 8, at most 3."""
    k = 0
    while k < 3 and h % 2 == 0 and w % 2 == 0 and min(h, w) >= 8:
        h, w, k = h // 2, w // 2, k + 1
    return k


class ConvVAE(VAE):
    """A small convolutional encoder/decoder (3x3 convolutions, stride-2 down, transposed up)."""

    def __init__(self, config: ModelConfig) -> None:
        LatentModel.__init__(self, config)
        c, h, w = config.data_shape
        k = _conv_downsamples(h, w)
        width = max(8, config.hidden // 8)
        self.grid = (width * 2 ** k, h // 2 ** k, w // 2 ** k)
        enc: list[nn.Module] = [nn.Conv2d(c, width, 3, padding=1), nn.ReLU()]
        ch = width
        for _ in range(k):
            enc += [nn.Conv2d(ch, ch * 2, 4, stride=2, padding=1), nn.ReLU()]
            ch *= 2
        self.encoder = nn.Sequential(*enc, nn.Flatten(), nn.Linear(ch * self.grid[1] * self.grid[2], config.hidden), nn.ReLU())
        self.to_stats = nn.Linear(config.hidden, 2 * config.latent)
        self.from_latent = nn.Sequential(nn.Linear(config.latent, config.hidden), nn.ReLU(),
                                         nn.Linear(config.hidden, ch * self.grid[1] * self.grid[2]), nn.ReLU())
        dec: list[nn.Module] = []
        for _ in range(k):
            dec += [nn.ConvTranspose2d(ch, ch // 2, 4, stride=2, padding=1), nn.ReLU()]
            ch //= 2
        dec.append(nn.Conv2d(ch, c, 3, padding=1))
        self.decoder = nn.Sequential(*dec)
        self._init_likelihood()

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        mean, logvar = self.to_stats(self.encoder(x)).chunk(2, dim=-1)
        return mean, logvar.clamp(-12.0, 8.0)

    def decoder_output(self, z: Tensor) -> Tensor:
        return self.decoder(self.from_latent(z).view(-1, *self.grid))


class ClusterVAE(VAE):
    """VAE whose prior is a mixture: a class y (uniform prior) with a learnable mean mu_y per class.

    loss = -log p(x|z) + sum_y p(y|z) KL(q(z|x) || N(mu_y, I)) + KL(p(y|z) || uniform), where p(y|z) is a
    small classifier on the sampled z. The last term is sum_y p log p + log K, i.e. -H(p(y|z)) + const.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        n, k = config.latent, config.clusters
        self.classifier = _mlp([n, config.hidden, k])
        self.means = nn.Parameter(torch.randn(k, n) * 0.5)

    def cluster_probs(self, z: Tensor) -> Tensor:
        return torch.softmax(self.classifier(z), dim=-1)

    def clusters(self, x: Tensor) -> Tensor:
        """The most probable cluster of each item (from its posterior mean)."""
        return self.cluster_probs(self.latent(x)).argmax(-1)

    def losses(self, x: Tensor, kl_weight: float = 1.0) -> dict[str, Tensor]:
        mean, logvar = self.encode(x)
        z = mean + torch.randn_like(mean) * (0.5 * logvar).exp()
        recon = -self.log_px_z(self.likelihood_item(x, noise=self.training), z)
        p = self.cluster_probs(z)  # (N, K)
        diff = mean[:, None, :] - self.means[None]  # (N, K, n)
        kl_each = 0.5 * (diff.pow(2) + logvar.exp()[:, None] - 1.0 - logvar[:, None]).sum(-1)
        kl_z = (p * kl_each).sum(-1)
        kl_y = (p * torch.log(p + 1e-12)).sum(-1) + math.log(self.config.clusters)
        kl = kl_z + kl_y
        return {"recon": recon.mean(), "kl": kl.mean(), "total": (recon + kl).mean(),
                "objective": (recon + kl_weight * kl).mean()}

    def sample(self, n: int, generator: Optional[torch.Generator] = None, temperature: float = 1.0,
               cluster: Optional[int] = None) -> Tensor:
        p = self.means
        k = self.config.clusters
        if cluster is None:
            ys = torch.randint(k, (n,), generator=generator, device=p.device)
        else:
            ys = torch.full((n,), int(cluster), device=p.device, dtype=torch.long)
        eps = torch.randn(n, self.latent_size, generator=generator, device=p.device, dtype=p.dtype)
        return self.decode(self.means[ys] + temperature * eps)


def split_halves(layer: nn.Module, dims: int, flip: bool) -> tuple[Tensor, Tensor]:
    """A coupling layer's halves: the even and odd coordinates (swapped when ``flip``), registered on ``layer``
    as the buffers ``keep`` (passed through) and ``change`` (transformed) and returned in that order."""
    idx = torch.arange(dims)
    first, second = (idx[1::2], idx[0::2]) if flip else (idx[0::2], idx[1::2])
    layer.register_buffer("keep", first, persistent=False)
    layer.register_buffer("change", second, persistent=False)
    return first, second


class AdditiveCoupling(nn.Module):
    """y1 = x1, y2 = x2 + m(x1): volume preserving, inverse x2 = y2 - m(y1)."""

    def __init__(self, dims: int, hidden: int, flip: bool) -> None:
        super().__init__()
        self.flip = flip
        first, second = split_halves(self, dims, flip)
        self.m = _mlp([len(first), hidden, hidden, hidden, len(second)])
        nn.init.zeros_(self.m[-1].weight)
        nn.init.zeros_(self.m[-1].bias)

    def forward(self, x: Tensor) -> Tensor:
        y = x.clone()
        y[:, self.change] = x[:, self.change] + self.m(x[:, self.keep])
        return y

    def inverse(self, y: Tensor) -> Tensor:
        x = y.clone()
        x[:, self.change] = y[:, self.change] - self.m(y[:, self.keep])
        return x


def to_flow_space(x: Tensor, config: ModelConfig, noise: bool = False) -> Tensor:
    """Flattened items as a flow models them: images dequantized, y = (k + u) / L - 1/2 for pixel level k of
    L levels, u ~ U(0, 1) (``noise``) or the bin centre 1/2; points as they are."""
    x = x.flatten(1)
    if not config.is_image:
        return x
    levels = config.levels
    k = x * (levels - 1)
    u = torch.rand_like(x) if noise else torch.full_like(x, 0.5)
    return (k + u) / levels - 0.5


def flow_space_log_bin_width(config: ModelConfig) -> float:
    """log of a pixel level's bin width in :func:`to_flow_space`'s space, 1/L (0 for points)."""
    return -math.log(config.levels) if config.is_image else 0.0


def from_flow_space(y: Tensor, config: ModelConfig) -> Tensor:
    """The inverse of :func:`to_flow_space` at the bin centres (values clipped to [0, 1]), shaped like the data."""
    if not config.is_image:
        return y
    levels = config.levels
    x = ((y + 0.5) * levels - 0.5) / (levels - 1)
    return x.clamp(0.0, 1.0).view(-1, *config.data_shape)


class NICE(LatentModel):
    """Additive coupling layers (alternating halves) and a final diagonal scaling z = exp(s) * h, with a
    standard Gaussian prior: log p(x) = log N(z; 0, I) + sum(s). Encode and decode are exact inverses.

    Images are dequantized for training, y = (k + u) / L for pixel level k of L levels and u ~ U(0, 1);
    encode maps the bin centre (k + 1/2) / L, decode maps back and rounds nothing (values are clipped).
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        d = config.dims
        self.couplings = nn.ModuleList(AdditiveCoupling(d, config.hidden, flip=i % 2 == 1) for i in range(config.layers))
        self.log_scale = nn.Parameter(torch.zeros(d))

    # data space <-> the flow's continuous input
    def _to_flow(self, x: Tensor, noise: bool = False) -> Tensor:
        return to_flow_space(x, self.config, noise)

    def _from_flow(self, y: Tensor) -> Tensor:
        return from_flow_space(y, self.config)

    def forward_flow(self, y: Tensor) -> Tensor:
        for layer in self.couplings:
            y = layer(y)
        return y * self.log_scale.exp()

    def inverse_flow(self, z: Tensor) -> Tensor:
        h = z * (-self.log_scale).exp()
        for layer in reversed(self.couplings):
            h = layer.inverse(h)
        return h

    def encode(self, x: Tensor) -> tuple[Tensor, None]:
        return self.forward_flow(self._to_flow(x)), None

    def decode(self, z: Tensor) -> Tensor:
        return self._from_flow(self.inverse_flow(z))

    def log_prob(self, y: Tensor) -> Tensor:
        """log density of the flow's continuous input y, per item (nats)."""
        z = self.forward_flow(y)
        return -0.5 * (z.pow(2).sum(-1) + z.shape[-1] * LOG_2PI) + self.log_scale.sum()

    def log_bin_width(self) -> float:
        return flow_space_log_bin_width(self.config)

    def bits_per_dim(self, nll: Tensor) -> Tensor:
        """Bits per dimension of the discrete data from the dequantized NLL (nats per item)."""
        d = self.config.dims
        return (nll - d * self.log_bin_width()) / (d * math.log(2.0))

    def losses(self, x: Tensor, kl_weight: float = 1.0) -> dict[str, Tensor]:
        nll = -self.log_prob(self._to_flow(x, noise=self.training))
        total = nll.mean()
        return {"total": total, "objective": total, "bpd": self.bits_per_dim(total)}


def build_model(config: ModelConfig) -> LatentModel:
    """The model of ``config``: the class its kind names in :data:`engines.latent.catalogue.MODELS`."""
    config = config.validated()
    return load(MODELS[config.kind].model)(config)
