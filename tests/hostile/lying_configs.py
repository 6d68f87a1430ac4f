"""Small honest checkpoints whose configs are then edited to claim a huge architecture (4-7 GiB of
parameters) while the weights stay a few kilobytes: the test module and the benchmark both use them.

Each ``write_*`` function writes into ``folder`` and returns the path a user would open; ``CLAIMS`` maps
each kind to that writer and to the loader that opens it."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

HUGE_LATENT = {"kind": "nice", "data_shape": [3, 128, 128], "hidden": 2048, "layers": 16}  # 6.5 GiB
HUGE_DENOISER = {"arch": "mlp", "dim": 2, "width": 1024, "depth": 1024, "emb": 1024}  # 4.0 GiB
HUGE_MLP = {"inputs": 64, "hidden": [32768, 32768], "classes": 10, "activation": "relu"}  # 4.0 GiB
HUGE_UNET = {"block_out_channels": [768, 1536, 1536, 1536], "layers_per_block": 2, "norm_num_groups": 32,
             "down_block_types": ["DownBlock2D"] * 4, "up_block_types": ["UpBlock2D"] * 4}  # about 5 GiB


def _edit_json(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    edit(body)
    path.write_text(json.dumps(body), encoding="utf-8")


def write_latent(folder: Path, model: dict[str, Any] | None = None) -> Path:
    """A 2D-point VAE checkpoint whose NAME.json claims ``model`` (default: :data:`HUGE_LATENT`)."""
    from engines.latent.checkpoint import save_checkpoint
    from engines.latent.config import ModelConfig
    from engines.latent.models import build_model

    config = ModelConfig("vae", (2,), latent=2, hidden=8).validated()
    save_checkpoint(folder / "latent", build_model(config).state_dict(), config)
    json_path = folder / "latent.json"
    _edit_json(json_path, lambda body: body.update(model=dict(model or HUGE_LATENT)))
    return json_path


def write_diffusion(folder: Path, network: dict[str, Any] | None = None) -> Path:
    """A small MLP denoiser checkpoint whose NAME.json claims ``network`` (default: :data:`HUGE_DENOISER`)."""
    from engines.diffusion.checkpoint import save
    from engines.diffusion.networks import MLPDenoiser

    save(folder / "denoiser", MLPDenoiser(dim=2, width=16, depth=2, emb=8), "ddpm")
    json_path = folder / "denoiser.json"
    _edit_json(json_path, lambda body: body.update(network=dict(network or HUGE_DENOISER)))
    return json_path


def write_diffusers(folder: Path, unet: dict[str, Any] | None = None,
                    scheduler: dict[str, Any] | None = None) -> Path:
    """A tiny diffusers UNet2DModel folder whose config.json is updated with ``unet`` (default:
    :data:`HUGE_UNET`) and whose scheduler config is ``scheduler`` (none when None)."""
    import diffusers

    torch.manual_seed(0)
    net = diffusers.UNet2DModel(sample_size=8, in_channels=1, out_channels=1, layers_per_block=1,
                                block_out_channels=(8, 16), norm_num_groups=4,
                                down_block_types=("DownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "UpBlock2D"))
    model = folder / "pipe"
    net.save_pretrained(model / "unet")
    _edit_json(model / "unet" / "config.json", lambda body: body.update(HUGE_UNET if unet is None else unet))
    if scheduler is not None:
        (model / "scheduler").mkdir()
        (model / "scheduler" / "scheduler_config.json").write_text(json.dumps(scheduler), encoding="utf-8")
    return model


def write_run(folder: Path, arch_config: dict[str, Any] | None = None) -> Path:
    """A two-snapshot digits-MLP training run whose config.json claims ``arch_config`` (default:
    :data:`HUGE_MLP`)."""
    from engines.landscape import digits
    from engines.landscape.registry import Registry
    from engines.landscape.runs import save_run
    from engines.landscape.training import TrainingRun

    registry = Registry()
    digits.register(registry)
    config = registry.architecture(digits.ARCHITECTURE).config({"hidden": [4]})
    state = registry.build_model(digits.ARCHITECTURE, config).state_dict()
    curve = np.zeros(2)
    run = TrainingRun(digits.ARCHITECTURE, config, digits.DATASET, {}, "sgd", 2, 8, 0, curve, (0, 2),
                      (state, state), curve, curve, curve)
    save_run(run, folder / "run")
    _edit_json(folder / "run" / "config.json", lambda body: body.update(arch_config=dict(arch_config or HUGE_MLP)))
    return folder / "run"


def forged_npy(shape: tuple[int, ...], dtype: str = "<f8", data: bytes = bytes(32)) -> bytes:
    """The bytes of a .npy whose header claims ``shape`` of ``dtype`` followed by ``data`` alone."""
    import io

    from numpy.lib import format as npy_format

    buffer = io.BytesIO()
    npy_format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": tuple(shape)})
    return buffer.getvalue() + data


def write_forged(path: Path, shape: tuple[int, ...], dtype: str = "<f8", data: bytes = bytes(32)) -> Path:
    """A .npy at ``path`` (or a .npz holding it as x.npy) from :func:`forged_npy`."""
    import zipfile

    body = forged_npy(shape, dtype, data)
    if path.suffix == ".npz":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("x.npy", body)
    else:
        path.write_bytes(body)
    return path


def open_latent(path: Path) -> Any:
    from engines.latent.checkpoint import load_checkpoint
    return load_checkpoint(path)


def open_diffusion(path: Path) -> Any:
    from engines.diffusion.checkpoint import load
    return load(path)


def open_diffusers(path: Path) -> Any:
    from engines.diffusion.diffusers_loader import load_diffusers_folder
    return load_diffusers_folder(path)


def open_run(path: Path) -> Any:
    from engines.landscape.runs import load_run
    from tasks.landscape import registry
    return load_run(registry(), path)


CLAIMS: dict[str, tuple[Callable[[Path], Path], Callable[[Path], Any]]] = {
    "latent sidecar": (write_latent, open_latent),
    "diffusion sidecar": (write_diffusion, open_diffusion),
    "diffusers config.json": (write_diffusers, open_diffusers),
    "training-run config.json": (write_run, open_run),
}
