import numpy as np
import pytest
import torch

from engines.errors import InputError
from engines.jobs import run
from engines.optim.basins import basin_map
from engines.optim.quadratic import gd_rate, momentum_rate, optimal_momentum, optimal_step, rate_gd, rate_momentum
from engines.optim.spec import parse_spec
from engines.optim.surfaces import get_surface
from engines.optim.sweeps import sweep


def test_basin_map_on_himmelblau():
    h = get_surface("himmelblau")
    bm = run(basin_map, h, parse_spec("sgd:lr=0.01"), n=24, steps=300, tol=0.01, dtype=torch.float64)
    assert bm.minimum_index.shape == (24, 24) and bm.xs[0] == -5 and bm.ys[-1] == 5
    counts = np.bincount(bm.minimum_index.ravel() + 1, minlength=5)
    assert (counts[1:] > 40).all()  # every minimum has a basin
    # each quadrant of the plane flows to its own minimum (GD basins of Himmelblau)
    assert bm.minimum_index[-1, -1] == 0 and bm.minimum_index[-1, 0] == 1
    assert bm.minimum_index[0, 0] == 2 and bm.minimum_index[0, -1] == 3
    ok = bm.minimum_index >= 0
    assert (bm.steps_to_reach[ok] > 0).all() and (bm.final_loss[ok] < 1e-3).all()


def test_basin_map_marks_divergence():
    bm = run(basin_map, get_surface("saddle"), parse_spec("sgd:lr=0.1"), n=8, steps=300, bbox_scale=2)
    assert (bm.minimum_index == -1).all() and bm.diverged.mean() > 0.5


def test_quadratic_theory():
    a, b = optimal_momentum(0.1, 1.0)
    assert a == pytest.approx((2 / (np.sqrt(0.1) + 1)) ** 2) and b == pytest.approx(((1 - np.sqrt(0.1)) / (1 + np.sqrt(0.1))) ** 2)
    assert float(momentum_rate(a, b, (0.1, 1.0))) == pytest.approx(rate_momentum(10), rel=1e-6)
    assert float(gd_rate(optimal_step(0.1, 1.0), (0.1, 1.0))) == pytest.approx(rate_gd(10))
    assert float(momentum_rate(a, 0.0, (0.1, 1.0))) == pytest.approx(float(gd_rate(a, (0.1, 1.0))))
    assert momentum_rate(np.ones((3, 1)), np.zeros((1, 4)), (0.1, 1.0)).shape == (3, 4)


def test_sweep_best_agrees_with_theory():
    q = get_surface("quadratic", kappa=10, angle=30)
    lrs, moms = np.linspace(0.5, 3.5, 31), np.linspace(0.0, 0.8, 33)
    res = run(sweep, q, parse_spec("momentum"), "lr", lrs, "momentum", moms, start=(1.5, 1.0), steps=100)
    assert res.values.shape == (33, 31)
    alpha, beta = optimal_momentum(*q.hessian_eigenvalues)
    i, j = np.unravel_index(np.nanargmin(res.values), res.values.shape)
    assert abs(lrs[j] - alpha) <= 0.15 and abs(moms[i] - beta) <= 0.05
    # the empirical per-step contraction follows the predicted spectral radius
    predicted = momentum_rate(lrs[None, :], moms[:, None], q.hessian_eigenvalues)
    ok = np.isfinite(res.values) & (res.values > 0)
    empirical = np.exp(np.log(res.values[ok] / float(q.fn(torch.tensor([1.5, 1.0])))) / 200)
    assert np.corrcoef(empirical, predicted[ok])[0, 1] > 0.99
    assert np.isnan(res.values[res.diverged]).all() and res.diverged.any()


def test_sweep_steps_to_tol_and_tuple_component():
    q = get_surface("quadratic", kappa=10, angle=0)
    res = run(sweep, q, parse_spec("adam"), "lr", [0.001, 0.1], "betas.0", [0.0, 0.9], start=(1.0, 1.0), steps=400,
              metric="steps_to_tol", tol=1e-4)
    assert res.values.shape == (2, 2)
    assert np.isnan(res.values[:, 0]).all()  # lr 0.001 moves at most 0.4 in 400 steps
    assert (res.values[:, 1] > 10).all() and (res.values[:, 1] < 400).all()
    with pytest.raises(InputError, match="no hyperparameter 'foo'"):
        run(sweep, q, parse_spec("adam"), "foo", [1], "lr", [1], start=(1, 1), steps=1)
