"""A VAE of fixed-length lines of characters, after Su Jianlin's poetry VAE ("基于CNN和VAE的作诗机器人:随机成诗",
https://kexue.fm/archives/5332): characters are embedded, passed through gated 1-D convolutions
(GLU: a convolution of twice the width, one half gating the other, with a residual connection; Dauphin et al.
2017), averaged over positions into the posterior's mean and log-variance; the decoder maps z to one vector
per position, gated convolutions again, and per-position logits over the vocabulary. The decoder never sees
the line's characters, only z. The loss is the categorical cross-entropy summed over positions plus the Gaussian
KL (nats per line); training may weigh the KL (annealing, Bowman et al. 2016) and leave each dimension's KL
free up to a floor (free bits, Kingma et al. 2016, §C.8), against posterior collapse."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from engines.errors import InputError
from engines.latent.models import gaussian_kl
from engines.latent.text_catalogue import EMBED, HIDDEN, LATENT, LENGTHS, TEXT_VAE
from engines.latent.text_vocab import MAX_VOCAB

KIND = TEXT_VAE.name


@dataclass(frozen=True)
class TextVAEConfig:
    """The architecture: line length, vocabulary size (the unknown id included) and the widths."""

    length: int = 5
    vocab_size: int = 100
    embed: int = int(EMBED.default)
    hidden: int = int(HIDDEN.default)
    latent: int = int(LATENT.default)

    def validated(self, source: str = "the text VAE's config") -> "TextVAEConfig":
        """This config, or InputError naming the first field out of range (a checkpoint's JSON is untrusted)."""
        if not all(isinstance(getattr(self, f.name), int) and not isinstance(getattr(self, f.name), bool)
                   for f in fields(self)):
            raise InputError(f"{source}: every field of a text VAE's config is a whole number")
        if str(self.length) not in LENGTHS:
            raise InputError(f"{source}: line length {self.length} is not one of {', '.join(LENGTHS)}")
        if not 2 <= self.vocab_size <= MAX_VOCAB:
            raise InputError(f"{source}: vocab_size {self.vocab_size} is not between 2 and {MAX_VOCAB}")
        for option in (EMBED, HIDDEN, LATENT):
            option.validate(getattr(self, option.name), source)
        return self

    def as_dict(self) -> dict[str, Any]:
        return {"kind": KIND, **asdict(self)}

    @classmethod
    def from_dict(cls, body: Mapping[str, Any], source: str) -> "TextVAEConfig":
        if not isinstance(body, Mapping) or body.get("kind") != KIND:
            raise InputError(f"{source} does not describe a text VAE")
        known = {f.name for f in fields(cls)}
        missing = sorted(known - set(body))
        if missing:
            raise InputError(f"{source}: the text VAE's config lacks {', '.join(missing)}")
        return cls(**{k: body[k] for k in known}).validated(source)


class GatedConv(nn.Module):
    """x + a * sigmoid(b), [a, b] a 1-D convolution of x (kernel 3, same length): a gated linear unit."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv = nn.Conv1d(width, 2 * width, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return x + F.glu(self.conv(x), dim=1)


class TextVAE(nn.Module):
    """Lines (N, L) of ids in, per-position logits (N, L, V) out."""

    def __init__(self, config: TextVAEConfig) -> None:
        super().__init__()
        self.config = config.validated()
        c = self.config
        self.embedding = nn.Embedding(c.vocab_size, c.embed)
        self.encoder = nn.Sequential(nn.Conv1d(c.embed, c.hidden, 1), GatedConv(c.hidden), GatedConv(c.hidden))
        self.to_stats = nn.Linear(c.hidden, 2 * c.latent)
        self.from_latent = nn.Linear(c.latent, c.length * c.hidden)
        self.decoder = nn.Sequential(GatedConv(c.hidden), GatedConv(c.hidden))
        self.to_logits = nn.Conv1d(c.hidden, c.vocab_size, 1)

    @property
    def latent_size(self) -> int:
        return self.config.latent

    def encode(self, ids: Tensor) -> tuple[Tensor, Tensor]:
        h = self.encoder(self.embedding(ids).transpose(1, 2)).mean(-1)
        mean, logvar = self.to_stats(h).chunk(2, dim=-1)
        return mean, logvar.clamp(-12.0, 8.0)

    def logits(self, z: Tensor) -> Tensor:
        h = self.from_latent(z).view(-1, self.config.hidden, self.config.length)
        # the 1×1 convolution to_logits as a matrix product: the same map, faster on the CPU
        return F.linear(self.decoder(h).transpose(1, 2), self.to_logits.weight.squeeze(-1), self.to_logits.bias)

    def decode(self, z: Tensor) -> Tensor:
        """The most probable character id at each position: (N, L)."""
        return self.logits(z).argmax(-1)

    def losses(self, ids: Tensor, kl_weight: float = 1.0, free_bits: float = 0.0) -> dict[str, Tensor]:
        """Reconstruction, KL and their sum −ELBO (means over the batch, nats per line) and the objective
        trained: reconstruction + ``kl_weight`` × Σ_i max(``free_bits``, KL_i), KL_i the batch's mean KL of
        latent dimension i (free bits, Kingma et al. 2016, §C.8)."""
        mean, logvar = self.encode(ids)
        z = mean + torch.randn_like(mean) * (0.5 * logvar).exp()
        logits = self.logits(z)
        recon = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids.reshape(-1), reduction="none")
        recon = recon.view(ids.shape).sum(-1).mean()
        per_dim = gaussian_kl(mean.unsqueeze(-1), logvar.unsqueeze(-1)).mean(0)  # (latent,)
        kl = per_dim.sum()
        return {"recon": recon, "kl": kl, "total": recon + kl,
                "objective": recon + kl_weight * per_dim.clamp(min=free_bits).sum()}
