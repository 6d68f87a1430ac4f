"""The latent panel's models in the optimizer's Real-network mode (loss landscapes, Li et al. 2018).

:func:`register` adds to a landscape registry (:mod:`engines.landscape.registry`, which imports none of
its providers; :mod:`tasks.landscape` composes them):

- architectures ``latent_vae``, ``latent_conv_vae``, ``latent_cluster_vae``, ``latent_nice``: the latent
  models with the same parameter names as their checkpoints, whose ``forward(x, noise)`` returns the
  per-item objective, so the batched landscape code (``functional_call`` + ``vmap``) evaluates them
  like any other network;
- datasets ``latent_elbo`` (inputs: the items and FIXED standard-normal reparameterisation noise, one
  row per item, drawn from ``noise_seed``: the negative ELBO becomes a deterministic function of the
  weights) and ``latent_flow`` (inputs: the items and the dequantisation offset, the bin centre 0.5 by
  default as the latent panel evaluates, or fixed uniform noise); loss = the mean of the model output:
  negative ELBO in nats per item, or the flow's negative log-likelihood in bits per dimension;
- the checkpoint format ``workbench-latent`` (``NAME.safetensors`` + ``NAME.json``), opened through
  :func:`engines.latent.checkpoint.load_checkpoint` (hash and config checks) with its recorded data set.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from engines.errors import InputError
from engines.latent.checkpoint import FORMAT, load_checkpoint
from engines.latent.catalogue import MODELS
from engines.latent.config import ModelConfig
from engines.latent.data import DataSpec, load_data
from engines.latent.models import NICE, VAE, ClusterVAE, ConvVAE, gaussian_kl
from engines.landscape.registry import CheckpointFormat, Entry, OpenedNetwork, Registry, Split, Task

ELBO_DATASET = "latent_elbo"
FLOW_DATASET = "latent_flow"


def _elbo_items(model: VAE, x: Tensor, eps: Tensor) -> Tensor:
    """Per-item negative ELBO (nats) with the given standard-normal noise: ``losses(x)["total"]`` of
    the latent engine, with ``torch.randn_like`` replaced by ``eps`` (vmap forbids drawing noise)."""
    mean, logvar = model.encode(x)
    z = mean + eps * (0.5 * logvar).exp()
    recon = model.reconstruction_nll(model.decoder_output(z), x)
    if isinstance(model, ClusterVAE):
        p = model.cluster_probs(z)
        diff = mean[:, None, :] - model.means[None]
        kl_each = 0.5 * (diff.pow(2) + logvar.exp()[:, None] - 1.0 - logvar[:, None]).sum(-1)
        kl = (p * kl_each).sum(-1) + (p * torch.log(p + 1e-12)).sum(-1) + math.log(model.config.clusters)
    else:
        kl = gaussian_kl(mean, logvar)
    return recon + kl


class VAEObjective(VAE):
    def forward(self, x: Tensor, eps: Tensor) -> Tensor:
        return _elbo_items(self, x, eps)


class ConvVAEObjective(ConvVAE):
    def forward(self, x: Tensor, eps: Tensor) -> Tensor:
        return _elbo_items(self, x, eps)


class ClusterVAEObjective(ClusterVAE):
    def forward(self, x: Tensor, eps: Tensor) -> Tensor:
        return _elbo_items(self, x, eps)


class NICEObjective(NICE):
    """Per-item negative log-likelihood in bits per dimension, given the dequantisation offsets ``u``.

    The coupling layers are applied out of place (strided slices instead of the engine's in-place
    indexed assignment) so that vmap over batched weights works; the numbers equal ``losses(x)`` of the
    latent engine."""

    def forward(self, x: Tensor, u: Tensor) -> Tensor:
        y = x.flatten(1)
        if self.config.is_image:
            levels = self.config.levels
            y = (y * (levels - 1) + u.flatten(1)) / levels - 0.5
        for layer in self.couplings:  # keep / change: the even / odd coordinates (swapped when flipped)
            even, odd = y[..., 0::2], y[..., 1::2]
            if layer.flip:
                even = even + layer.m(odd)
            else:
                odd = odd + layer.m(even)
            pairs = torch.stack([even[..., :odd.shape[-1]], odd], dim=-1).flatten(-2)
            y = torch.cat([pairs, even[..., odd.shape[-1]:]], dim=-1)  # odd sizes: the last even one
        z = y * self.log_scale.exp()
        log_prob = -0.5 * (z.pow(2).sum(-1) + z.shape[-1] * math.log(2 * math.pi)) + self.log_scale.sum()
        return self.bits_per_dim(-log_prob)


OBJECTIVES = {"vae": VAEObjective, "conv-vae": ConvVAEObjective, "cluster-vae": ClusterVAEObjective,
              "nice": NICEObjective}
ARCHITECTURE_OF_KIND = {"vae": "latent_vae", "conv-vae": "latent_conv_vae", "cluster-vae": "latent_cluster_vae",
                        "nice": "latent_nice"}
LOSS_NAMES = {ELBO_DATASET: "negative ELBO (nats per item)", FLOW_DATASET: "negative log-likelihood (bits/dim)"}


def _model_builder(kind: str):
    def build(config: dict[str, Any]) -> torch.nn.Module:
        cfg = ModelConfig.from_dict({**config, "kind": kind}, f"the {kind} config")
        return OBJECTIVES[kind](cfg)

    return build


def _model_defaults(kind: str) -> dict[str, Any]:
    cfg = ModelConfig(kind=kind, hidden=MODELS[kind].option("hidden").default).as_dict()
    cfg.pop("kind")
    return cfg


_DATA_DEFAULTS: dict[str, Any] = {"data": "digits", "path": None, "labels": None, "size": None, "channels": None}


def _data_spec(config: Mapping[str, Any]) -> DataSpec:
    for key in ("data", "path", "labels"):
        if config[key] is not None and not isinstance(config[key], str):
            raise InputError(f"the data set's {key!r} must be a string, got {config[key]!r}")
    size = config["size"]
    if size is not None and (not isinstance(size, (list, tuple)) or len(size) != 2
                             or not all(isinstance(s, int) and s > 0 for s in size)):
        raise InputError(f"the data set's 'size' must be [height, width], got {size!r}")
    if config["channels"] not in (None, 1, 3):
        raise InputError(f"the data set's 'channels' must be 1 or 3, got {config['channels']!r}")
    return DataSpec(config["data"] or "digits", config["path"], config["labels"],
                    tuple(size) if size else None, config["channels"])


def _seed(config: Mapping[str, Any]) -> int:
    seed = config["noise_seed"]
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"noise_seed must be a non-negative integer, got {seed!r}")
    return seed


def _mean_loss(out: Tensor, _targets: Tensor) -> Tensor:
    return out.mean()


def _elbo_task(config: dict[str, Any]) -> Task:
    data = load_data(_data_spec(config))
    latent = config["latent"]
    if not isinstance(latent, int) or isinstance(latent, bool) or latent < 1:
        raise InputError(f"latent must be a positive integer, got {latent!r}")
    gen = torch.Generator().manual_seed(_seed(config))

    def split(x: Any, y: Any) -> Split:
        x = torch.as_tensor(x, dtype=torch.float32)
        return Split((x, torch.randn(len(x), latent, generator=gen)), torch.as_tensor(y, dtype=torch.long))

    return Task(f"{data.name} (negative ELBO, fixed noise seed {config['noise_seed']})",
                split(data.train_x, data.train_y), split(data.test_x, data.test_y), _mean_loss)


def _flow_task(config: dict[str, Any]) -> Task:
    data = load_data(_data_spec(config))
    if config["dequantize"] not in ("centre", "noise"):
        raise InputError(f"dequantize must be 'centre' or 'noise', got {config['dequantize']!r}")
    gen = torch.Generator().manual_seed(_seed(config))

    def split(x: Any, y: Any) -> Split:
        x = torch.as_tensor(x, dtype=torch.float32)
        u = torch.rand(x.shape, generator=gen) if config["dequantize"] == "noise" else torch.full_like(x, 0.5)
        return Split((x, u), torch.as_tensor(y, dtype=torch.long))

    how = "bin centres" if config["dequantize"] == "centre" else f"fixed noise seed {config['noise_seed']}"
    return Task(f"{data.name} (NLL in bits/dim, {how})", split(data.train_x, data.train_y),
                split(data.test_x, data.test_y), _mean_loss)


def open_latent_checkpoint(registry: Registry, path: Path) -> OpenedNetwork:
    """A latent-panel checkpoint as a registered objective network with its recorded data set."""
    ckpt = load_checkpoint(path)  # InputError for a damaged, edited or foreign file
    kind = ckpt.config.kind
    if kind not in ARCHITECTURE_OF_KIND:
        raise InputError(f"{Path(path).name} is a {MODELS[kind].label}, which the loss landscape has no objective for; "
                         f"it opens {', '.join(MODELS[k].label for k in ARCHITECTURE_OF_KIND)}")
    architecture = ARCHITECTURE_OF_KIND[kind]
    arch_config = {k: v for k, v in ckpt.config.as_dict().items() if k != "kind"}
    model = registry.build_model(architecture, arch_config)
    model.load_state_dict(ckpt.model.state_dict())
    model.eval()
    dataset = registry.architecture(architecture).dataset
    recorded = ckpt.info.get("dataset")
    data_config: dict[str, Any] = {}
    if isinstance(recorded, Mapping):
        data_config = {"data": recorded.get("name") or "digits",
                       **{k: recorded.get(k) for k in ("path", "labels", "size", "channels")}}
    if dataset == ELBO_DATASET:
        data_config["latent"] = ckpt.config.latent
    task = registry.load_task(dataset, data_config)
    shape = tuple(task.train.inputs[0].shape[1:])
    if shape != tuple(ckpt.config.data_shape):
        raise InputError(f"{ckpt.name}: the model expects items shaped {list(ckpt.config.data_shape)} but its data set "
                         f"{task.name} has items shaped {list(shape)}")
    label = f"checkpoint {Path(path).name}: {MODELS[kind].label}, {task.name}"
    return OpenedNetwork(model, task, label, architecture, arch_config, dataset, data_config, LOSS_NAMES[dataset])


def register(registry: Registry) -> None:
    """Add the latent models, their two objectives and the latent-panel checkpoint format to ``registry``."""
    for kind, architecture in ARCHITECTURE_OF_KIND.items():
        registry.add_architecture(architecture, Entry(
            _model_builder(kind), _model_defaults(kind), f"latent panel: {MODELS[kind].label} (its training objective)",
            dataset=FLOW_DATASET if kind == "nice" else ELBO_DATASET))
    registry.add_dataset(ELBO_DATASET, Entry(
        _elbo_task, {**_DATA_DEFAULTS, "latent": 16, "noise_seed": 0},
        "latent-panel data with fixed reparameterisation noise; loss: negative ELBO, nats per item"))
    registry.add_dataset(FLOW_DATASET, Entry(
        _flow_task, {**_DATA_DEFAULTS, "dequantize": "centre", "noise_seed": 0},
        "latent-panel data, dequantised at bin centres (or fixed noise); loss: NLL in bits per dimension"))
    registry.add_format(CheckpointFormat(FORMAT, open_latent_checkpoint, "latent-panel checkpoints (VAE, NICE)"))
