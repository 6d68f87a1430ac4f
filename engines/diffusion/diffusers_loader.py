"""Optional: sample a local diffusers model folder (``config.json`` + weights, e.g. a ``UNet2DModel``).

The network is built from its config with ``from_config`` (no download, no code from the folder) and its
weights are read with the project's safe reader (safetensors, or torch.load(weights_only=True)). A
pipeline folder (``unet/`` + ``scheduler/``) is accepted too; the scheduler config, when present, gives
the β schedule and the prediction type, else DDPM's linear schedule and ε.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from engines.checkpoints import (check_weights_fit, header_shapes, match_state_dict, planned_model, read_header,
                                 read_json_config, read_tensors, tensor_shapes)
from engines.device import DeviceLike, as_device
from engines.diffusion.diffusers_config import scheduler_settings, unet_shape
from engines.diffusion.models import VPModel
from engines.errors import InputError

WEIGHT_FILES = ("diffusion_pytorch_model.safetensors", "model.safetensors", "diffusion_pytorch_model.bin",
                "pytorch_model.bin")
MODEL_CLASSES = ("UNet2DModel",)


def _build(cls: Any, config: dict[str, Any], name: str) -> torch.nn.Module:
    try:
        return cls.from_config(config)
    except Exception as exc:  # noqa: BLE001 - diffusers raises many kinds for a bad config
        raise InputError(f"{name}: cannot build {cls.__name__} from its config: {exc}") from exc


def load_diffusers_folder(folder: str | Path, device: DeviceLike = "cpu") -> tuple[VPModel, dict[str, Any]]:
    """The folder's UNet as a DDPM-family model. Its config is validated, the network it describes is
    planned on the meta device and checked against the weights file's tensor shapes (the safetensors
    header alone) and the memory budget; only then is it built and the weights read."""
    folder = Path(folder)
    device = as_device(device)
    try:
        import diffusers
    except ImportError as exc:
        raise InputError("loading a diffusers model folder needs the diffusers package (pip install diffusers)") from exc

    model_dir = folder / "unet" if (folder / "unet" / "config.json").exists() else folder
    config_file = model_dir / "config.json"
    if not config_file.exists():
        raise InputError(f"{folder} is not a diffusers model folder (no config.json)")
    config = read_json_config(config_file)
    cls_name = config.get("_class_name", "UNet2DModel")
    if cls_name not in MODEL_CLASSES:
        raise InputError(f"{folder.name}: a {cls_name} cannot be sampled here; supported: {', '.join(MODEL_CLASSES)}")
    described_by = config_file.relative_to(folder).as_posix()
    shape = unet_shape(config, described_by)
    sched_file = folder / "scheduler" / "scheduler_config.json"
    sched_cfg = read_json_config(sched_file) if sched_file.exists() else {}
    schedule, prediction = scheduler_settings(sched_cfg, sched_file.relative_to(folder).as_posix())
    weights = next((model_dir / n for n in WEIGHT_FILES if (model_dir / n).exists()), None)
    if weights is None:
        raise InputError(f"{model_dir} has no weights file ({', '.join(WEIGHT_FILES)})")
    cls = getattr(diffusers, cls_name)
    tensors = None if weights.suffix == ".safetensors" else read_tensors(weights)  # a .bin has no header
    found = header_shapes(read_header(weights)) if tensors is None else tensor_shapes(tensors)
    check_weights_fit(planned_model(lambda: _build(cls, config, folder.name)), found, described_by, weights.name)
    net = _build(cls, config, folder.name)
    net.load_state_dict(match_state_dict(net, read_tensors(weights) if tensors is None else tensors, weights.name))

    class _Wrapped(torch.nn.Module):
        def __init__(self, unet):
            super().__init__()
            self.unet = unet

        def forward(self, x, t):
            t = torch.as_tensor(t, dtype=x.dtype, device=x.device)
            return self.unet(x, t.expand(x.shape[0]) if t.ndim == 0 else t).sample

    model = VPModel(_Wrapped(net.to(device).eval()), schedule, prediction, shape)
    info = {"class": cls_name, "prediction": prediction, "schedule": model.schedule.name, "shape": list(shape)}
    model.config = info
    return model, info
