"""Latent-model checkpoints: ``NAME.safetensors`` with ``NAME.json`` beside it.

The JSON holds the architecture, hyperparameters, data set (with where its file lies and its sha256,
:mod:`engines.data.provenance`), training steps, metrics, format version and the sha256 of the weights file;
the safetensors metadata carries the same config without the hash, the timings and the data's place, so the
weights file alone is loadable and retraining with the same inputs writes the same bytes. PyTorch
``.pt/.pth`` files are read through ``torch.load(weights_only=True)`` only (the shared safe reader); with no
config the architecture is inferred from the tensor names and shapes. Everything wrong with a file is an
:class:`InputError`.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np
import torch

from engines.checkpoints import (check_weights_fit, config_source, match_state_dict, planned_model, read_checkpoint,
                                 tensor_shapes)
from engines.checkpoints import save_checkpoint as save_checkpoint_file
from engines.data.provenance import DATA_KEY
from engines.errors import InputError
from engines.formats import LATENT as FORMAT
from engines.latent.config import ModelConfig
from engines.latent.models import LatentModel, build_model

VERSION = 1
METADATA_KEY = "workbench_latent"
JSON_ONLY = ("run", DATA_KEY)  # timings and where the data lies: kept out of the hashed weights file


@dataclass
class Checkpoint:
    """A loaded model with what its config says about it."""

    model: LatentModel
    config: ModelConfig
    info: dict[str, Any] = field(default_factory=dict)  # train, dataset, run, metrics ... from the JSON
    sha256: str = ""
    path: Optional[Path] = None

    @property
    def name(self) -> str:
        return self.path.stem if self.path else str(self.info.get("name", "trained"))

    @property
    def metrics(self) -> dict[str, float]:
        return dict((self.info.get("run") or {}).get("metrics") or {})


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save_checkpoint(path: str | Path, state: Mapping[str, torch.Tensor], config: ModelConfig,
                    extra: Optional[Mapping[str, Any]] = None, version: str | None = None) -> dict[str, Any]:
    """Write ``path`` (.safetensors) and its JSON config atomically; return the JSON written. ``version``
    is the application's, recorded in the JSON."""
    body: dict[str, Any] = {"format": FORMAT, "version": VERSION, "model": config.as_dict()}
    body.update(dict(extra or {}))
    return save_checkpoint_file(path, as_tensors(state), body, metadata_key=METADATA_KEY, version=version,
                                json_only=JSON_ONLY)


def as_tensors(state: Mapping[str, Any]) -> dict[str, torch.Tensor]:
    """Tensors for a state dict of tensors or numpy arrays."""
    return {k: v if isinstance(v, torch.Tensor) else torch.from_numpy(np.asarray(v)) for k, v in state.items()}


