"""Classifier-free guidance (Ho & Salimans 2022, https://arxiv.org/abs/2207.12598) on class-conditional denoisers.

The guided denoiser at scale w mixes the unconditional D_u = E[x0 | x] and conditional D_c = E[x0 | x, c]:

    D̃_w(x) = D_u(x) + w · (D_c(x) − D_u(x))        (the same as ε̃ = ε_u + w · (ε_c − ε_u))

so w = 0 is the unconditional model, w = 1 the conditional one and w > 1 pushes past it (diffusers'
``guidance_scale``). Ho & Salimans write ε̃ = (1 + w′) ε_c − w′ ε_u: their w′ is this w − 1. It is
computed with ``torch.lerp``, exact at both ends, so a sampler on the guided denoiser at w = 0 reproduces
the unconditional sampler bit for bit, and at w = 1 the conditional one. One guided model call evaluates
both denoisers.

Class-conditional models: an exact :class:`~engines.diffusion.mixture.GaussianMixture` whose components
carry class ``labels`` (the conditional is the mixture of class c's components, reweighted), or a network
trained with label dropout (``classes`` > 0: its null label ``classes`` is the unconditional model).
"""
from __future__ import annotations

import copy
from typing import Any, Optional

import numpy as np
import torch
from torch import Tensor, nn

from engines.diffusion.mixture import GaussianMixture
from engines.diffusion.models import Denoiser
from engines.diffusion.sources import REFERENCE_POINTS, Source
from engines.errors import InputError

CONVENTION = "D_u + w (D_c - D_u): w = 0 unconditional, w = 1 conditional (Ho & Salimans' w is this w - 1)"


def class_count(model: Any) -> int:
    """How many classes ``model`` is conditioned on (0: not class-conditional)."""
    if isinstance(model, GaussianMixture):
        return 0 if model.labels is None else int(model.labels.max()) + 1
    return int(getattr(getattr(model, "net", None), "classes", 0) or 0)


def class_names(model: Any) -> list[str]:
    """A name per class: the digit for a digits model, ``class k`` for a mixture."""
    n = class_count(model)
    return [str(k) for k in range(n)] if len(getattr(model, "shape", ())) == 3 else [f"class {k}" for k in range(n)]


def check_class(model: Any, label: int, what: str = "the model") -> None:
    """InputError unless ``label`` is one of the model's classes (naming the range)."""
    n = class_count(model)
    if n == 0:
        raise InputError(f"{what} is not class-conditional: guidance needs a mixture with classes or a model "
                         "trained with --class-dropout")
    if not 0 <= int(label) < n:
        raise InputError(f"--class must be between 0 and {n - 1} for {what} ({n} classes), got {label}")


class LabelledNet(nn.Module):
    """A class-conditional network with its label fixed: ``net(x, s, label)`` seen as ``net(x, s)``."""

    def __init__(self, net: nn.Module, label: Optional[int]) -> None:
        super().__init__()
        self.inner, self.label = net, label
        self.config = net.config

    def forward(self, x: Tensor, s: Tensor | float) -> Tensor:
        return self.inner(x, s, self.label)


def conditioned(model: Any, label: Optional[int]) -> Any:
    """The denoiser E[x0 | x, label] (``label`` None: the unconditional E[x0 | x], ``model`` itself)."""
    if label is None:
        return model
    check_class(model, label)
    if isinstance(model, GaussianMixture):
        keep = np.flatnonzero(model.labels == label)
        part = GaussianMixture(model.means.cpu().numpy()[keep], model.stds.cpu().numpy()[keep],
                               model.log_weights.exp().cpu().double().numpy()[keep], f"{model.name}[{label}]",
                               np.full(len(keep), label))
        part.sigma_min, part.sigma_max, part.rho = model.sigma_min, model.sigma_max, model.rho  # the model's grid
        return part.to(model.device)
    out = copy.copy(model)
    out.net = LabelledNet(model.net, int(label))
    return out


class GuidedDenoiser(Denoiser):
    """Classifier-free guidance of ``model`` towards ``label`` at scale ``scale`` (see the module docstring)."""

    kind = "guided"

    def __init__(self, model: Any, label: int, scale: float) -> None:
        self.model, self.label, self.scale = model, int(label), float(scale)
        self.cond = conditioned(model, self.label)
        for name in ("shape", "sigma_min", "sigma_max", "rho", "schedule", "device"):
            if hasattr(model, name):
                setattr(self, name, getattr(model, name))

    def __call__(self, x: Tensor, a: float, b: float) -> Tensor:
        return torch.lerp(self.model(x, a, b), self.cond(x, a, b), self.scale)

    def to(self, device) -> "GuidedDenoiser":
        self.model, self.cond = self.model.to(device), self.cond.to(device)
        self.device = torch.device(device)
        return self

    def describe(self) -> dict[str, Any]:
        return {**self.model.describe(), "guidance": self.scale, "class": self.label}


def classify(model: Any, samples: np.ndarray) -> np.ndarray:
    """The class of each sample: its nearest component's for a mixture, the digits classifier's for 8×8
    digits (model space, [−1, 1]); −1 for a sample that is not finite."""
    flat = np.asarray(samples, np.float64).reshape(len(samples), -1)
    ok = np.isfinite(flat).all(1)
    out = np.full(len(samples), -1, np.int64)
    if not ok.any():
        return out
    if isinstance(model, GaussianMixture):
        means = model.means.cpu().double().numpy()
        d2 = ((flat[ok, None, :] - means[None]) ** 2).sum(-1)
        out[ok] = model.labels[d2.argmin(1)]
        return out
    from engines.diffusion.data import to_unit
    from engines.diffusion.metrics import digits_classifier

    x = torch.as_tensor(to_unit(np.asarray(samples)[ok]), dtype=torch.float32).reshape(-1, 1, 8, 8)
    with torch.no_grad():
        out[ok] = digits_classifier()(x).argmax(1).numpy()
    return out


def class_fractions(model: Any, samples: np.ndarray) -> np.ndarray:
    """(classes,) the fraction of the samples in each class (see :func:`classify`; non-finite ones in none)."""
    labels = classify(model, samples)
    return np.bincount(labels[labels >= 0], minlength=class_count(model))[: class_count(model)] / max(len(labels), 1)


def conditional_reference(source: Source, label: int, seed: int = 0) -> Optional[np.ndarray]:
    """Samples of the exact conditional distribution of class ``label`` (a mixture), or the held-out data of
    that class (a digits model), to measure guided samples against; None when unknown."""
    model = source.model
    if isinstance(model, GaussianMixture):
        part = conditioned(model, label)
        return part.sample(REFERENCE_POINTS, torch.Generator().manual_seed(12345 + seed)).cpu().numpy()
    if source.description.get("dataset") == "digits":
        from engines.diffusion.data import load_data

        data = load_data("digits")
        return data.heldout[data.heldout_labels == label]
    return None


def guided_source(source: Source, label: int, scale: float, seed: int = 0) -> Source:
    """``source`` guided towards ``label`` at ``scale``, with the class's reference data for the metrics."""
    check_class(source.model, label, source.label)
    name = class_names(source.model)[label]
    return Source(GuidedDenoiser(source.model, label, scale), source.kind, conditional_reference(source, label, seed),
                  {**source.description, "guidance": float(scale), "class": int(label),
                   "label": f"{source.label}, {name}, guidance w = {scale:g}"}, source.data, source.history)
