"""Every optimizer torch.optim also has follows torch.optim's trajectory (float64, 1000 steps)."""
import pytest
import torch

from engines.optim.optimizers import build_optimizer
from engines.optim.spec import OptimizerSpec
from engines.optim.surfaces import get_surface

CASES = [
    ("sgd", torch.optim.SGD, {"lr": 1e-4}),
    ("sgd", torch.optim.SGD, {"lr": 1e-4, "momentum": 0.9}),
    ("sgd", torch.optim.SGD, {"lr": 1e-4, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05}),
    ("sgd", torch.optim.SGD, {"lr": 1e-4, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("adagrad", torch.optim.Adagrad, {"lr": 0.05}),
    ("adagrad", torch.optim.Adagrad, {"lr": 0.1, "lr_decay": 1e-3, "initial_accumulator_value": 0.1, "weight_decay": 0.01}),
    ("rmsprop", torch.optim.RMSprop, {"lr": 1e-3}),
    ("rmsprop", torch.optim.RMSprop, {"lr": 1e-3, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    ("rmsprop", torch.optim.RMSprop, {"lr": 1e-3, "momentum": 0.9, "eps": 1e-6}),
    ("adadelta", torch.optim.Adadelta, {}),
    ("adadelta", torch.optim.Adadelta, {"lr": 0.5, "rho": 0.95, "eps": 1e-5, "weight_decay": 0.01}),
    ("adam", torch.optim.Adam, {"lr": 1e-2}),
    ("adam", torch.optim.Adam, {"lr": 1e-2, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05}),
    ("adam", torch.optim.Adam, {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.01}),
    ("adamw", torch.optim.AdamW, {"lr": 1e-2}),
    ("adamw", torch.optim.AdamW, {"lr": 1e-2, "betas": (0.5, 0.9), "weight_decay": 0.1, "amsgrad": True}),
    ("nadam", torch.optim.NAdam, {"lr": 1e-2}),
    ("nadam", torch.optim.NAdam, {"lr": 1e-2, "momentum_decay": 1e-2, "weight_decay": 0.01}),
    ("nadam", torch.optim.NAdam, {"lr": 1e-2, "weight_decay": 0.05, "decoupled_weight_decay": True}),
    ("radam", torch.optim.RAdam, {"lr": 1e-2}),
    ("radam", torch.optim.RAdam, {"lr": 1e-2, "betas": (0.9, 0.99), "weight_decay": 0.01}),
    ("radam", torch.optim.RAdam, {"lr": 1e-2, "weight_decay": 0.05, "decoupled_weight_decay": True}),
]
STARTS = torch.tensor([[-1.5, 2.0], [0.5, -0.5], [1.8, 1.9]], dtype=torch.float64)
STEPS = 1000


def _hyper(kwargs: dict) -> dict:
    return {k: (tuple(v) if isinstance(v, tuple) else float(v)) for k, v in kwargs.items()}


@pytest.mark.parametrize("surface_name", ["rosenbrock", "quadratic"])
@pytest.mark.parametrize("name,torch_cls,kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_torch_optim(surface_name, name, torch_cls, kwargs):
    surface = get_surface(surface_name)
    # ours: all starts as one batched tensor
    mine = STARTS.clone()
    stepper = build_optimizer(OptimizerSpec(name, _hyper(kwargs)), [mine], batch_dims=1)
    # torch: one parameter per start (elementwise optimizers, so this is the same problem)
    theirs = [s.clone().requires_grad_(True) for s in STARTS]
    opt = torch_cls(theirs, **kwargs)
    for _ in range(STEPS):
        stepper.step([surface.grad(mine)])
        for p in theirs:
            p.grad = surface.grad(p.detach())
        opt.step()
    expected = torch.stack([p.detach() for p in theirs])
    assert torch.isfinite(expected).all()
    moved = (expected - STARTS).abs().max()
    assert moved > 1e-3  # a real trajectory, not a no-op
    torch.testing.assert_close(mine, expected, rtol=1e-6, atol=1e-9)
