"""Training runs on disk: a folder of safetensors files (the loss curves, one file per snapshot) and a
``config.json`` with a content hash over everything, so an edited, swapped or damaged file is refused."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save_file
from torch import Tensor

from engines.checkpoints import (check_weights_fit, header_shapes, match_state_dict, planned_model, read_header,
                                 read_json_config, read_safetensors)
from engines.errors import InputError
from engines.formats import CONFIG
from engines.formats import TRAINING_RUN as RUN_FORMAT
from engines.landscape.registry import Registry
from engines.landscape.training import TrainingRun
from engines.optim.spec import parse_spec

PathLike = str | Path
RUN_VERSION = 1
CURVES = "curves.safetensors"
SNAPSHOTS = "snapshot_*.safetensors"  # the names of _snapshot_name


def save_run(run: TrainingRun, folder: PathLike) -> Path:
    """Write ``config.json``, ``curves.safetensors`` and one ``snapshot_NNNN.safetensors`` per snapshot, as a
    set: they replace an older run in ``folder`` together (its extra snapshots removed), or not at all."""
    from engines.export.staging import create_folder, staged_outputs

    folder = create_folder(folder, "training-run folder")
    curves = _curves(run)
    config = {
        "format": RUN_FORMAT, "version": RUN_VERSION,
        "architecture": run.architecture, "arch_config": run.arch_config,
        "dataset": run.dataset, "dataset_config": run.dataset_config,
        "optimizer": run.optimizer, "steps": run.steps, "batch_size": run.batch_size, "seed": run.seed,
        "snapshot_steps": list(run.snapshot_steps),
    }
    config["content_hash"] = _content_hash(config, curves, run.snapshots)
    with staged_outputs(folder, obsolete=[p.name for p in folder.glob(SNAPSHOTS)]) as stage:
        save_file(curves, str(stage / CURVES))
        for i, snap in enumerate(run.snapshots):
            save_file({k: v.contiguous() for k, v in snap.items()}, str(stage / _snapshot_name(i)))
        (stage / CONFIG).write_text(json.dumps(config, indent=2), encoding="utf-8")
    return folder


def load_run(registry: Registry, folder: PathLike) -> TrainingRun:
    """Read a folder written by :func:`save_run`; InputError for anything missing, damaged, edited
    (content hash) or not matching the recorded architecture (looked up in ``registry``).

    No model is built here: the architecture is planned on the meta device and every snapshot's header is
    checked against it, and all snapshots together against the memory budget, before any is read."""
    folder = Path(folder)
    config = _read_config(folder / CONFIG)
    snap_steps = config["snapshot_steps"]
    model = planned_model(lambda: registry.build_model(config["architecture"], config["arch_config"]))
    registry.dataset(config["dataset"]).config(config["dataset_config"])
    parse_spec(config["optimizer"])
    names = [_snapshot_name(i) for i in range(len(snap_steps))]
    for name in names:
        check_weights_fit(model, header_shapes(read_header(folder / name)), CONFIG, name, copies=len(names))
    curves = read_safetensors(folder / CURVES)
    snapshots = tuple(match_state_dict(model, read_safetensors(folder / name), name) for name in names)
    for key, length in (("losses", config["steps"]), ("train_loss", len(snap_steps)),
                        ("test_loss", len(snap_steps)), ("test_metric", len(snap_steps))):
        if key not in curves or tuple(curves[key].shape) != (length,):
            raise InputError(f"{CURVES}: {key!r} is missing or does not have length {length}")
    if _content_hash(config, curves, snapshots) != config["content_hash"]:
        raise InputError(f"{folder.name}: content hash mismatch (files were edited, swapped or damaged)")
    arrays = {k: curves[k].double().numpy() for k in ("losses", "train_loss", "test_loss", "test_metric")}
    return TrainingRun(
        config["architecture"], config["arch_config"], config["dataset"], config["dataset_config"],
        config["optimizer"], config["steps"], config["batch_size"], config["seed"], arrays["losses"],
        tuple(snap_steps), snapshots, arrays["train_loss"], arrays["test_loss"], arrays["test_metric"])


def _snapshot_name(i: int) -> str:
    return f"snapshot_{i:04d}.safetensors"


def _curves(run: TrainingRun) -> dict[str, Tensor]:
    return {k: torch.tensor(np.asarray(v, dtype=np.float64))
            for k, v in (("losses", run.losses), ("train_loss", run.train_loss),
                         ("test_loss", run.test_loss), ("test_metric", run.test_metric))}


_FIELDS: dict[str, type] = {
    "architecture": str, "arch_config": dict, "dataset": str, "dataset_config": dict, "optimizer": str,
    "steps": int, "batch_size": int, "seed": int, "snapshot_steps": list, "content_hash": str,
}


def _read_config(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise InputError(f"{path.parent} is not a saved training run (no {path.name})")
    config = read_json_config(path)
    if config.get("format") != RUN_FORMAT:
        raise InputError(f"{path} is not a training-run config (format is not {RUN_FORMAT!r})")
    if config.get("version") != RUN_VERSION:
        raise InputError(f"{path}: unsupported training-run version {config.get('version')!r}")
    for key, kind in _FIELDS.items():
        if not isinstance(config.get(key), kind) or (kind is int and isinstance(config[key], bool)):
            raise InputError(f"{path}: field {key!r} is missing or not a {kind.__name__}")
    if not all(isinstance(s, int) for s in config["snapshot_steps"]):
        raise InputError(f"{path}: snapshot_steps must be a list of integers")
    return config


def _content_hash(config: Mapping[str, Any], curves: Mapping[str, Tensor],
                  snapshots: tuple[dict[str, Tensor], ...]) -> str:
    """sha256 over the canonical config (without the hash) and every tensor's name, dtype, shape, bytes."""
    h = hashlib.sha256()
    body = {k: v for k, v in config.items() if k != "content_hash"}
    h.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    for tensors in (curves, *snapshots):
        for name in sorted(tensors):
            t = tensors[name].detach().cpu().contiguous()
            h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
            h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()
