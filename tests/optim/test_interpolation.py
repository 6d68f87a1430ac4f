"""1-D interpolation between two weight vectors (Goodfellow et al. 2015): end points and midpoints against
the model evaluated directly with torch, BatchNorm statistics on the line, chunking, cancel, validation."""
from __future__ import annotations


import numpy as np
import pytest
import torch
from torch import nn

from engines.errors import InputError
from engines.jobs import run
from engines.landscape import digits
from engines.landscape.interpolation import interpolate
from engines.landscape.registry import Registry, Task
from tests.cancelling import cancelled_at_first

REGISTRY = Registry()
digits.register(REGISTRY)


def bn_net(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, 12), nn.BatchNorm1d(12), nn.ReLU(), nn.Linear(12, 10))


@pytest.fixture(scope="module")
def setup():
    task = REGISTRY.load_task("digits")
    task = Task(task.name, task.train.take(slice(0, 400)), task.test.take(slice(0, 150)), task.loss_fn,
                task.metric, task.metric_name)
    states = []
    for seed, rows in ((0, slice(0, 100)), (1, slice(100, 300))):
        model = bn_net(seed).train()
        with torch.no_grad():  # distinct BatchNorm running statistics at each end
            model(task.train.inputs[0][rows])
        states.append({k: v.clone() for k, v in model.state_dict().items()})
    return task, states


@torch.no_grad()
def direct(state: dict, task: Task) -> tuple[float, float, float, float]:
    """(train loss, test loss, train accuracy, test accuracy) of a model loaded with ``state``."""
    model = bn_net(5)
    model.load_state_dict(state)
    model.eval()
    out = [model(*s.inputs) for s in (task.train, task.test)]
    return (float(task.loss_fn(out[0], task.train.targets)), float(task.loss_fn(out[1], task.test.targets)),
            float(task.metric(out[0], task.train.targets)), float(task.metric(out[1], task.test.targets)))


def test_end_points_and_midpoint_equal_the_loaded_models(setup):
    task, (a, b) = setup
    result = run(interpolate, bn_net(9), task, a, b, n=5, t_range=(-0.5, 1.5), batch_points=2, data_batch=128)
    assert list(result.t) == [-0.5, 0.0, 0.5, 1.0, 1.5] and result.done == 5 and result.metric_name == "accuracy"
    mid = {k: (0.5 * a[k] + 0.5 * b[k]) if a[k].is_floating_point() else a[k] for k in a}  # BN stats too
    for i, state in ((1, a), (2, mid), (3, b)):
        got = (result.train_loss[i], result.test_loss[i], result.train_metric[i], result.test_metric[i])
        assert got == pytest.approx(direct(state, task), abs=1e-5)
    assert result.nonfinite_t.size == 0


def test_chunking_does_not_change_values_and_partials_fill_in(setup):
    task, (a, b) = setup
    partials = []
    whole = run(interpolate, bn_net(9), task, a, b, n=7)
    pieces = run(interpolate, bn_net(9), task, a, b, n=7, batch_points=3, data_batch=50,
                 on_partial=partials.append)
    np.testing.assert_allclose(pieces.train_loss, whole.train_loss, atol=1e-5)
    np.testing.assert_allclose(pieces.test_metric, whole.test_metric, atol=1e-6)
    assert partials[-1].done == 7
    assert all(np.isnan(p.train_loss).sum() == 7 - p.done for p in partials)


def test_cancel_after_the_first_chunk(setup):
    task, (a, b) = setup
    seen = cancelled_at_first(interpolate, bn_net(9), task, a, b, n=9, batch_points=2)
    assert [p.done for p in seen] == [2]


def test_states_of_another_architecture_or_bad_grids_are_refused(setup):
    task, (a, b) = setup
    other = REGISTRY.build_model("digits_mlp").state_dict()
    with pytest.raises(InputError, match=r"second state \(θ_b\) does not fit"):
        run(interpolate, bn_net(9), task, a, other, n=3)
    with pytest.raises(InputError, match="2 to"):
        run(interpolate, bn_net(9), task, a, b, n=1)
    with pytest.raises(InputError, match="t range"):
        run(interpolate, bn_net(9), task, a, b, t_range=(1.0, 0.0))
