"""The smoothness measures of Santurkar et al. 2018 against a quadratic, where every one is known exactly,
and along real runs with and without BatchNorm."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engines.errors import InputError
from engines.jobs import run
from engines.landscape import digits
from engines.landscape.registry import Registry
from engines.landscape.smoothness import SCALES, smoothness_along_run, smoothness_at
from engines.landscape.training import train_run

REGISTRY = Registry()
digits.register(REGISTRY)
EIGENVALUES = torch.tensor([5.0, 2.0, 0.5], dtype=torch.float64)


def quadratic(values: list[torch.Tensor]) -> torch.Tensor:
    """L(θ) = ½ θᵀAθ with A = diag(5, 2, 0.5): ∇L = Aθ, β (the Lipschitz constant of ∇L) = 5."""
    theta = values[0]
    return 0.5 * (EIGENVALUES * theta * theta).sum()


def test_quadratic_along_the_top_eigenvector_gives_beta_exactly():
    lr, c = 0.1, 2.0
    at = smoothness_at(quadratic, [torch.tensor([c, 0.0, 0.0], dtype=torch.float64)], lr)
    lam = 5.0
    assert at.beta_smoothness == pytest.approx(lam, rel=1e-12)  # ‖A s g‖ / ‖s g‖ with g ∥ top eigenvector
    assert at.gradient_change == pytest.approx(lr * lam * lam * c, rel=1e-12)  # ‖η A g‖, g = λ c e₁
    losses = [0.5 * lam * (c * (1 - s * lr * lam)) ** 2 for s in (0.0, *SCALES)]  # θ − s η g = c(1 − sηλ) e₁
    assert at.loss_range == pytest.approx(max(losses) - min(losses), rel=1e-12)


def test_quadratic_in_general_position_is_at_most_beta():
    theta = torch.tensor([0.3, -1.0, 2.0], dtype=torch.float64)
    at = smoothness_at(quadratic, [theta], 0.05)
    g = EIGENVALUES * theta
    expected = float((EIGENVALUES * g).norm() / g.norm())  # the same for every step size on a quadratic
    assert at.beta_smoothness == pytest.approx(expected, rel=1e-12)
    assert at.beta_smoothness < 5.0


def test_measures_refuse_bad_settings():
    theta = [torch.ones(3, dtype=torch.float64)]
    with pytest.raises(InputError, match="learning rate"):
        smoothness_at(quadratic, theta, 0.0)
    with pytest.raises(InputError, match="include 1"):
        smoothness_at(quadratic, theta, 0.1, scales=(0.5, 2.0))
    assert math.isnan(smoothness_at(lambda v: v[0].sum() * math.inf, theta, 0.1).beta_smoothness)


@pytest.mark.parametrize("batchnorm", [False, True])
def test_along_a_run_every_snapshot_is_measured(batchnorm):
    trained = run(train_run, REGISTRY, "sgd:lr=0.1", steps=6, save_every=3, arch_config={"hidden": [8],
                                                                                         "batchnorm": batchnorm})
    before = {k: v.clone() for k, v in trained.snapshots[-1].items()}
    found = run(smoothness_along_run, REGISTRY, trained)
    assert list(found.steps) == [0, 3, 6] and found.lr == 0.1
    for values in (found.loss_range, found.gradient_change, found.beta_smoothness):
        assert np.all(np.isfinite(values)) and np.all(values > 0)
    assert all(torch.equal(before[k], v) for k, v in trained.snapshots[-1].items())  # BN statistics untouched