def load_state(model: LatentModel, tensors: Mapping[str, Any], source: str) -> None:
    """Load ``tensors`` (torch or numpy) into ``model`` after checking names, shapes and values."""
    tensors = as_tensors(tensors)
    matched = match_state_dict(model, tensors, source)
    bad = [k for k, v in matched.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if bad:
        raise InputError(f"{source} holds NaN or infinite weights in {', '.join(bad[:6])}")
    model.load_state_dict(matched)


def load_checkpoint(path: str | Path) -> Checkpoint:
    """A model from ``path``: the .json config, the .safetensors weights, a .pt/.pth state dict, or an
    exported program (.pt2) with its manifest (:mod:`engines.exported`)."""
    from engines.exported.manifest import is_exported

    if is_exported(path):
        from engines.exported.latent import load_latent

        return load_latent(path)
    tensors, body, digest, weights = read_checkpoint(path, metadata_key=METADATA_KEY)
    if body is not None and body.get("format") not in (None, FORMAT):
        raise InputError(f"{weights.name}: its config is of format {body.get('format')!r}, not a latent model")
    if body is not None and "model" in body:
        config = ModelConfig.from_dict(body["model"], weights.name)
        described_by = config_source(path, weights)
    else:
        config = infer_config(tensors, weights.name)
        body = {"inferred": True}
        described_by = f"the architecture inferred from {weights.name}"
    check_weights_fit(planned_model(lambda: build_model(config)), tensor_shapes(tensors), described_by, weights.name)
    model = build_model(config)
    load_state(model, tensors, weights.name)
    model.eval()
    info = {k: v for k, v in body.items() if k not in ("model",)}
    return Checkpoint(model, config, info, digest, weights)


def _square(n: int) -> Optional[int]:
    s = int(round(math.sqrt(n)))
    return s if s * s == n else None


def _image_shape(d: int) -> tuple[int, ...]:
    if d == 2:
        return (2,)
    if _square(d):
        return (1, _square(d), _square(d))
    if d % 3 == 0 and _square(d // 3):
        return (3, _square(d // 3), _square(d // 3))
    return (d,)


def infer_config(tensors: Mapping[str, torch.Tensor], source: str) -> ModelConfig:
    """The architecture implied by a bare state dict of one of these models (square images assumed)."""
    t = {k[len("module."):] if k.startswith("module.") else k: v for k, v in tensors.items()}
    try:
        if "log_scale" in t and "couplings.0.m.0.weight" in t:
            d = int(t["log_scale"].shape[0])
            layers = len({k.split(".")[1] for k in t if k.startswith("couplings.")})
            shape = _image_shape(d)
            levels = 17 if d == 64 else 256
            return ModelConfig("nice", shape, latent=2, hidden=int(t["couplings.0.m.0.weight"].shape[0]),
                               layers=layers, levels=levels).validated()
        first = t["encoder.0.weight"]
        likelihood = "gaussian" if "log_sigma" in t else "bernoulli"
        latent = int(t["to_stats.weight"].shape[0]) // 2
        if first.ndim == 4:
            c, width = int(first.shape[1]), int(first.shape[0])
            convs = sorted(int(k.split(".")[1]) for k, v in t.items() if k.startswith("encoder.") and v.ndim == 4)
            k = len(convs) - 1
            lin = t[f"encoder.{convs[-1] + 3}.weight"]
            hidden = int(lin.shape[0])
            g = _square(int(lin.shape[1]) // (width * 2 ** k))
            if g is None:
                raise KeyError("non-square grid")
            shape = tuple(int(s) for s in t["log_sigma"].shape) if "log_sigma" in t else (c, g * 2 ** k, g * 2 ** k)
            return ModelConfig("conv-vae", shape, latent=latent, hidden=hidden, likelihood=likelihood).validated()
        d, hidden = int(first.shape[1]), int(first.shape[0])
        shape = tuple(int(s) for s in t["log_sigma"].shape) if "log_sigma" in t else _image_shape(d)
        if len(shape) == 1 and d != 2 and "log_sigma" not in t:
            raise KeyError("image shape")
        kind = "cluster-vae" if "means" in t else "vae"
        clusters = int(t["means"].shape[0]) if "means" in t else 10
        return ModelConfig(kind, shape, latent=latent, hidden=hidden, clusters=clusters,
                           likelihood=likelihood).validated()
    except (KeyError, IndexError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise InputError(f"{source}: {exc}") from None
        names = ", ".join(list(t)[:5])
        raise InputError(
            f"{source} is not a latent-model checkpoint Workbench knows (no config JSON beside it, and its "
            f"tensors ({names}{', ...' if len(t) > 5 else ''}) match none of vae, conv-vae, nice, cluster-vae)"
        ) from None


def checkpoint_from_state(config: ModelConfig, state: Mapping[str, torch.Tensor], info: Optional[dict] = None,
                          name: str = "trained") -> Checkpoint:
    """A :class:`Checkpoint` for weights held in memory (a training run's latest good state)."""
    model = build_model(config)
    load_state(model, state, name)
    model.eval()
    digest = sha256_bytes(b"".join(np.ascontiguousarray(v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else v)
                                   .tobytes() for _, v in sorted(state.items())))
    return Checkpoint(model, config, dict(info or {}), digest, None)
