"""Diffusion checkpoints: safetensors + JSON (engines.checkpoints.files), or a weights-only .pt.

The JSON names the network (``network``: arch and sizes), the objective (ddpm / edm / flow), the
parameterisation and schedule, the sample shape and the data set (a user's file: where it lies and its
sha256, kept out of the weights file, and how its rows were split). A bare .pt/.pth state dict gets its
architecture inferred from tensor shapes and is taken as a DDPM ε-model on the linear schedule.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional

import torch
from torch import nn

from engines.checkpoints import (check_weights_fit, config_source, match_state_dict, planned_model, read_checkpoint,
                                 save_checkpoint, tensor_shapes)
from engines.data.provenance import DATA_KEY
from engines.device import DeviceLike, as_device
from engines.diffusion.catalogue import OBJECTIVES
from engines.diffusion.models import EDMModel, FlowModel, VPModel
from engines.diffusion.networks import build
from engines.diffusion.schedules import VPSchedule
from engines.errors import InputError
from engines.formats import DIFFUSION as FORMAT

VERSION = 1


def save(path: str | Path, net: nn.Module, objective: str, *, prediction: str = "eps", schedule: str = "linear",
         shape=(2,), sigma_data: float = 0.5, extra: Optional[Mapping[str, Any]] = None,
         version: str | None = None) -> dict[str, Any]:
    """Write the network and its config as a checkpoint (``version``: the application's, kept in the JSON)."""
    body = {"format": FORMAT, "version": VERSION, "network": dict(net.config), "objective": objective,
            "prediction": prediction, "schedule": schedule, "shape": list(shape), "sigma_data": sigma_data}
    body.update(dict(extra or {}))
    return save_checkpoint(path, net.state_dict(), body, version=version, json_only=(DATA_KEY,))


def model_from_config(body: Mapping[str, Any], net: nn.Module):
    """Wrap ``net`` as the Denoiser its config describes."""
    objective = body.get("objective", "ddpm")
    shape = tuple(int(v) for v in body.get("shape", [2]))
    info = {k: body[k] for k in ("objective", "prediction", "schedule", "dataset") if k in body}
    if objective == "ddpm":
        return VPModel(net, VPSchedule.make(str(body.get("schedule", "linear"))), str(body.get("prediction", "eps")),
                       shape, info)
    if objective == "edm":
        return EDMModel(net, float(body.get("sigma_data", 0.5)), shape, info)
    if objective == "flow":
        return FlowModel(net, shape, info)
    raise InputError(f"unknown objective {objective!r} in the checkpoint config; expected {', '.join(OBJECTIVES.names)}")


def infer_network(tensors: Mapping[str, torch.Tensor], source: str) -> dict[str, Any]:
    w = tensors.get("inp.weight")
    if w is None:
        raise InputError(f"{source} has no config beside it and is not a Workbench diffusion network (no inp.weight)")
    if w.ndim == 2:
        depth = len({k.split(".")[1] for k in tensors if k.startswith("blocks.")})
        emb = tensors["embed.mlp.0.weight"].shape[1] if "embed.mlp.0.weight" in tensors else 64
        return {"arch": "mlp", "dim": int(w.shape[1]), "width": int(w.shape[0]), "depth": depth, "emb": int(emb)}
    if w.ndim == 4:
        mid = tensors["down.weight"].shape[0] if "down.weight" in tensors else 48
        emb = tensors["embed.mlp.0.weight"].shape[1] if "embed.mlp.0.weight" in tensors else 64
        return {"arch": "conv", "channels": int(w.shape[1]), "base": int(w.shape[0]), "mid": int(mid), "emb": int(emb)}
    raise InputError(f"{source}: cannot tell the architecture from inp.weight of shape {tuple(w.shape)}")


def load(path: str | Path, device: DeviceLike = "cpu"):
    """(Denoiser, JSON body, sha256) of a checkpoint file or an exported program (.pt2) with its manifest;
    InputError naming any problem."""
    from engines.exported.manifest import is_exported

    if is_exported(path):
        from engines.exported.diffusion import load_denoiser

        return load_denoiser(path, device)
    device = as_device(device)
    tensors, body, digest, weights = read_checkpoint(path, FORMAT)
    described_by = config_source(path, weights)
    if body is None:
        body = {"network": infer_network(tensors, weights.name), "objective": "ddpm", "inferred": True}
        net_cfg = body["network"]
        body["shape"] = [net_cfg["dim"]] if net_cfg["arch"] == "mlp" else [net_cfg["channels"], 8, 8]
        described_by = f"the architecture inferred from {weights.name}"
    if not isinstance(body.get("network"), dict):
        raise InputError(f"{weights.name}: its config does not describe the network ('network' is missing)")
    shape = body.get("shape")
    if not (isinstance(shape, list) and 1 <= len(shape) <= 3 and all(isinstance(v, int) and 0 < v <= 256 for v in shape)):
        raise InputError(f"{weights.name}: bad sample shape {shape!r} in its config")
    check_weights_fit(planned_model(lambda: build(body["network"])), tensor_shapes(tensors), described_by, weights.name)
    net = build(body["network"])
    matched = match_state_dict(net, tensors, weights.name)
    bad = [k for k, v in matched.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if bad:
        raise InputError(f"{weights.name} holds NaN or infinite weights in {', '.join(bad[:6])}")
    net.load_state_dict(matched)
    model = model_from_config(body, net.to(device))
    model.device = device
    return model, body, digest
