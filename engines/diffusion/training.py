"""Training objectives, run as a job: DDPM (ε / x0 / v on a linear or cosine ᾱ schedule), EDM
(preconditioned D(x; σ), log-normal σ), flow matching / rectified flow (velocity on straight paths).

``train_job(reporter, data, objective, steps, ...)`` streams :class:`TrainSnapshot` partials (the loss
curve so far and a sample preview from the EMA weights) and returns a :class:`TrainResult`.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
import torch
from torch import nn

from engines.device import DeviceLike, as_device
from engines.diffusion import parameterisation as P
from engines.diffusion.catalogue import OBJECTIVES
from engines.diffusion.data import DiffusionData
from engines.diffusion.history import summarise
from engines.diffusion.models import EDMModel, FlowModel, VPModel
from engines.diffusion.networks import ConvDenoiser, MLPDenoiser
from engines.diffusion.schedules import VPSchedule
from engines.errors import InputError
from engines.threads import BACKWARD_FACTOR, step_threads

EDM_P_MEAN, EDM_P_STD = -1.2, 1.2


@dataclass
class TrainSnapshot:
    step: int
    steps: int
    losses: np.ndarray  # (step,) loss per step
    preview: Optional[np.ndarray] = None  # samples from the EMA weights (model space)
    kind: str = "points"
    result: Optional["TrainResult"] = None  # the EMA weights so far, kept when training is stopped


@dataclass
class TrainResult:
    net: nn.Module
    model: Any  # the Denoiser around the EMA network
    body: dict[str, Any]  # checkpoint config (checkpoint.save's keyword arguments and extra)
    losses: np.ndarray
    seconds: float
    preview: Optional[np.ndarray] = None
    data_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    data_path: Optional[str] = None  # the user's data file (None: a built-in set)
    data_labels: Optional[str] = None  # the label column left out of its points


def default_network(data: DiffusionData, classes: int = 0) -> nn.Module:
    if data.kind == "points":
        return MLPDenoiser(dim=data.shape[0])
    return ConvDenoiser(channels=data.shape[0], classes=classes)


def class_labels(data: DiffusionData, class_dropout: Optional[float]) -> Optional[torch.Tensor]:
    """The training labels for label dropout (None without it); InputError for a set without labels or an
    image model that cannot take them."""
    if class_dropout is None:
        return None
    if data.train_labels is None or data.kind != "images":
        raise InputError(f"--class-dropout needs a labelled image set (digits); {data.name} has no labels")
    if not 0 <= class_dropout < 1:
        raise InputError(f"--class-dropout must be at least 0 and below 1, got {class_dropout:g}")
    return torch.as_tensor(data.train_labels, dtype=torch.long)


def wrap(net: nn.Module, objective: str, prediction: str, schedule: str, shape, sigma_data: float):
    if objective == "ddpm":
        return VPModel(net, VPSchedule.make(schedule), prediction, shape)
    if objective == "edm":
        return EDMModel(net, sigma_data, shape)
    return FlowModel(net, shape)


def loss_fn(objective: str, net: nn.Module, x0: torch.Tensor, g: torch.Generator, *, prediction: str,
            schedule: Optional[VPSchedule], alphas: Optional[torch.Tensor], sigma_data: float,
            eps: Optional[torch.Tensor] = None) -> torch.Tensor:
    """The objective's loss on the batch ``x0``; ``eps`` the noise paired with each row (reflow), else drawn."""
    n = x0.shape[0]
    eps = torch.randn(x0.shape, generator=g, device=x0.device) if eps is None else eps
    view = (n,) + (1,) * (x0.ndim - 1)
    if objective == "ddpm":
        t = torch.randint(schedule.steps, (n,), generator=g, device=x0.device)
        ab = alphas[t].reshape(view)
        a, b = ab.sqrt(), (1 - ab).sqrt()
        out = net(a * x0 + b * eps, t.float())
        return (out - P.target(prediction, x0, eps, a, b)).square().mean()
    if objective == "edm":
        sigma = torch.exp(EDM_P_MEAN + EDM_P_STD * torch.randn(n, generator=g, device=x0.device)).reshape(view)
        sd2 = sigma_data ** 2
        c_skip = sd2 / (sigma ** 2 + sd2)
        c_out = sigma * sigma_data / (sigma ** 2 + sd2).sqrt()
        c_in = 1 / (sigma ** 2 + sd2).sqrt()
        x = x0 + sigma * eps
        out = net(c_in * x, 250.0 * sigma.log().reshape(n))
        return (out - (x0 - c_skip * x) / c_out).square().mean()
    t = torch.rand(n, generator=g, device=x0.device).reshape(view)
    out = net((1 - t) * x0 + t * eps, 1000.0 * t.reshape(n))
    return (out - (eps - x0)).square().mean()


