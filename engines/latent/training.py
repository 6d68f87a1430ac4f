"""Training as a job: streams loss curves, a sample grid and the latest good weights; stops cleanly.

A cancelled run leaves its last streamed :class:`TrainSnapshot` (with ``state``) as the result to keep;
a run whose loss turns non-finite stops and returns the last good weights.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, Optional

import numpy as np
import torch

from engines import budget
from engines.checkpoints.plan import planned_model
from engines.device import DeviceLike, as_device
from engines.jobs import Throttle
from engines.latent.config import History, ModelConfig, TrainConfig
from engines.latent.data import DataSpec, LatentData, load_data, to_display
from engines.latent.models import LatentModel, build_model
from engines.threads import BACKWARD_FACTOR, step_threads

SAMPLE_GRID = 64
SAMPLE_POINTS = 1000
PARTIAL_INTERVAL_S = 0.5


@dataclass
class TrainSnapshot:
    """The state of a run: usable on its own (the panel keeps the latest one)."""

    config: ModelConfig
    train: TrainConfig
    data: DataSpec
    history: History
    epoch: int
    step: int
    samples: np.ndarray  # (S, H, W, C) images in [0, 1] or (S, D) points
    state: dict[str, np.ndarray]  # copy of the weights at this point (numpy: crosses process boundaries safely)
    seconds: float
    metrics: dict[str, float] = field(default_factory=dict)
    finished: bool = False
    note: str = ""


def fit_config(config: ModelConfig, data: LatentData) -> ModelConfig:
    """``config`` with the data's shape and pixel levels."""
    return replace(config, data_shape=tuple(int(s) for s in data.data_shape), levels=max(2, data.levels or 2)).validated()


def _state(model: torch.nn.Module) -> dict[str, np.ndarray]:
    """A numpy copy of the weights. Not tensors: torch pickles tensors for another process through shared
    file descriptors that vanish when a finished job's process exits before the GUI reads the result."""
    return {k: v.detach().to("cpu").numpy().copy() for k, v in model.state_dict().items()}


@torch.no_grad()
def draw_samples(model: LatentModel, seed: int = 1234, count: Optional[int] = None, temperature: float = 1.0,
                 relaxation: float = 0.0) -> np.ndarray:
    """Samples from fixed prior noise (so a grid refreshed during training changes only with the model);
    categorical latents are drawn relaxed at the Gumbel-softmax temperature ``relaxation`` (0: one-hot)."""
    was = model.training
    model.eval()
    count = count or (SAMPLE_GRID if model.config.is_image else SAMPLE_POINTS)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    p = next(model.parameters())
    z = torch.randn(count, model.latent_size, generator=gen, dtype=p.dtype).to(p.device) * temperature
    if hasattr(model, "prior_codes"):  # categorical latents: one-hot codes from their uniform prior
        z = model.prior_codes(count, gen, relaxation)
    if model.config.has_clusters:
        ys = torch.arange(count, device=p.device) % model.config.clusters
        z = model.means[ys] + z
    out = model.decode(z).float().cpu().numpy()
    model.train(was)
    return to_display(out)


