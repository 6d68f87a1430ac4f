"""The reference for the curvature engine: the top eigenvalue of a dense Hessian
(torch.autograd.functional.hessian + torch.linalg.eigvalsh), shared by tests and benchmarks."""
from __future__ import annotations

import copy

import torch
from torch import nn
from torch.func import functional_call

from engines.landscape.registry import Split


def dense_top(model: nn.Module, data: Split, loss_fn, state=None) -> float:
    """Largest eigenvalue of the dense Hessian of the mean loss over ``data`` (the reference)."""
    state = dict(model.state_dict()) if state is None else dict(state)
    model = copy.deepcopy(model).double()
    names = [k for k, _ in model.named_parameters()]
    shapes = [state[k].shape for k in names]
    flat = torch.cat([state[k].reshape(-1) for k in names]).double()

    def loss(vector: torch.Tensor) -> torch.Tensor:
        params, start = {}, 0
        for k, shape in zip(names, shapes):
            params[k] = vector[start:start + shape.numel()].reshape(shape)
            start += shape.numel()
        buffers = {k: v.double() if v.is_floating_point() else v for k, v in state.items() if k not in params}
        return loss_fn(functional_call(model, (params, buffers), tuple(x.double() for x in data.inputs)),
                       data.targets)

    hessian = torch.autograd.functional.hessian(loss, flat)
    return float(torch.linalg.eigvalsh(hessian).max())
