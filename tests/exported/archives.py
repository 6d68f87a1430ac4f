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