@torch.no_grad()
def evaluate(model: LatentModel, data: LatentData, seed: int = 0) -> dict[str, float]:
    """Held-out numbers: negative ELBO (VAEs) or NLL and bits/dim (flow), reconstruction error against the
    per-pixel mean image, cluster purity for the clustering VAE."""
    was = model.training
    model.eval()
    p = next(model.parameters())
    x = torch.from_numpy(data.test_x).to(p.device, p.dtype)
    out: dict[str, float] = {}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        terms = [model.losses(chunk) for chunk in x.split(512)]
    sizes = [len(c) for c in x.split(512)]
    for key in terms[0]:
        if key != "objective":
            out[f"test_{key}"] = float(sum(t[key].item() * n for t, n in zip(terms, sizes)) / len(x))
    if model.config.is_flow:
        out["test_bits_per_dim"] = out.pop("test_bpd")  # of the discrete pixels: test_total is a density's
    out["test_discrete"] = model.discrete_nats(out["test_total"])  # −ELBO or NLL of the discrete pixels, nats
    recon = torch.cat([model.reconstruct(c) for c in x.split(512)])
    out["test_recon_mse"] = float((recon - x).pow(2).mean())
    mean_image = torch.from_numpy(data.train_x.mean(axis=0)).to(p.device, p.dtype)
    out["mean_image_mse"] = float((mean_image - x).pow(2).mean())
    if model.config.has_clusters and data.has_labels:
        clusters = torch.cat([model.clusters(c) for c in x.split(512)]).cpu().numpy()
        out["test_purity"] = cluster_purity(clusters, data.test_y)
    model.train(was)
    return out


def cluster_purity(clusters: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of items whose label is the majority label of their cluster."""
    keep = labels >= 0
    clusters, labels = clusters[keep], labels[keep]
    if len(labels) == 0:
        return float("nan")
    hits = 0
    for c in np.unique(clusters):
        hits += np.bincount(labels[clusters == c]).max()
    return float(hits / len(labels))


def train_job(reporter, config: ModelConfig, train: Optional[TrainConfig] = None, data: Optional[DataSpec] = None,
              device: DeviceLike = "cpu", init_state: Optional[dict[str, torch.Tensor]] = None) -> TrainSnapshot:
    """Job: train ``config`` on ``data`` on ``device`` (a torch.device or a preference such as "cpu");
    streams :class:`TrainSnapshot` partials, returns the final one. Torch gets the threads a step's FLOPs
    are worth (engines.threads)."""

    train = (train or TrainConfig()).validated()
    data = data or DataSpec()
    return _train(reporter, config, train, data, device, init_state)


def check_training_fits(config: ModelConfig) -> None:
    """InputError, before any weight is allocated, when training ``config``'s model would hold more than the
    memory budget: its weights, their gradients and Adam's two moments (laid out on the meta device)."""
    planned = planned_model(lambda: build_model(config))
    size = sum(p.numel() * p.element_size() for p in planned.parameters())
    count = sum(p.numel() for p in planned.parameters())
    budget.check(f"training a {config.title} of {count:,} parameters (weights, gradients and Adam's two "
                 "moments)", 4 * size)


def _train(reporter, config: ModelConfig, train: TrainConfig, data: DataSpec, device: DeviceLike,
           init_state: Optional[dict[str, torch.Tensor]]) -> TrainSnapshot:
    reporter.progress(None, f"loading {data.describe()}")
    dataset = load_data(data)
    config = fit_config(config, dataset)
    dev = as_device(device)
    check_training_fits(config)
    torch.manual_seed(train.seed)
    np_rng = np.random.default_rng(train.seed)
    model = build_model(config).to(dev)
    if init_state is not None:
        from engines.latent.checkpoint import load_state

        load_state(model, init_state, "the starting weights")
    elif config.is_flow:
        init_flow_scale(model, dataset)
    opt = torch.optim.Adam(model.parameters(), lr=train.lr)
    x_all = torch.from_numpy(dataset.train_x).to(dev)
    n = len(x_all)
    batch = min(train.batch_size, n)
    steps_per_epoch = max(1, n // batch)
    total_steps = steps_per_epoch * train.epochs
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=train.lr, total_steps=total_steps, pct_start=0.1,
                                                anneal_strategy="cos", div_factor=10.0, final_div_factor=20.0)
    history = History()
    good_state = _state(model)
    start = time.monotonic()
    throttle = Throttle(PARTIAL_INTERVAL_S)
    step = 0
    note = ""

    def snapshot(epoch: int, finished: bool = False, metrics: Optional[dict] = None) -> TrainSnapshot:
        return TrainSnapshot(config, train, data, history.copy(), epoch, step, draw_samples(model), good_state,
                             time.monotonic() - start, metrics or {}, finished, note)

    with step_threads(lambda: model.losses(x_all[:1], kl_weight=1.0), BACKWARD_FACTOR * batch, dev):
        for epoch in range(1, train.epochs + 1):
            model.train()
            kl_weight = 1.0 if train.kl_warmup <= 0 else min(1.0, 0.1 + 0.9 * (epoch - 1) / train.kl_warmup)
            order = torch.from_numpy(np_rng.permutation(n)).to(dev)
            sums: dict[str, float] = {}
            for b in range(steps_per_epoch):
                xb = x_all[order[b * batch:(b + 1) * batch]]
                terms = model.losses(xb, kl_weight=kl_weight)
                opt.zero_grad(set_to_none=True)
                terms["objective"].backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 100.0)
                opt.step()
                sched.step()
                step += 1
                for k, v in terms.items():
                    sums[k] = sums.get(k, 0.0) + float(v.detach())
                reporter.check()
            means = {k: v / steps_per_epoch for k, v in sums.items()}
            if not all(math.isfinite(v) for v in means.values()):
                model.load_state_dict({k: torch.from_numpy(v) for k, v in good_state.items()})
                note = f"stopped at epoch {epoch}: the loss became non-finite; kept the weights of epoch {epoch - 1}"
                break
            good_state = _state(model)
            history.epoch.append(epoch)
            history.step.append(step)
            history.total.append(means["total"])
            history.recon.append(means.get("recon", math.nan))
            history.kl.append(means.get("kl", math.nan))
            history.bpd.append(means.get("bpd", math.nan))
            held = evaluate_quick(model, dataset)
            history.test_total.append(held)
            elapsed = time.monotonic() - start
            label = "bits/dim" if config.is_flow else "-ELBO"
            value = means.get("bpd", means["total"])
            reporter.progress(epoch / train.epochs, f"epoch {epoch}/{train.epochs}, {label} {value:.3f}")
            if throttle() or epoch == train.epochs:
                reporter.partial(snapshot(epoch))
            if train.max_seconds is not None and elapsed > train.max_seconds:
                note = f"stopped after {elapsed:.0f} s (time limit), at epoch {epoch}"
                break
        metrics = evaluate(model, dataset)
        metrics["train_seconds"] = time.monotonic() - start
        metrics["epochs"] = history.epoch[-1] if history.epoch else 0
        metrics["steps"] = step
        return snapshot(metrics["epochs"], finished=True, metrics=metrics)


