"""Using a trained text VAE: the path between two lines in its latent space (each step's argmax line) and
lines sampled from the prior."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engines.errors import InputError
from engines.latent.interpolation import lerp, slerp
from engines.latent.text_vae import TextVAE
from engines.latent.text_vocab import Vocabulary


@dataclass(frozen=True)
class TextWalk:
    """``lines[k]`` is the decoded line at ``t[k]``; ``codes`` the latent codes along the path."""

    ends: tuple[str, str]
    t: np.ndarray
    codes: np.ndarray
    lines: tuple[str, ...]
    mode: str


def check_line(line: str, length: int) -> str:
    """``line`` stripped, refused with a sentence unless it has the model's length."""
    line = line.strip()
    if len(line) != length:
        raise InputError(f"{line!r} has {len(line)} characters; this model reads lines of {length}")
    return line


@torch.no_grad()
def decode_lines(model: TextVAE, vocab: Vocabulary, codes: np.ndarray) -> tuple[str, ...]:
    p = next(model.parameters())
    ids = model.decode(torch.as_tensor(codes, dtype=p.dtype, device=p.device)).cpu().numpy()
    return tuple(vocab.decode(row) for row in ids)


@torch.no_grad()
def walk_text(model: TextVAE, vocab: Vocabulary, start: str, end: str, steps: int = 8, mode: str = "lerp") -> TextWalk:
    """Decode ``steps`` points (ends included) on the lerp or slerp path between the posterior means of the
    two lines."""
    length = model.config.length
    ends = (check_line(start, length), check_line(end, length))
    p = next(model.parameters())
    ids = torch.from_numpy(vocab.encode(ends, length)).to(p.device)
    z = model.encode(ids)[0].double().cpu().numpy()
    t = np.linspace(0.0, 1.0, steps)
    codes = (slerp if mode == "slerp" else lerp)(z[0], z[1], t)
    return TextWalk(ends, t, codes, decode_lines(model, vocab, codes), mode)


def sample_lines(model: TextVAE, vocab: Vocabulary, count: int, seed: int = 0, temperature: float = 1.0) -> tuple[str, ...]:
    """``count`` lines decoded from prior samples z ~ N(0, temperature² I) drawn with ``seed``."""
    z = np.random.default_rng(seed).standard_normal((count, model.latent_size)) * temperature
    return decode_lines(model, vocab, z)
