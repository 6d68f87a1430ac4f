"""One plane for many runs: the three kinds of shared plane, paths on them, the landscape at the origin,
and training paths against torch.optim on the same network and minibatches."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engines.errors import InputError
from engines.jobs import run
from engines.landscape import digits
from engines.landscape.planes import loss_surface
from engines.landscape.registry import Registry
from engines.landscape.runs import load_run, save_run
from engines.landscape.shared_plane import mean_state, project_runs, shared_plane
from engines.landscape.training import _batches, train_run
from engines.threads import BACKWARD_FACTOR, forward_flops, threads_for, torch_threads
from tasks.landscape_compare import grid_window

REGISTRY = Registry()
digits.register(REGISTRY)
SMALL = {"hidden": [8]}


@pytest.fixture(scope="module")
def runs():
    """Two optimizers per BatchNorm setting, from one initialisation, on one minibatch order."""
    out = {}
    for bn in (False, True):
        config = {**SMALL, "batchnorm": bn}
        out[bn] = [run(train_run, REGISTRY, spec, steps=12, save_every=3, arch_config=config)
                   for spec in ("sgd:lr=0.2", "adam:lr=0.01")]
    return out


def names_of(trained) -> list[str]:
    return [k for k, _ in trained.model(REGISTRY).named_parameters()]


def synthetic_paths(seed: int = 0):
    """Two paths lying exactly in a 2-D affine plane of a 6-D parameter space (one 'weight' tensor)."""
    gen = torch.Generator().manual_seed(seed)
    origin, u, v = (torch.randn(6, generator=gen, dtype=torch.float64) for _ in range(3))
    paths = []
    for k in range(2):
        ts = torch.linspace(0, 1, 5, dtype=torch.float64)
        paths.append([{"w": (origin + t * u + (k + 1) * t * t * v).reshape(2, 3)} for t in ts])
    return paths


def test_pca_plane_holds_planar_paths_exactly():
    paths = synthetic_paths()
    plane = shared_plane("pca", paths, ["w"])
    assert plane.explained.sum() == pytest.approx(1.0, abs=1e-12)
    for projection, path in zip(project_runs(plane, paths), paths):
        assert projection.residual.max() < 1e-20
        rebuilt = plane.center["w"] + sum(c * d for c, d in zip(projection.coords[-1], (plane.directions.d1["w"],
                                                                                         plane.directions.d2["w"])))
        assert torch.allclose(rebuilt, path[-1]["w"], atol=1e-12)
    mean = torch.stack([s["w"] for p in paths for s in p]).mean(0)
    assert torch.allclose(plane.center["w"], mean)


def test_endpoints_plane_puts_the_end_points_at_unit_coordinates():
    paths = synthetic_paths(1)
    plane = shared_plane("endpoints", paths, ["w"])
    first, second = (p.coords for p in project_runs(plane, paths))
    np.testing.assert_allclose(first[[0, -1]], [[0, 0], [1, 0]], atol=1e-12)
    np.testing.assert_allclose(second[-1], [0, 1], atol=1e-12)
    with pytest.raises(InputError, match="at least two runs"):
        shared_plane("endpoints", paths[:1], ["w"])
    with pytest.raises(InputError, match="do not span a plane"):
        shared_plane("endpoints", [paths[0], paths[0]], ["w"])
    with pytest.raises(InputError, match="one of pca, endpoints, random"):
        shared_plane("fixed", paths, ["w"])


def test_random_plane_is_centred_on_the_mean_end_point(runs):
    trained = runs[True]
    paths = [list(r.snapshots) for r in trained]
    plane = shared_plane("random", paths, names_of(trained[0]), seed=3)
    ends = [r.snapshots[-1] for r in trained]
    for key in ("0.weight", "1.running_mean", "1.running_var"):  # weights and BatchNorm statistics
        assert torch.allclose(plane.center[key], (ends[0][key] + ends[1][key]) / 2)
    assert torch.equal(mean_state(ends)["1.num_batches_tracked"], ends[0]["1.num_batches_tracked"])
    assert set(plane.directions.names) == set(names_of(trained[0]))


@pytest.mark.parametrize("kind", ["pca", "endpoints", "random"])
@pytest.mark.parametrize("bn", [False, True])
def test_landscape_at_the_origin_is_the_loss_of_the_centre(runs, kind, bn):
    trained = runs[bn]
    model, task = trained[0].model(REGISTRY), trained[0].task(REGISTRY)
    paths = [list(r.snapshots) for r in trained]
    plane = shared_plane(kind, paths, names_of(trained[0]), seed=1)
    coords = np.concatenate([p.coords for p in project_runs(plane, paths)])
    n = 6  # even: the origin is a grid point only because grid_window puts it there
    a_range, b_range = grid_window(coords, n, 1.0 if kind == "random" else 0.0)
    result = run(loss_surface, model, task.train, task.loss_fn, plane.directions, a_range, b_range, n=n,
                 center=plane.center)
    i, j = int(np.argmin(np.abs(result.b))), int(np.argmin(np.abs(result.a)))
    assert abs(result.a[j]) < 1e-12 and abs(result.b[i]) < 1e-12
    assert coords[:, 0].min() >= result.a[0] and coords[:, 0].max() <= result.a[-1]
    reference = REGISTRY.build_model("digits_mlp", {**SMALL, "batchnorm": bn})
    reference.load_state_dict(plane.center)
    with torch.no_grad():
        expected = float(F.cross_entropy(reference.eval()(task.train.inputs[0]), task.train.targets))
    assert result.loss[i, j] == pytest.approx(expected, rel=1e-5)


SGD_MOMENTUM = ("sgd:lr=0.2,momentum=0.9", lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.9))
ADAM = ("adam:lr=0.01", lambda p: torch.optim.Adam(p, lr=0.01))


# The reference runs on as many threads as train_run takes for this work (engines.threads: one thread per 2 GFLOPs of
# a step, so one here on any machine): summation order then matches. With BatchNorm the weights before it are
# scale-invariant, their gradients small against their rounding, and Adam makes steps of size lr out of that
# rounding: torch.optim.Adam on 2 threads parts from itself on 1 thread by 2.4e-3 within these 15 steps.
@pytest.mark.parametrize("bn, spec, make", [(False, *SGD_MOMENTUM), (True, *SGD_MOMENTUM), (False, *ADAM),
                                            (True, *ADAM)])
def test_training_paths_equal_torch_optim(bn, spec, make):
    config = {**SMALL, "batchnorm": bn}
    ours = run(train_run, REGISTRY, spec, steps=15, batch_size=32, seed=5, save_every=5, arch_config=config)
    torch.manual_seed(5)
    model = REGISTRY.build_model("digits_mlp", config).train()
    optimizer = make(model.parameters())
    task = REGISTRY.load_task("digits")
    batches = _batches(len(task.train), 32, torch.Generator().manual_seed(5))
    one = task.train.inputs[0][:1]
    threads = threads_for(BACKWARD_FACTOR * 32 * forward_flops(lambda: model.eval()(one)))  # as train_run counts
    model.train()
    with torch_threads(threads):
        for step in range(15):
            batch = task.train.take(next(batches))
            optimizer.zero_grad()
            task.loss_fn(model(*batch.inputs), batch.targets).backward()  # the same loss: only the optimizer differs
            optimizer.step()
            if (step + 1) % 5 == 0:
                snapshot = ours.snapshots[ours.snapshot_steps.index(step + 1)]
                for key, value in model.state_dict().items():
                    torch.testing.assert_close(snapshot[key], value, atol=1e-5, rtol=0)


def test_digits_loss_is_torch_cross_entropy():
    task = REGISTRY.load_task("digits")
    logits = torch.randn(50, 10) * 5
    torch.testing.assert_close(task.loss_fn(logits, task.train.targets[:50]),
                               F.cross_entropy(logits, task.train.targets[:50]))


def test_batchnorm_runs_save_and_load(tmp_path, runs):
    trained = runs[True][0]
    loaded = load_run(REGISTRY, save_run(trained, tmp_path / "bn"))
    assert loaded.arch_config["batchnorm"] is True
    model = loaded.model(REGISTRY)
    assert isinstance(model[1], torch.nn.BatchNorm1d)
    assert torch.equal(model.state_dict()["1.running_var"], trained.snapshots[-1]["1.running_var"])
    with pytest.raises(InputError, match="batchnorm must be true or false"):
        REGISTRY.build_model("digits_mlp", {"batchnorm": "yes"})


def test_runs_saved_before_the_batchnorm_setting_still_load(tmp_path, runs):
    from dataclasses import replace

    trained = runs[False][0]
    old = replace(trained, arch_config={k: v for k, v in trained.arch_config.items() if k != "batchnorm"})
    loaded = load_run(REGISTRY, save_run(old, tmp_path / "old"))
    assert "batchnorm" not in loaded.arch_config
    assert not any(isinstance(m, torch.nn.BatchNorm1d) for m in loaded.model(REGISTRY).modules())