@torch.no_grad()
def init_flow_scale(model: LatentModel, data: LatentData) -> None:
    """Data-dependent start for the flow's diagonal scaling (the couplings start as the identity): scale each
    dimension to unit variance, so the first steps are not spent growing the scale of near-constant pixels."""
    p = next(model.parameters())
    x = torch.from_numpy(data.train_x).to(p.device, p.dtype)
    y = model._to_flow(x, noise=True)
    h = model.forward_flow(y) * (-model.log_scale).exp()
    model.log_scale.copy_(-torch.log(h.std(0).clamp_min(1e-3)))


@torch.no_grad()
def evaluate_quick(model: LatentModel, data: LatentData, limit: int = 512) -> float:
    """Held-out total loss on (at most) ``limit`` test items, with fixed noise."""
    was = model.training
    model.eval()
    p = next(model.parameters())
    x = torch.from_numpy(data.test_x[:limit]).to(p.device, p.dtype)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        terms = model.losses(x)
    model.train(was)
    return float(terms["bpd"] if "bpd" in terms else terms["total"])


def summary(snapshot: TrainSnapshot) -> dict[str, Any]:
    """The JSON-able parts of a run for a checkpoint's config."""
    return {"epochs": snapshot.epoch, "steps": snapshot.step, "seconds": round(snapshot.seconds, 2),
            "metrics": snapshot.metrics, "note": snapshot.note}
