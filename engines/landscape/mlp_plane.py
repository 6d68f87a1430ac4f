"""A loss plane of a plain MLP evaluated layer by layer for a chunk of grid points at once, without vmap.

For an ``nn.Sequential`` of linear layers, eval-mode BatchNorm1d and elementwise activations on one 2-D
input, every parameter at θ + a·d1 + b·d2 is the product of (1, a, b) with the stacked (θ, d1, d2), so the
K points' weights are one small matrix product per tensor. The first layer's pre-activations are affine in
(a, b) (as in :mod:`engines.landscape.first_layer`): P0 + a·P1 + b·P2, the P_i computed once per data slice
and kept for every chunk (up to :data:`CACHE_BYTES`). Activations are feature-major, (K, features,
samples): each later linear layer is one batched product of the K weight matrices with the K activations,
whose long sample rows suit the matrix kernels better than a classifier's ten logit columns do (the
digits grid 1.4× faster than sample-major), and cross-entropy is taken along the class axis; other losses
see (K, samples, classes) views through ``vmap`` (any mean over the batch).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import vmap

from engines.landscape.digits import cross_entropy
from engines.landscape.registry import Split

ELEMENTWISE = (nn.ReLU, nn.Tanh, nn.GELU, nn.Sigmoid, nn.SiLU, nn.ELU, nn.LeakyReLU, nn.Identity)
CACHE_BYTES = 64 * 2**20  # first-layer products kept across chunks when the whole data's fit in this
CROSS_ENTROPY = (F.cross_entropy, cross_entropy)  # batch-mean cross-entropy losses: see column_cross_entropy_


def plain_mlp(model: nn.Module, data: Split) -> bool:
    """Whether ``model`` is an ``nn.Sequential`` from ``nn.Linear`` to ``nn.Linear`` with only linear
    layers, BatchNorm1d with running statistics, and :data:`ELEMENTWISE` activations between, on one
    input of shape (samples, features)."""
    if not (isinstance(model, nn.Sequential) and len(model) > 1 and len(data.inputs) == 1
            and data.inputs[0].dim() == 2 and type(model[0]) is nn.Linear and type(model[-1]) is nn.Linear):
        return False
    return all(type(m) is nn.Linear or type(m) in ELEMENTWISE
               or (type(m) is nn.BatchNorm1d and m.running_mean is not None and m.running_var is not None)
               for m in model)


class MlpPlane:
    """``self(coords)``: the mean loss over ``data`` at K grid points ``coords`` (K, 2) of the plane
    through ``theta`` along ``d1``, ``d2`` (parameter dicts of ``model``, a :func:`plain_mlp`), float64 (K,)."""

    def __init__(self, model: nn.Sequential, loss_fn: Callable[[Any, Tensor], Tensor], theta: Mapping[str, Tensor],
                 d1: Mapping[str, Tensor], d2: Mapping[str, Tensor], data: Split, data_batch: int) -> None:
        names = list(model._modules)
        self.stacked = {k: torch.stack([v, d1[k], d2[k]]).reshape(3, -1) for k, v in theta.items()}
        self.shapes = {k: v.shape for k, v in theta.items()}
        self.layers = [(name + ".", module) for name, module in zip(names[1:], list(model)[1:])]
        self.first = names[0] + "."
        self.loss = vmap(loss_fn, in_dims=(0, None))
        self.cross_entropy = loss_fn in CROSS_ENTROPY
        self.buffers: dict[int, Tensor] = {}
        self.parts = [data.take(slice(s, s + data_batch)) for s in range(0, len(data), data_batch)]
        self.total = len(data)
        width = 3 * model[0].out_features * len(data) * theta[self.first + "weight"].element_size()
        self.products = [self._products(p.inputs[0]) for p in self.parts] if width <= CACHE_BYTES else None

    @torch.inference_mode()
    def __call__(self, coords: Tensor) -> Tensor:
        weights = torch.cat([torch.ones_like(coords[:, :1]), coords], dim=1)  # (K, 3): 1, a, b
        total = None
        for i, part in enumerate(self.parts):
            products = self.products[i] if self.products is not None else self._products(part.inputs[0])
            value = self._loss(weights.to(products.dtype), products, part.targets).double() * len(part)
            total = value if total is None else total + value
        return total / self.total

    def _products(self, x: Tensor) -> Tensor:
        """(3, features, samples): the first layer at θ, d1 and d2 (bias included), feature-major."""
        weight = self.stacked[self.first + "weight"].view(3, *self.shapes[self.first + "weight"])
        bias = self.stacked.get(self.first + "bias")
        out = weight @ x.T
        return out if bias is None else out + bias[:, :, None]

    def _at(self, weights: Tensor, name: str) -> Tensor:
        """The parameter ``name`` at the K points: (K, *shape)."""
        return (weights @ self.stacked[name]).view(len(weights), *self.shapes[name])

    def _loss(self, weights: Tensor, products: Tensor, targets: Tensor) -> Tensor:
        k, (_, width, samples) = len(weights), products.shape
        h = torch.mm(weights, products.view(3, -1), out=self._buffer(0, (k, width * samples), products))
        h = h.view(k, width, samples)  # one GEMM: P0 + a·P1 + b·P2
        for i, (prefix, module) in enumerate(self.layers, start=1):
            if type(module) is nn.Linear:
                weight = self._at(weights, prefix + "weight")
                out = self._buffer(i, (k, module.out_features, samples), h)
                h = (torch.bmm(weight, h, out=out) if module.bias is None
                     else torch.baddbmm(self._at(weights, prefix + "bias")[:, :, None], weight, h, out=out))
            elif type(module) is nn.BatchNorm1d:
                h = self._batchnorm(weights, prefix, module, h)
            elif type(module) is nn.ReLU:
                h = h.relu_()
            else:
                h = module(h)
        if self.cross_entropy:
            return column_cross_entropy_(h, targets)
        return self.loss(h.transpose(1, 2), targets)

    def _buffer(self, layer: int, shape: tuple[int, ...], like: Tensor) -> Tensor:
        """Layer ``layer``'s output memory, kept from chunk to chunk: fresh blocks of megabytes cost page faults
        (the first layer's GEMM took 1.5× as long writing into new memory)."""
        size = math.prod(shape)
        buffer = self.buffers.get(layer)
        if buffer is None or buffer.numel() < size or buffer.dtype != like.dtype:
            buffer = self.buffers[layer] = torch.empty(size, dtype=like.dtype, device=like.device)
        return buffer[:size].view(shape)

    def _batchnorm(self, weights: Tensor, prefix: str, module: nn.BatchNorm1d, h: Tensor) -> Tensor:
        """Eval-mode BatchNorm as (K, features, 1) scales and shifts applied in place."""
        inv_std = torch.rsqrt(module.running_var + module.eps)
        scale = (self._at(weights, prefix + "weight") * inv_std if module.affine
                 else inv_std.expand(len(weights), -1))
        shift = -module.running_mean * scale
        if module.affine:
            shift = shift + self._at(weights, prefix + "bias")
        return h.mul_(scale[:, :, None]).add_(shift[:, :, None])


def column_cross_entropy_(logits: Tensor, targets: Tensor) -> Tensor:
    """The mean cross-entropy of each of K feature-major logit blocks (K, classes, samples), overwriting
    ``logits``: logsumexp over the classes (max-shifted) − the target's logit. Equal to ``F.cross_entropy``
    per block to float rounding, and twice as fast as vmapping it over (samples, classes) views, whose class
    rows are strided."""
    picked = logits.gather(1, targets.expand(len(logits), 1, -1)).squeeze(1)
    top = logits.amax(dim=1, keepdim=True)
    lse = logits.sub_(top).exp_().sum(dim=1).log_().add_(top.squeeze(1))
    return lse.sub_(picked).mean(dim=1)
