"""Optional: sample a local diffusers model folder (``config.json`` + weights, e.g. a ``UNet2DModel``).

The network is built from its config with ``from_config`` (no download, no code from the folder) and its
weights are read with the project's safe reader (safetensors, or torch.load(weights_only=True)). A
pipeline folder (``unet/`` + ``scheduler/``) is accepted too; the scheduler config, when present, gives
the β schedule and the prediction type, else DDPM's linear schedule and ε.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engines.device import DeviceLike, as_device
from engines.diffusion.models import VPModel
from engines.diffusion.schedules import VPSchedule, cosine_betas, linear_betas
from engines.errors import InputError

WEIGHT_FILES = ("diffusion_pytorch_model.safetensors", "model.safetensors", "diffusion_pytorch_model.bin",
                "pytorch_model.bin")
MODEL_CLASSES = ("UNet2DModel",)


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not a readable JSON config: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path} is not a JSON object")
    return data


def _schedule(config: dict[str, Any]) -> VPSchedule:
    steps = int(config.get("num_train_timesteps", 1000))
    kind = config.get("beta_schedule", "linear")
    if kind == "linear":
        betas = linear_betas(steps, float(config.get("beta_start", 1e-4)), float(config.get("beta_end", 0.02)))
    elif kind == "scaled_linear":
        betas = np.linspace(float(config.get("beta_start", 1e-4)) ** 0.5, float(config.get("beta_end", 0.02)) ** 0.5, steps) ** 2
    elif kind == "squaredcos_cap_v2":
        betas = cosine_betas(steps)
    else:
        raise InputError(f"unsupported beta_schedule {kind!r} in the scheduler config")
    return VPSchedule.from_betas(betas, kind)


def load_diffusers_folder(folder: str | Path, device: DeviceLike = "cpu") -> tuple[VPModel, dict[str, Any]]:
    folder = Path(folder)
    device = as_device(device)
    try:
        import diffusers
    except ImportError as exc:
        raise InputError("loading a diffusers model folder needs the diffusers package (pip install diffusers)") from exc
    from engines.checkpoints import match_state_dict, read_tensors

    model_dir = folder / "unet" if (folder / "unet" / "config.json").is_file() else folder
    if not (model_dir / "config.json").is_file():
        raise InputError(f"{folder} is not a diffusers model folder (no config.json)")
    config = _json(model_dir / "config.json")
    cls_name = config.get("_class_name", "UNet2DModel")
    if cls_name not in MODEL_CLASSES:
        raise InputError(f"{folder.name}: a {cls_name} cannot be sampled here; supported: {', '.join(MODEL_CLASSES)}")
    weights = next((model_dir / n for n in WEIGHT_FILES if (model_dir / n).is_file()), None)
    if weights is None:
        raise InputError(f"{model_dir} has no weights file ({', '.join(WEIGHT_FILES)})")
    try:
        net = getattr(diffusers, cls_name).from_config(config)
    except Exception as exc:  # noqa: BLE001 - diffusers raises many kinds for a bad config
        raise InputError(f"{folder.name}: cannot build {cls_name} from its config: {exc}") from exc
    net.load_state_dict(match_state_dict(net, read_tensors(weights), weights.name))
    sched_file = folder / "scheduler" / "scheduler_config.json"
    sched_cfg = _json(sched_file) if sched_file.is_file() else {}
    prediction = sched_cfg.get("prediction_type", "epsilon")

    class _Wrapped(torch.nn.Module):
        def __init__(self, unet):
            super().__init__()
            self.unet = unet

        def forward(self, x, t):
            t = torch.as_tensor(t, dtype=x.dtype, device=x.device)
            return self.unet(x, t.expand(x.shape[0]) if t.ndim == 0 else t).sample

    size = config.get("sample_size", 32)
    size = (size, size) if isinstance(size, int) else tuple(size)
    shape = (int(config.get("in_channels", 3)), *map(int, size))
    model = VPModel(_Wrapped(net.to(device).eval()), _schedule(sched_cfg), prediction, shape)
    info = {"class": cls_name, "prediction": prediction, "schedule": model.schedule.name, "shape": list(shape)}
    model.config = info
    return model, info
