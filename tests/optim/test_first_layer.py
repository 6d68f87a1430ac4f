"""The shared first layer of a loss plane (P0 + a·P1 + b·P2) against evaluating every point's weights."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from engines.landscape import planes as ls
from engines.landscape.first_layer import FirstLayerPlane, shared_first_layer
from engines.landscape.registry import Split


@pytest.mark.parametrize("bias", [True, False])
def test_shared_first_layer_equals_each_point_alone(bias):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 7, bias=bias), nn.BatchNorm1d(7), nn.Tanh(), nn.Linear(7, 3)).eval()
    model[1].running_mean.normal_()
    theta = ls.parameters(model)
    dirs = ls.random_directions(theta, seed=2, include_bias_bn=True)
    data = Split((torch.randn(40, 5),), torch.randint(0, 3, (40,)))
    coords = torch.tensor([[0.0, 0.0], [0.3, -0.7], [-1.2, 0.4]], dtype=torch.float64)
    plane = FirstLayerPlane(model, F.cross_entropy, theta, dirs.d1, dirs.d2)
    rest = {k: torch.stack([theta[k] + a * dirs.d1[k] + b * dirs.d2[k] for a, b in coords.tolist()])
            for k in plane.names}
    batched = plane(coords, rest, data.inputs, data.targets)
    for i, (a, b) in enumerate(coords.tolist()):
        params = {k: v + a * dirs.d1[k] + b * dirs.d2[k] for k, v in theta.items()}
        alone = F.cross_entropy(functional_call(model, params, data.inputs), data.targets)
        torch.testing.assert_close(batched[i], alone, atol=1e-6, rtol=1e-6)


def test_only_sequentials_that_begin_with_a_linear_layer_share_it():
    assert shared_first_layer(nn.Sequential(nn.Linear(2, 2), nn.ReLU())) == "0"
    assert shared_first_layer(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), inputs=2) is None
    assert shared_first_layer(nn.Sequential(nn.Linear(2, 2))) is None  # nothing after it to vmap
    assert shared_first_layer(nn.Sequential(nn.Conv1d(1, 1, 1), nn.ReLU())) is None
    assert shared_first_layer(nn.Linear(2, 2)) is None
