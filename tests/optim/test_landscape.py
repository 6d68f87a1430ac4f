"""Loss landscapes (Li et al. 2018): filter normalisation, batched grid evaluation, path projections."""
from __future__ import annotations

import copy
import threading

import numpy as np
import pytest
import torch
from torch import nn

from engines.errors import InputError
from engines.jobs import Cancelled, run
from engines.landscape import digits
from engines.landscape import planes as ls
from engines.landscape.registry import Registry
from engines.landscape.training import train_run

REGISTRY = Registry()
digits.register(REGISTRY)


@pytest.fixture(scope="module")
def setup():
    torch.manual_seed(0)
    model = REGISTRY.build_model("digits_mlp", {"hidden": [16]})
    task = REGISTRY.load_task("digits")
    data = task.train.take(slice(0, 300))
    center = ls.parameters(model)
    return model, data, task.loss_fn, center, ls.random_directions(center, seed=4)


def test_batched_grid_equals_one_point_at_a_time(setup):
    model, data, loss_fn, center, dirs = setup
    partials = []
    result = run(ls.loss_surface, model, data, loss_fn, dirs, (-1.0, 0.5), (-0.5, 1.5), n=6,
                 batch_points=7, data_batch=128, on_partial=partials.append)
    assert result.loss.shape == (6, 6) and np.isfinite(result.loss).all()
    for i, bv in enumerate(result.b):
        for j, av in enumerate(result.a):
            ref = ls.point_loss(model, data, loss_fn, center, dirs, float(av), float(bv))
            assert result.loss[i, j] == pytest.approx(ref, abs=1e-5)
    assert partials[-1].done == 36 and np.array_equal(partials[-1].loss, result.loss)
    assert all(np.isnan(p.loss).sum() == 36 - p.done for p in partials)


def test_center_override_and_auto_chunk(setup):
    model, data, loss_fn, center, dirs = setup
    moved = {k: v + 0.01 for k, v in center.items()}
    result = run(ls.loss_surface, model, data, loss_fn, dirs, n=3, center=moved)
    assert result.loss[1, 1] == pytest.approx(ls.point_loss(model, data, loss_fn, moved, dirs, 0, 0), abs=1e-5)
    assert 1 <= ls.auto_batch_points(model, data, 4096) <= 4096
    assert ls.auto_batch_points(model, data, 4096, memory=1) == 1


def test_center_state_brings_its_batchnorm_statistics(setup):
    _, data, loss_fn, _, _ = setup
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(64, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 10)).eval()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    state["1.running_mean"] += 3.0
    state["1.running_var"] *= 4.0
    center = ls.parameters(model, state)
    dirs = ls.random_directions(center, seed=2)
    result = run(ls.loss_surface, model, data, loss_fn, dirs, n=3, center=state)
    loaded = copy.deepcopy(model)
    loaded.load_state_dict(state)
    assert result.loss[1, 1] == pytest.approx(ls.point_loss(loaded, data, loss_fn, center, dirs, 0, 0), abs=1e-5)
    assert result.loss[1, 1] != pytest.approx(ls.point_loss(model, data, loss_fn, center, dirs, 0, 0), abs=1e-3)
    assert not dirs.d1["1.weight"].any()  # BN scale and shift are 1-D: zeroed by default


def test_loss_surface_cancels_and_validates(setup):
    model, data, loss_fn, _, dirs = setup
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        run(ls.loss_surface, model, data, loss_fn, dirs, n=4, cancel_event=cancel)
    wrong = ls.Directions({"x": torch.zeros(1)}, {"x": torch.zeros(1)})
    with pytest.raises(InputError, match="directions"):
        run(ls.loss_surface, model, data, loss_fn, wrong, n=4)
    small = REGISTRY.build_model("digits_mlp", {"hidden": [8]}).state_dict()
    with pytest.raises(InputError, match=r"'0.weight' \(16, 64\) is shaped \(8, 64\)"):
        run(ls.loss_surface, model, data, loss_fn, dirs, n=4, center=small)


def test_filter_normalisation_matches_filter_norms():
    conv, lin = nn.Conv2d(3, 5, 3), nn.Linear(7, 4)
    center = {"conv.weight": conv.weight.detach(), "conv.bias": conv.bias.detach(),
              "lin.weight": lin.weight.detach(), "lin.bias": lin.bias.detach()}
    dirs = ls.random_directions(center, seed=1)
    for d in (dirs.d1, dirs.d2):
        torch.testing.assert_close(d["conv.weight"].flatten(1).norm(dim=1), conv.weight.flatten(1).norm(dim=1))
        torch.testing.assert_close(d["lin.weight"].norm(dim=1), lin.weight.norm(dim=1))
        assert not d["conv.bias"].any() and not d["lin.bias"].any()
    assert not torch.allclose(dirs.d1["lin.weight"], dirs.d2["lin.weight"])
    kept = ls.random_directions(center, seed=1, include_bias_bn=True)
    torch.testing.assert_close(kept.d1["lin.bias"].abs(), lin.bias.detach().abs())