def train_job(reporter, data: DiffusionData, objective: str = "ddpm", steps: int = 3000, *, prediction: str = "eps",
              schedule: str = "linear", batch: int = 512, lr: float = 2e-3, seed: int = 0, device: DeviceLike = "cpu",
              ema: float = 0.995, preview_every: int = 250, preview_n: int = 512, net: Optional[nn.Module] = None,
              class_dropout: Optional[float] = None, noise: Optional[np.ndarray] = None) -> TrainResult:
    """``class_dropout`` P (digits): a class-conditional network whose label is replaced by the null label
    with probability P, one model conditional and unconditional at once (Ho & Salimans 2022). ``noise`` (one
    row per data row): train on these (noise, data) pairs instead of fresh noise (reflow, Liu et al. 2022)."""
    from engines.diffusion.samplers import make_plan

    preview_sampler = OBJECTIVES[objective].preview
    if steps < 1:
        raise InputError(f"--steps must be at least 1, got {steps}")
    prediction = P.canonical(prediction) if objective == "ddpm" else ("x0" if objective == "edm" else "flow")
    dev = as_device(device)
    labels = class_labels(data, class_dropout)
    classes = int(labels.max()) + 1 if labels is not None else 0
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = (net or default_network(data, classes)).to(dev)
    ema_net = type(net)(**{k: v for k, v in net.config.items() if k != "arch"}).to(dev)
    ema_net.load_state_dict(net.state_dict())
    ema_net.eval()
    ema_params, net_params = list(ema_net.parameters()), list(net.parameters())
    x_all = torch.as_tensor(data.train, device=dev)
    noise_all = None if noise is None else torch.as_tensor(noise, device=dev)  # reflow: the noise of each row
    sigma_data = float(x_all.std())
    sched = VPSchedule.make(schedule) if objective == "ddpm" else None
    alphas = torch.as_tensor(sched.alphas_cumprod, dtype=torch.float32, device=dev) if sched else None
    g = torch.Generator(device=dev).manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched_lr = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: min(1.0, (i + 1) / 100) * 0.5 * (1 + math.cos(math.pi * i / steps)))
    losses = np.zeros(steps, np.float32)
    shape = data.shape
    model = wrap(ema_net, objective, prediction, schedule, shape, sigma_data)
    preview = None
    start = time.perf_counter()
    batch = min(batch, len(x_all))

    def result(weights: nn.Module, done: int) -> TrainResult:
        """The run after ``done`` steps: the EMA ``weights`` wrapped as a model, with the checkpoint's config."""
        body = {"objective": objective, "prediction": prediction, "schedule": schedule, "shape": list(shape),
                "sigma_data": sigma_data}
        run = {"steps": done, "batch": batch, "lr": lr, "seed": seed, "ema": ema,
               "final_loss": float(losses[max(0, done - 100):done].mean()), "loss_history": summarise(losses[:done]).to_json()}
        if done < steps:
            run["planned_steps"] = steps
        if labels is not None:
            run["class_dropout"] = class_dropout
        wrapped = wrap(weights, objective, prediction, schedule, shape, sigma_data)
        wrapped.config = {**body, "dataset": data.name}
        extra = {"dataset": data.name, "train": run, **({"split": data.split} if data.split else {})}
        return TrainResult(weights, wrapped, body, losses[:done].copy(), time.perf_counter() - start, preview, data.name,
                           extra, data.path, data.labels)

    def make_preview() -> np.ndarray:
        plan = make_plan(preview_sampler, model, 20)
        gen = torch.Generator(device=dev).manual_seed(seed + 1)
        noise = torch.randn((min(preview_n, 4096),) + shape, generator=gen, device=dev)
        with torch.no_grad():
            return plan.run(model, noise, None, gen).cpu().numpy()

    one = x_all[:1]
    with step_threads(lambda: net(one, torch.zeros(1, device=dev)), BACKWARD_FACTOR * batch, dev):
        for i in range(steps):
            reporter.check()
            idx = torch.randint(len(x_all), (batch,), generator=g, device=dev)
            loss = loss_fn(objective, net if labels is None else _dropped_labels(net, labels, idx, class_dropout, g),
                           x_all[idx], g, prediction=prediction, schedule=sched, alphas=alphas, sigma_data=sigma_data,
                           eps=None if noise_all is None else noise_all[idx])
            if not torch.isfinite(loss):
                raise InputError(f"training diverged at step {i} (loss is {loss.item()}); lower the learning rate")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched_lr.step()
            with torch.no_grad():
                decay = min(ema, (1 + i) / (10 + i))
                torch._foreach_lerp_(ema_params, net_params, 1 - decay)
            losses[i] = loss.item()
            if (i + 1) % preview_every == 0 or i + 1 == steps:
                preview = make_preview()
                so_far = result(copy.deepcopy(ema_net), i + 1)
                reporter.partial(TrainSnapshot(i + 1, steps, losses[: i + 1].copy(), preview, data.kind, so_far))
            if i % 20 == 0:
                reporter.progress((i + 1) / steps, f"training {objective}: step {i + 1}/{steps}, loss {losses[i]:.4f}")
    return result(ema_net, steps)


def _dropped_labels(net: nn.Module, labels: torch.Tensor, idx: torch.Tensor, p: float, g: torch.Generator):
    """``net`` seen as ``f(x, s)`` with the batch's labels, each replaced by the null label with probability p."""
    y = labels.to(idx.device)[idx]
    y = torch.where(torch.rand(len(y), generator=g, device=idx.device) < p, net.classes, y)
    return lambda x, s: net(x, s, y)
