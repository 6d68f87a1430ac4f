"""f-VAE: a VAE whose decoder p(x|z) is a flow conditioned on z (Su et al. 2018, "f-VAEs: Improve VAEs with
Conditional Flows", arXiv 1809.05861, §3).

The item x (images dequantized as for NICE) is mapped by affine coupling layers whose shift and scale nets
also read z, h = F_z(x), onto a Gaussian N(h; D(z), σ²) with the VAE's decoder D as its mean and a learned
σ per dimension: log p(x|z) = log N(F_z(x); D(z), σ²) + log |det ∂F_z/∂x|, exact. Decoding z (temperature
0) is the flow's inverse of the base mean, F_z⁻¹(D(z)).
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from engines.latent.config import ModelConfig
from engines.latent.models import VAE, _mlp, flow_space_log_bin_width, from_flow_space, split_halves, to_flow_space

MAX_LOG_SCALE = 2.0  # each coupling scales a coordinate by at most e^2 either way


class ConditionalCoupling(nn.Module):
    """y1 = x1, y2 = x2 · exp(s) + t with (s, t) = net(x1, z): invertible in x for every z."""

    def __init__(self, dims: int, latent: int, hidden: int, flip: bool) -> None:
        super().__init__()
        first, second = split_halves(self, dims, flip)
        self.net = _mlp([len(first) + latent, hidden, hidden, 2 * len(second)])
        nn.init.zeros_(self.net[-1].weight)  # starts as the identity
        nn.init.zeros_(self.net[-1].bias)

    def _shift_scale(self, kept: Tensor, z: Tensor) -> tuple[Tensor, Tensor]:
        s, t = self.net(torch.cat([kept, z], dim=-1)).chunk(2, dim=-1)
        return MAX_LOG_SCALE * torch.tanh(s / MAX_LOG_SCALE), t

    def forward(self, x: Tensor, z: Tensor) -> tuple[Tensor, Tensor]:
        """(y, log |det ∂y/∂x|) per item."""
        s, t = self._shift_scale(x[:, self.keep], z)
        y = x.clone()
        y[:, self.change] = x[:, self.change] * s.exp() + t
        return y, s.sum(-1)

    def inverse(self, y: Tensor, z: Tensor) -> Tensor:
        s, t = self._shift_scale(y[:, self.keep], z)
        x = y.clone()
        x[:, self.change] = (y[:, self.change] - t) * (-s).exp()
        return x


class FVAE(VAE):
    """The VAE's encoder and Gaussian decoder, with ``layers`` z-conditioned couplings between x and the
    decoder's Gaussian. ``losses`` gives the negative ELBO of the dequantized item in flow space (nats)."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.couplings = nn.ModuleList(ConditionalCoupling(config.dims, config.latent, config.hidden, flip=i % 2 == 1)
                                       for i in range(config.layers))

    @property
    def bernoulli(self) -> bool:
        return False  # the flow needs a density: the base is Gaussian

    def likelihood_item(self, x: Tensor, noise: bool) -> Tensor:
        """The flow-space item (:func:`engines.latent.models.to_flow_space`, as NICE's), flattened."""
        return to_flow_space(x, self.config, noise)

    def log_bin_width(self) -> float:
        return flow_space_log_bin_width(self.config)

    def flow(self, y: Tensor, z: Tensor) -> tuple[Tensor, Tensor]:
        """F_z(y) and its log-determinant, per item."""
        logdet = torch.zeros(len(y), device=y.device, dtype=y.dtype)
        for layer in self.couplings:
            y, ld = layer(y, z)
            logdet = logdet + ld
        return y, logdet

    def inverse_flow(self, h: Tensor, z: Tensor) -> Tensor:
        for layer in reversed(self.couplings):
            h = layer.inverse(h, z)
        return h

    def log_px_z(self, y: Tensor, z: Tensor) -> Tensor:
        """Exact log p(y|z) of the flow-space items ``y`` (N, D), per item (nats)."""
        h, logdet = self.flow(y, z)
        shape = self.config.data_shape
        return logdet - self.reconstruction_nll(self.decoder_output(z), h.view(-1, *shape))

    def decode(self, z: Tensor) -> Tensor:
        return from_flow_space(self.inverse_flow(self.decoder_output(z).flatten(1), z), self.config)
