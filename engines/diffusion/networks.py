"""Denoising networks: an MLP with a time/noise embedding for 2D points, a small conv net for 8×8 images.

Both take ``(x, s)`` with ``s`` the network time (a scalar or one per sample; the model wrappers in
:mod:`engines.diffusion.models` map t, σ or flow time to it) and return a tensor shaped like ``x``.
Their constructor arguments are plain numbers, stored in checkpoints' JSON configs (:func:`build`).
"""
from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from engines.diffusion.embedding import TimeEmbedding
from engines.errors import InputError


def _time(s: Tensor | float, n: int, like: Tensor) -> Tensor:
    s = torch.as_tensor(s, dtype=like.dtype, device=like.device)
    return s.expand(n) if s.ndim == 0 else s.reshape(n)


class MLPDenoiser(nn.Module):
    """x (N, dim) and the embedded time through ``depth`` SiLU layers of ``width`` with residuals."""

    def __init__(self, dim: int = 2, width: int = 128, depth: int = 3, emb: int = 64) -> None:
        super().__init__()
        self.config = {"arch": "mlp", "dim": dim, "width": width, "depth": depth, "emb": emb}
        self.embed = TimeEmbedding(emb, width)
        self.inp = nn.Linear(dim, width)
        self.blocks = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.out = nn.Linear(width, dim)
        self.act = nn.SiLU()

    def forward(self, x: Tensor, s: Tensor | float) -> Tensor:
        h = self.inp(x) + self.embed(_time(s, x.shape[0], x))
        for block in self.blocks:
            h = h + block(self.act(h))
        return self.out(self.act(h))


class _ResBlock(nn.Module):
    def __init__(self, cin: int, cout: int, temb: int) -> None:
        super().__init__()
        self.norm1 = nn.GroupNorm(8, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(8, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()
        self.act = nn.SiLU()

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        h = self.conv1(self.act(self.norm1(x))) + self.proj(t)[:, :, None, None]
        h = self.conv2(self.act(self.norm2(h)))
        return self.skip(x) + h


class ConvDenoiser(nn.Module):
    """A two-level U-Net for small images (N, C, H, W) with H, W even: 8×8 digits in ~0.1 M parameters.

    With ``classes`` > 0 it is class-conditional (Ho & Salimans 2022): a learned embedding of the label
    (``classes + 1`` of them, the last the null label of the unconditional model) is added to the time's."""

    def __init__(self, channels: int = 1, base: int = 32, mid: int = 48, emb: int = 64, classes: int = 0) -> None:
        super().__init__()
        self.config = {"arch": "conv", "channels": channels, "base": base, "mid": mid, "emb": emb}
        self.classes = classes
        if classes:
            self.config["classes"] = classes
            self.label_embed = nn.Embedding(classes + 1, emb)
        self.embed = TimeEmbedding(emb, emb)
        self.inp = nn.Conv2d(channels, base, 3, padding=1)
        self.enc = _ResBlock(base, base, emb)
        self.down = nn.Conv2d(base, mid, 3, stride=2, padding=1)
        self.mid = _ResBlock(mid, mid, emb)
        self.up = nn.Conv2d(mid, base, 3, padding=1)
        self.dec = _ResBlock(2 * base, base, emb)
        self.norm = nn.GroupNorm(8, base)
        self.out = nn.Conv2d(base, channels, 3, padding=1)
        self.act = nn.SiLU()

    def forward(self, x: Tensor, s: Tensor | float, label: Tensor | int | None = None) -> Tensor:
        """``label``: a class per sample or one for all; None (or ``classes``) the null label."""
        t = self.embed(_time(s, x.shape[0], x))
        if self.classes:
            y = torch.as_tensor(self.classes if label is None else label, device=x.device).expand(x.shape[0])
            t = t + self.label_embed(y)
        h0 = self.enc(self.inp(x), t)
        h = self.mid(self.down(h0), t)
        h = self.up(nn.functional.interpolate(h, size=h0.shape[-2:], mode="nearest"))
        h = self.dec(torch.cat([h, h0], dim=1), t)
        return self.out(self.act(self.norm(h)))


MAX_SIZE = 1024  # a hostile config must not allocate gigabytes
ARCHS = {"mlp": MLPDenoiser, "conv": ConvDenoiser}


def build(config: dict[str, Any]) -> nn.Module:
    """The network described by a checkpoint config (``{"arch": "mlp", "dim": 2, ...}``)."""
    config = dict(config)
    arch = config.pop("arch", None)
    if arch not in ARCHS:
        raise InputError(f"unknown network architecture {arch!r} in the checkpoint config; expected mlp or conv")
    try:
        kwargs = {k: int(v) for k, v in config.items()}
        bad = [f"{k}={v}" for k, v in kwargs.items() if not 1 <= v <= MAX_SIZE]
        if bad:
            raise InputError(f"network settings out of range (1 to {MAX_SIZE}) in the checkpoint config: {', '.join(bad)}")
        return ARCHS[arch](**kwargs)
    except (TypeError, ValueError) as exc:
        raise InputError(f"bad network settings in the checkpoint config: {exc}") from exc
