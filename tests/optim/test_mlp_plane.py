"""The plain-MLP loss plane (layer by layer, feature-major, no vmap) against the generic vmapped
functional_call path and against every grid point evaluated alone."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, vmap

from engines.jobs import run
from engines.landscape import digits
from engines.landscape import mlp_plane
from engines.landscape import planes as ls
from engines.landscape.batched import mean_over_data
from engines.landscape.mlp_plane import MlpPlane, column_cross_entropy_, plain_mlp
from engines.landscape.registry import Registry, Split

REGISTRY = Registry()
digits.register(REGISTRY)
COORDS = torch.tensor([[0.0, 0.0], [0.3, -0.7], [-1.2, 0.4], [1.0, 1.0], [-0.5, -1.5]], dtype=torch.float64)
CONFIGS = [{}, {"batchnorm": True}, {"batchnorm": True, "hidden": [16, 8], "activation": "tanh"}]


def digits_mlp(config: dict) -> nn.Module:
    torch.manual_seed(0)
    model = REGISTRY.build_model("digits_mlp", config).eval()
    for m in model.modules():  # BatchNorm statistics away from 0 and 1, as after training
        if isinstance(m, nn.BatchNorm1d):
            m.running_mean.normal_()
            m.running_var.uniform_(0.5, 2.0)
    return model


def vmapped(model: nn.Module, loss_fn, theta, dirs, data: Split, data_batch: int) -> torch.Tensor:
    """The generic path: every parameter stacked over the points, vmap over functional_call."""
    buffers = dict(model.named_buffers())
    stacked = {k: torch.stack([v + a * dirs.d1[k] + b * dirs.d2[k] for a, b in COORDS.tolist()])
               for k, v in theta.items()}
    batched = vmap(lambda p, x, y: loss_fn(functional_call(model, (p, buffers), x), y), in_dims=(0, None, None))
    return mean_over_data(batched, stacked, data, data_batch)


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("loss_fn", [digits.cross_entropy, lambda out, y: F.cross_entropy(out, y, label_smoothing=0.1)])
def test_mlp_plane_equals_the_vmap_path_and_each_point_alone(config, loss_fn):
    model = digits_mlp(config)
    data = REGISTRY.load_task("digits").train.take(slice(0, 300))
    theta = ls.parameters(model)
    dirs = ls.random_directions(theta, seed=2, include_bias_bn=True)
    assert plain_mlp(model, data)
    fast = MlpPlane(model, loss_fn, theta, dirs.d1, dirs.d2, data, data_batch=128)(COORDS)  # 128 + 128 + 44
    torch.testing.assert_close(fast, vmapped(model, loss_fn, theta, dirs, data, 128), rtol=1e-5, atol=0)
    alone = torch.tensor([ls.point_loss(model, data, loss_fn, theta, dirs, a, b) for a, b in COORDS.tolist()],
                         dtype=torch.float64)
    torch.testing.assert_close(fast, alone, rtol=1e-5, atol=0)


@pytest.mark.parametrize("batchnorm", [False, True])
def test_a_digits_grid_equals_each_point_alone_on_the_whole_split(batchnorm, monkeypatch):
    """Through loss_surface, on the device argument, with the first layer's products kept and recomputed."""
    model = digits_mlp({"batchnorm": batchnorm})
    task = REGISTRY.load_task("digits")
    theta = ls.parameters(model)
    dirs = ls.random_directions(theta, seed=3)
    kept = run(ls.loss_surface, model, task.train, task.loss_fn, dirs, n=3, batch_points=4, device="cpu")
    monkeypatch.setattr(mlp_plane, "CACHE_BYTES", 0)
    recomputed = run(ls.loss_surface, model, task.train, task.loss_fn, dirs, n=3, batch_points=4, device="cpu",
                     data_batch=500)
    for i, b in enumerate(kept.b):
        for j, a in enumerate(kept.a):
            alone = ls.point_loss(model, task.train, task.loss_fn, theta, dirs, float(a), float(b))
            assert kept.loss[i, j] == pytest.approx(alone, rel=1e-5)
            assert recomputed.loss[i, j] == pytest.approx(alone, rel=1e-5)


def test_column_cross_entropy_is_torch_cross_entropy_per_block():
    torch.manual_seed(0)
    logits = torch.randn(4, 10, 50) * 30  # large logits: the max shift keeps exp finite
    targets = torch.randint(0, 10, (50,))
    expected = torch.stack([F.cross_entropy(block.T, targets) for block in logits])
    torch.testing.assert_close(column_cross_entropy_(logits.clone(), targets), expected, rtol=1e-6, atol=1e-6)


def test_only_plain_mlps_on_one_matrix_input_take_the_layer_by_layer_path():
    data = Split((torch.randn(5, 4),), torch.zeros(5, dtype=torch.long))
    assert plain_mlp(nn.Sequential(nn.Linear(4, 3), nn.GELU(), nn.Linear(3, 2)), data)
    assert not plain_mlp(nn.Sequential(nn.Linear(4, 3), nn.LayerNorm(3), nn.Linear(3, 2)), data)
    assert not plain_mlp(nn.Sequential(nn.Linear(4, 3), nn.ReLU()), data)  # no linear layer at the end
    assert not plain_mlp(nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3, track_running_stats=False),
                                       nn.Linear(3, 2)), data)  # batch statistics even in eval mode
    assert not plain_mlp(nn.Sequential(nn.Linear(4, 2)), data)
    images = Split((torch.randn(5, 2, 4),), torch.zeros(5, dtype=torch.long))
    assert not plain_mlp(nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2)), images)
