"""Small models of architectures Workbench does not define, exported with torch.export into a folder, and
hostile .pt2 archives made from a real one (a member replaced)."""
from __future__ import annotations

import json
import os
import pickle
import zipfile
from pathlib import Path

import torch
from torch import nn


class Payload:
    """Unpickling this runs ``touch MARKER``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


class Classifier(nn.Module):
    """A classifier with BatchNorm: 4 features -> 3 logits."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def export(module: nn.Module, args: tuple, path: Path, batch: bool = True) -> Path:
    """``module`` (in eval mode) exported with a dynamic batch size and saved at ``path``."""
    module.eval()
    shapes = tuple({0: torch.export.Dim("batch", min=1, max=4096)} if a.ndim and batch else None for a in args)
    torch.export.save(torch.export.export(module, args, dynamic_shapes=shapes), path)
    return path


def classifier_pt2(folder: Path) -> Path:
    torch.manual_seed(0)
    return export(Classifier(), (torch.randn(5, 4),), folder / "classifier.pt2")


def replaced(source: Path, target: Path, member: str, body: bytes) -> Path:
    """A copy of the archive ``source`` at ``target`` whose member ending in ``member`` holds ``body``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, body if info.filename.endswith(member) else old.read(info))
    return target


def with_program(source: Path, target: Path, edit) -> Path:
    """A copy of ``source`` whose models/model.json is ``edit(program)``."""
    with zipfile.ZipFile(source) as old:
        name = next(n for n in old.namelist() if n.endswith("models/model.json"))
        program = json.loads(old.read(name))
    edit(program)
    return replaced(source, target, "models/model.json", json.dumps(program).encode())


def hostile_pt2(folder: Path, marker: Path) -> Path:
    """A real exported program whose pickled sample-inputs member runs ``touch marker`` when unpickled."""
    good = classifier_pt2(folder)
    return replaced(good, folder / "hostile.pt2", "data/sample_inputs/model.pt", pickle.dumps(Payload(marker), protocol=2))


class Residual(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.SiLU(),
                                  nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h + self.conv(h)


class ConvDecoder(nn.Module):
    """z (8) -> a 1x8x8 image through a 4x4 map, a residual block and a transposed convolution."""

    def __init__(self, latent: int = 8) -> None:
        super().__init__()
        self.fc = nn.Linear(latent, 16 * 4 * 4)
        self.res = Residual(16)
        self.up = nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.up(self.res(self.fc(z).view(-1, 16, 4, 4))))


class ConvEncoder(nn.Module):
    """A 1x8x8 image -> (mean, logvar) of an 8-dimensional code."""

    def __init__(self, latent: int = 8) -> None:
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.GELU(), nn.Flatten())
        self.mean, self.logvar = nn.Linear(8 * 16, latent), nn.Linear(8 * 16, latent)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.conv(x)
        return self.mean(h), self.logvar(h)


class AttentionDenoiser(nn.Module):
    """ε(x, t) for 2-D points: each point's two coordinates are two tokens that attend to each other, with a
    sinusoidal embedding of t added."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        self.inp = nn.Linear(1, width)
        self.attn = nn.MultiheadAttention(width, 2, batch_first=True)
        self.out = nn.Linear(width, 1)
        self.register_buffer("freqs", torch.exp(-torch.arange(width // 2) * 0.5))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        angles = t[:, None] * self.freqs
        emb = torch.cat([angles.sin(), angles.cos()], dim=1)[:, None, :]
        h = self.inp(x[:, :, None]) + emb
        h = h + self.attn(h, h, h, need_weights=False)[0]
        return self.out(h)[:, :, 0]


def latent_pt2(folder: Path) -> tuple[Path, Path, nn.Module, nn.Module]:
    """An exported conv decoder and encoder (never trained: seeded weights) and their modules."""
    torch.manual_seed(1)
    decoder, encoder = ConvDecoder().eval(), ConvEncoder().eval()
    return (export(decoder, (torch.randn(3, 8),), folder / "decoder.pt2"),
            export(encoder, (torch.randn(3, 1, 8, 8),), folder / "encoder.pt2"), decoder, encoder)


def denoiser_pt2(folder: Path) -> tuple[Path, nn.Module]:
    torch.manual_seed(2)
    net = AttentionDenoiser().eval()
    shapes = ({0: torch.export.Dim("batch", min=1, max=65536)}, {0: torch.export.Dim("batch", min=1, max=65536)})
    program = torch.export.export(net, (torch.randn(3, 2), torch.rand(3) * 999), dynamic_shapes=shapes)
    path = folder / "denoiser.pt2"
    torch.export.save(program, path)
    return path, net