def _plane(p: int, seed: int) -> tuple[dict, ls.Directions]:
    gen = torch.Generator().manual_seed(seed)
    center = {"w": torch.randn(p // 2, 2, generator=gen, dtype=torch.float64),
              "b": torch.randn(p - p // 2 * 2, generator=gen, dtype=torch.float64)}
    dirs = ls.Directions(*({k: torch.randn(v.shape, generator=gen, dtype=torch.float64) for k, v in center.items()}
                           for _ in range(2)))
    return center, dirs


def test_fixed_plane_projection_recovers_coordinates():
    center, dirs = _plane(41, seed=0)
    ab = np.array([[0.0, 0.0], [1.0, -2.0], [0.3, 0.7], [-1.5, 0.25]])
    path = [{k: center[k] + a * dirs.d1[k] + b * dirs.d2[k] for k in center} for a, b in ab]
    proj = ls.project_path(path, center, dirs)
    np.testing.assert_allclose(proj.coords, ab, atol=1e-10)
    assert proj.residual_share < 1e-20 and np.all(proj.residual < 1e-20)
    noise = {k: torch.randn(v.shape, dtype=v.dtype) for k, v in center.items()}
    basis = dirs.matrix()
    alpha, beta = torch.linalg.lstsq(basis, ls.flatten(noise, dirs.names)[:, None]).solution[:, 0]
    off = {k: noise[k] - alpha * dirs.d1[k] - beta * dirs.d2[k] for k in center}  # orthogonal to the plane
    proj = ls.project_path([{k: path[1][k] + off[k] for k in center}], center, dirs)
    np.testing.assert_allclose(proj.coords[0], ab[1], atol=1e-10)
    off2 = ls.flatten(off, dirs.names).square().sum()
    expected = off2 / (off2 + (basis @ torch.tensor(ab[1])).square().sum())
    assert proj.residual_share == pytest.approx(float(expected))


def test_pca_of_planar_path_explains_everything():
    final, dirs = _plane(60, seed=1)
    t = np.linspace(0, 1, 25)
    ab = np.stack([np.cos(3 * t) * (1 - t), t**2 - 0.4 * t], axis=1)
    ab -= ab[-1]  # the path ends at θ_final
    path = [{k: final[k] + a * dirs.d1[k] + b * dirs.d2[k] for k in final} for a, b in ab]
    pca = ls.pca_path(path)
    assert pca.unexplained_share == pytest.approx(0.0, abs=1e-12)
    assert pca.explained_ratio.sum() == pytest.approx(1.0) and pca.explained_ratio[0] >= pca.explained_ratio[1]
    rebuilt = torch.tensor(pca.coords) @ pca.directions.matrix().T + ls.flatten(final, pca.directions.names)
    np.testing.assert_allclose(rebuilt.numpy(), torch.stack([ls.flatten(p, pca.directions.names) for p in path]),
                               atol=1e-10)
    assert np.all(pca.coords[0] >= 0) and np.allclose(pca.coords[-1], 0)
    noisy = [{k: v + 0.05 * torch.randn(v.shape, dtype=v.dtype) for k, v in p.items()} for p in path]
    assert 0.0 < ls.pca_path(noisy).unexplained_share < 0.5
    with pytest.raises(InputError):
        ls.pca_path(path[:2])


def test_training_run_on_its_landscape():
    trained = run(train_run, REGISTRY, "adam:lr=0.01", steps=30, batch_size=32, save_every=10,
                  arch_config={"hidden": [8]})
    model = trained.model(REGISTRY)
    center = ls.parameters(model)
    names = list(center)
    pca = ls.pca_path(trained.snapshots, names)
    assert pca.coords.shape == (4, 2) and 0 <= pca.unexplained_share < 1
    proj = ls.project_path(trained.snapshots, center, ls.random_directions(center))
    assert proj.coords.shape == (4, 2) and 0.5 < proj.residual_share <= 1  # a random plane misses the path


def test_landscape_surface_interpolates_the_grid():
    a, b = np.linspace(-1, 1, 5), np.linspace(-2, 2, 9)
    A, B = np.meshgrid(a, b)
    result = ls.LandscapeResult(a, b, 1 + 2 * A - B + 0.5 * A * B, None, {})  # bilinear: reproduced exactly
    surface = ls.landscape_surface(result)
    xy = torch.tensor([[0.1, 0.3], [-0.9, 1.7], [0.5, -2.0], [1.3, 2.5]], dtype=torch.float64)
    x, y = xy[:, 0], xy[:, 1]
    torch.testing.assert_close(surface.fn(xy), 1 + 2 * x - y + 0.5 * x * y)
    torch.testing.assert_close(surface.grad(xy), torch.stack([2 + 0.5 * y, -1 + 0.5 * x], dim=1))
    assert surface.bounds == ((-1.0, 1.0), (-2.0, 2.0))
    assert surface.minima == ((-1.0, 2.0),)
