"""Where a model comes from: an exact Gaussian mixture, a Workbench checkpoint or a local diffusers model
folder. Each yields a :class:`Source`: the denoiser, held-out reference data for the metrics, and what the
sidecar needs to reproduce it. (Which checkpoints are bundled with the application is the application
layer's business: it passes their paths in.)"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch

from engines.device import DeviceLike, as_device
from engines.diffusion.history import LossHistory, read_history
from engines.errors import InputError

REFERENCE_POINTS = 5000


@dataclass
class Source:
    model: Any  # a Denoiser
    kind: str  # "points" or "images"
    reference: Optional[np.ndarray]  # held-out data (model space) for the metrics, None if unknown
    description: dict[str, Any] = field(default_factory=dict)
    data: Optional[np.ndarray] = None  # training data sample for the forward-process view (model space)
    history: Optional[LossHistory] = None  # the loss curve its checkpoint recorded when it was trained
    note: Optional[str] = None  # what to know about its metrics (why there are none, a data file that changed)

    @property
    def label(self) -> str:
        d = self.description
        return d.get("label") or d.get("mixture") or Path(str(d.get("checkpoint", "model"))).name


def mixture_source(name: str, device: DeviceLike = "cpu", seed: int = 0) -> Source:
    """The exact mixture ``name`` (see :data:`engines.diffusion.catalogue.MIXTURES`)."""
    from engines.diffusion.mixture import named_mixture

    mix = named_mixture(name).to(as_device(device))
    ref = mix.sample(REFERENCE_POINTS, torch.Generator().manual_seed(12345 + seed)).cpu().numpy()
    data = mix.sample(2000, torch.Generator().manual_seed(54321 + seed)).cpu().numpy()
    return Source(mix, "points", ref, {"source": "mixture", "mixture": name, "label": f"exact mixture: {name}",
                                       "components": int(mix.means.shape[0])}, data)


def checkpoint_source(path: str | Path, device: DeviceLike = "cpu", dataset: Optional[str] = None) -> Source:
    """A Workbench checkpoint (.safetensors, its .json, a weights-only .pt, or their stem) or a diffusers model
    folder; its metrics are against the held-out rows of the data it was trained on (``dataset``: another)."""
    from engines.checkpoints.stem import resolve_checkpoint
    from engines.diffusion.checkpoint import load
    from engines.diffusion.heldout import recorded_heldout
    from engines.exported.manifest import is_exported

    path = resolve_checkpoint(path)
    if path.is_dir() and not is_exported(path):  # a folder of one exported program opens as that program
        if dataset is not None:
            raise InputError(f"{path.name} is a diffusers model folder; --dataset goes with a Workbench checkpoint")
        return diffusers_source(path, device)
    model, body, digest = load(path, device)
    kind = "points" if len(model.shape) == 1 else "images"
    held = recorded_heldout(body, path, tuple(model.shape), dataset)
    label = f"{path.stem} ({body.get('objective', 'ddpm')})"
    description = {"source": "checkpoint", "checkpoint": str(path), "checkpoint_sha256": digest,
                   "objective": body.get("objective"), "dataset": dataset or body.get("dataset"), "label": label}
    if held.about:
        description["reference"] = held.about
    return Source(model, kind, held.reference, description, held.data, read_history(body.get("train"), path.name),
                  held.note)


def diffusers_source(folder: str | Path, device: DeviceLike = "cpu") -> Source:
    from engines.diffusion.diffusers_loader import load_diffusers_folder

    model, info = load_diffusers_folder(folder, device)
    return Source(model, "images", None, {"source": "diffusers", "checkpoint": str(folder), **info,
                                          "label": f"{Path(folder).name} (diffusers {info.get('class')})"},
                  note=f"no quality metrics: {Path(folder).name} is a diffusers model folder, which does not say "
                       f"what data it was trained on")
