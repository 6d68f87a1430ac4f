"""Sinusoidal (Fourier) embedding of a scalar time or noise level, shared by the denoising networks."""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn


class TimeEmbedding(nn.Module):
    """``dim`` features [cos(w_k s), sin(w_k s)] of a scalar s per sample, frequencies spaced geometrically
    from 1 to ``max_period`` (Transformer / DDPM style), followed by a small MLP."""

    def __init__(self, dim: int = 64, out_dim: int | None = None, max_period: float = 10000.0) -> None:
        super().__init__()
        half = dim // 2
        freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
        self.register_buffer("freqs", freqs, persistent=False)
        out_dim = out_dim or dim
        self.mlp = nn.Sequential(nn.Linear(2 * half, out_dim), nn.SiLU(), nn.Linear(out_dim, out_dim))

    def forward(self, s: Tensor) -> Tensor:
        args = s.reshape(-1, 1).to(self.freqs.dtype) * self.freqs
        return self.mlp(torch.cat([torch.cos(args), torch.sin(args)], dim=1))
