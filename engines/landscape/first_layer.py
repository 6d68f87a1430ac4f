"""A loss plane's first linear layer, computed once for every grid point of a chunk (exact, not an
approximation). For a network that begins with ``nn.Linear`` on its one input, the pre-activations at
θ + a·d1 + b·d2 are affine in (a, b):

    x (W + a·D1 + b·D2)ᵀ + (c + a·e1 + b·e2) = P0 + a·P1 + b·P2,   P_i = linear(x, W_i, c_i),

so three matrix products per data slice replace one per grid point, and only the rest of the network is
vmapped over the points. For the digits MLP the first layer holds 87% of the multiply-adds of a forward
pass.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call, vmap


def shared_first_layer(model: nn.Module, inputs: int = 1) -> str | None:
    """The name of ``model``'s first layer if it is an ``nn.Sequential`` of one input (``inputs``) that begins
    with ``nn.Linear`` followed by more layers (so that the trick applies), else None."""
    if inputs == 1 and isinstance(model, nn.Sequential) and len(model) > 1 and type(model[0]) is nn.Linear:
        return next(iter(model._modules))
    return None


class FirstLayerPlane:
    """``self(coords, stacked, inputs, targets)``: the loss at K grid points ``coords`` (K, 2), the first
    layer from the centre ``theta`` and directions ``d1``, ``d2`` (parameter dicts of the whole model),
    ``stacked`` the other parameters at the K points (names as in the model)."""

    def __init__(self, model: nn.Sequential, loss_fn: Callable[[Any, Tensor], Tensor], theta: Mapping[str, Tensor],
                 d1: Mapping[str, Tensor], d2: Mapping[str, Tensor]) -> None:
        first = shared_first_layer(model)
        if first is None:
            raise ValueError("the model does not begin with a linear layer")
        prefix = first + "."
        self.first = [(p[prefix + "weight"], p.get(prefix + "bias")) for p in (theta, d1, d2)]
        self.names = [k for k in theta if not k.startswith(prefix)]
        rest = model[1:]
        buffers = {k: v for k, v in model.named_buffers() if not k.startswith(prefix)}

        def one(params: dict[str, Tensor], hidden: Tensor, targets: Tensor) -> Tensor:
            return loss_fn(functional_call(rest, (params, buffers), (hidden,)), targets)

        self.rest = vmap(one, in_dims=(0, 0, None))

    def __call__(self, coords: Tensor, stacked: Mapping[str, Tensor], inputs: tuple[Tensor, ...],
                 targets: Tensor) -> Tensor:
        products = torch.stack([F.linear(inputs[0], w, c) for w, c in self.first])  # P0, P1, P2
        weights = torch.cat([torch.ones_like(coords[:, :1]), coords], dim=1).to(products.dtype)  # (K, 3): 1, a, b
        hidden = (weights @ products.reshape(3, -1)).reshape(len(coords), *products.shape[1:])  # one GEMM: fastest
        return self.rest(dict(stacked), hidden, targets)

