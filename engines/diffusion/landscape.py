"""The diffusion panel's denoisers in the optimizer's Real-network mode (loss landscapes, Li et al. 2018).

:func:`register` adds to a landscape registry (:mod:`engines.landscape.registry`, which imports none of
its providers; :mod:`tasks.landscape` composes them):

- architectures ``diffusion_mlp`` and ``diffusion_conv``: the raw denoising networks of
  :mod:`engines.diffusion.networks` (``net(x, s)``), with the parameter names of their checkpoints;
- datasets ``diffusion_points`` (default: moons) and ``diffusion_images`` (default: digits), the same
  builder with different defaults: the model's own training objective of
  :func:`engines.diffusion.training.loss_fn` (DDPM ε / x0 / v-MSE on a linear or cosine ᾱ schedule, EDM's
  preconditioned x0-MSE with log-normal σ, or flow matching's velocity MSE) made DETERMINISTIC: every item
  gets a fixed noise ε and a fixed t / σ drawn from ``noise_seed`` in the order the training step draws
  them (ε, then t or σ). The inputs are the network's noised input and network time, the targets its
  training target, the loss the mean squared error: so a landscape is a plain ``functional_call`` +
  ``vmap`` over the network;
- the checkpoint format ``workbench-diffusion`` (``NAME.safetensors`` + ``NAME.json``), opened through
  :func:`engines.diffusion.checkpoint.load` (hash and config checks) with its recorded objective and data.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from engines.diffusion import parameterisation as P
from engines.diffusion.catalogue import OBJECTIVES, VP_SCHEDULES
from engines.diffusion.checkpoint import FORMAT, load
from engines.diffusion.data import load_data
from engines.diffusion.networks import ARCHS, build
from engines.diffusion.schedules import VPSchedule
from engines.diffusion.training import EDM_P_MEAN, EDM_P_STD
from engines.errors import InputError
from engines.landscape.registry import CheckpointFormat, Entry, OpenedNetwork, Registry, Split, Task

POINTS_DATASET = "diffusion_points"
IMAGES_DATASET = "diffusion_images"
ARCHITECTURE_OF_ARCH = {"mlp": "diffusion_mlp", "conv": "diffusion_conv"}


def loss_name(objective: str, prediction: str = "eps") -> str:
    if objective == "ddpm":
        return f"DDPM {prediction}-prediction MSE (training loss)"
    if objective == "edm":
        return "EDM preconditioned denoising MSE (training loss)"
    return "flow-matching velocity MSE (training loss)"


def objective_split(x0: Tensor, gen: torch.Generator, objective: str, *, prediction: str = "eps",
                    schedule: str = "linear", sigma_data: float = 0.5) -> Split:
    """The network's inputs ``(x, s)`` and training target for every item of ``x0``, with the noise and
    t / σ drawn from ``gen`` exactly as :func:`engines.diffusion.training.loss_fn` draws them (float32)."""
    n = x0.shape[0]
    eps = torch.randn(x0.shape, generator=gen)
    view = (n,) + (1,) * (x0.ndim - 1)
    if objective == "ddpm":
        sched = VPSchedule.make(schedule)
        alphas = torch.as_tensor(sched.alphas_cumprod, dtype=torch.float32)
        t = torch.randint(sched.steps, (n,), generator=gen)
        ab = alphas[t].reshape(view)
        a, b = ab.sqrt(), (1 - ab).sqrt()
        return Split((a * x0 + b * eps, t.float()), P.target(prediction, x0, eps, a, b))
    if objective == "edm":
        sigma = torch.exp(EDM_P_MEAN + EDM_P_STD * torch.randn(n, generator=gen)).reshape(view)
        sd2 = sigma_data ** 2
        c_skip = sd2 / (sigma ** 2 + sd2)
        c_out = sigma * sigma_data / (sigma ** 2 + sd2).sqrt()
        c_in = 1 / (sigma ** 2 + sd2).sqrt()
        x = x0 + sigma * eps
        return Split((c_in * x, 250.0 * sigma.log().reshape(n)), (x0 - c_skip * x) / c_out)
    t = torch.rand(n, generator=gen).reshape(view)
    return Split(((1 - t) * x0 + t * eps, 1000.0 * t.reshape(n)), eps - x0)


def _mse(out: Tensor, targets: Tensor) -> Tensor:
    """The training loss: the mean over every element (equal-sized items: the mean of per-item means)."""
    return (out - targets).square().mean()


def _architecture_builder(arch: str):
    def build_net(config: dict[str, Any]) -> nn.Module:
        return build({"arch": arch, **config})

    return build_net


def _architecture_defaults(arch: str) -> dict[str, Any]:
    return {k: v for k, v in ARCHS[arch]().config.items() if k != "arch"}


def _check_int(config: Mapping[str, Any], key: str) -> int:
    value = config[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(f"{key} must be a non-negative integer, got {value!r}")
    return value


def _objective_task(config: dict[str, Any]) -> Task:
    objective = config["objective"]
    OBJECTIVES[objective]  # InputError naming the known objectives
    if not isinstance(config["data"], str) or not config["data"]:
        raise InputError(f"the data set must be a name or a path, got {config['data']!r}")
    prediction = P.canonical(str(config["prediction"])) if objective == "ddpm" else (
        "x0" if objective == "edm" else "flow")
    if config["schedule"] not in VP_SCHEDULES:
        raise InputError(f"unknown schedule {config['schedule']!r}; choose {' or '.join(VP_SCHEDULES)}")
    seed, data_seed = _check_int(config, "noise_seed"), _check_int(config, "data_seed")
    data = load_data(config["data"], data_seed)
    train_x = torch.as_tensor(np.asarray(data.train, np.float32))
    sigma_data = config["sigma_data"]
    if sigma_data is None:
        sigma_data = float(train_x.std())  # what training uses
    if isinstance(sigma_data, bool) or not isinstance(sigma_data, (int, float)) or not 0 < sigma_data < math.inf:
        raise InputError(f"sigma_data must be a positive number, got {sigma_data!r}")
    gen = torch.Generator().manual_seed(seed)

    def split(x: Tensor) -> Split:
        return objective_split(x, gen, objective, prediction=prediction, schedule=config["schedule"],
                               sigma_data=float(sigma_data))

    train = split(train_x)
    test = split(torch.as_tensor(np.asarray(data.heldout, np.float32)))
    what = {"ddpm": f"DDPM {prediction}, {config['schedule']} schedule", "edm": "EDM", "flow": "flow matching"}
    return Task(f"{data.name} ({what[objective]}, fixed noise seed {seed})", train, test, _mse)


def open_diffusion_checkpoint(registry: Registry, path: Path) -> OpenedNetwork:
    """A diffusion-panel checkpoint as a registered network scored on its own training objective."""
    denoiser, body, _digest = load(path)  # InputError for a damaged, edited or foreign file
    net_config = dict(denoiser.net.config)
    arch = net_config.pop("arch")
    architecture = ARCHITECTURE_OF_ARCH[arch]
    model = registry.build_model(architecture, net_config)
    model.load_state_dict(denoiser.net.state_dict())
    model.eval()
    objective = body.get("objective", "ddpm")
    recorded = body.get("dataset")
    if not isinstance(recorded, str) or not recorded:
        raise InputError(f"{Path(path).name} does not record the data set it was trained on, so its training "
                         "loss cannot be evaluated")
    train = body.get("train") if isinstance(body.get("train"), Mapping) else {}
    data_seed = train.get("seed", 0)
    sigma_data = body.get("sigma_data", 0.5)
    data_config = {"data": recorded, "objective": objective, "prediction": str(body.get("prediction", "eps")),
                   "schedule": str(body.get("schedule", "linear")),
                   "sigma_data": float(sigma_data) if isinstance(sigma_data, (int, float)) else sigma_data,
                   "data_seed": data_seed if isinstance(data_seed, int) else 0}
    dataset = registry.architecture(architecture).dataset
    task = registry.load_task(dataset, data_config)
    shape = tuple(task.train.inputs[0].shape[1:])
    if shape != tuple(denoiser.shape):
        raise InputError(f"{Path(path).name}: the model expects samples shaped {list(denoiser.shape)} but its data "
                         f"set {task.name} has items shaped {list(shape)}")
    prediction = P.canonical(data_config["prediction"]) if objective == "ddpm" else ""
    label = f"checkpoint {Path(path).name}: {task.name}"
    return OpenedNetwork(model, task, label, architecture, net_config, dataset, data_config,
                         loss_name(objective, prediction))


_DATA_DEFAULTS: dict[str, Any] = {"objective": "ddpm", "prediction": "eps", "schedule": "linear", "sigma_data": None,
                                  "noise_seed": 0, "data_seed": 0}


def register(registry: Registry) -> None:
    """Add the denoisers, their objectives and the diffusion-panel checkpoint format to ``registry``."""
    registry.add_architecture("diffusion_mlp", Entry(
        _architecture_builder("mlp"), _architecture_defaults("mlp"),
        "diffusion panel: MLP denoiser for 2D points (scored on its training objective)", dataset=POINTS_DATASET))
    registry.add_architecture("diffusion_conv", Entry(
        _architecture_builder("conv"), _architecture_defaults("conv"),
        "diffusion panel: small U-Net denoiser for 8×8 images (scored on its training objective)",
        dataset=IMAGES_DATASET))
    registry.add_dataset(POINTS_DATASET, Entry(
        _objective_task, {"data": "moons", **_DATA_DEFAULTS},
        "diffusion-panel 2D points; loss: the training objective (DDPM / EDM / flow) with fixed noise and t"))
    registry.add_dataset(IMAGES_DATASET, Entry(
        _objective_task, {"data": "digits", **_DATA_DEFAULTS},
        "diffusion-panel images in [−1, 1]; loss: the training objective (DDPM / EDM / flow) with fixed noise and t"))
    registry.add_format(CheckpointFormat(FORMAT, open_diffusion_checkpoint,
                                         "diffusion-panel checkpoints (DDPM, EDM, flow)"))
