"""Top Hessian eigenvalue by power iteration (engines.landscape.curvature) against dense Hessians from
torch.autograd.functional.hessian + torch.linalg.eigvalsh, and closed-form quadratics."""
from __future__ import annotations


import pytest
import torch
from torch import nn

from engines.errors import InputError
from engines.jobs import run
from engines.landscape import curvature as cv
from engines.landscape import digits
from engines.landscape.registry import Registry, Split
from engines.landscape.training import train_run
from tests.optim.dense_hessian import dense_top
from tests.cancelling import cancelled_at_first

REGISTRY = Registry()
digits.register(REGISTRY)


class Quadratic(nn.Module):
    """θ ↦ θ (the loss 0.5·θᵀAθ is in ``loss_fn``), so the Hessian is A exactly."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.theta = nn.Parameter(torch.randn(dim, dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.theta


def quadratic(eigenvalues: list[float], seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(len(eigenvalues), len(eigenvalues), generator=gen, dtype=torch.float64))
    a = q @ torch.diag(torch.tensor(eigenvalues, dtype=torch.float64)) @ q.T
    data = Split((torch.zeros(10, 1, dtype=torch.float64),), torch.zeros(10))
    return Quadratic(len(eigenvalues)), data, lambda theta, _y: 0.5 * theta @ a @ theta


@pytest.mark.parametrize("eigenvalues, top", [([5.0, 1.0, -2.0, 0.5], 5.0),
                                              ([-7.0, 1.0, 4.0, 0.0], 4.0),  # negative dominates: shifted pass
                                              ([-3.0, -1.0, -0.5], -0.5)])
def test_quadratic_top_eigenvalue_is_exact(eigenvalues, top):
    model, data, loss_fn = quadratic(eigenvalues)
    found = run(cv.top_eigenvalue, model, data, loss_fn, tol=1e-13, max_iter=2000, data_batch=3)
    assert found.converged
    assert found.value == pytest.approx(top, abs=1e-9)


def test_tiny_network_matches_dense_eigendecomposition():
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 3)).double()
    data = Split((torch.randn(40, 3, dtype=torch.float64),), torch.randint(0, 3, (40,)))
    loss_fn = nn.functional.cross_entropy
    reference = dense_top(model, data, loss_fn)
    found = run(cv.top_eigenvalue, model, data, loss_fn, tol=1e-6, max_iter=500, data_batch=16)
    assert found.converged
    assert found.value == pytest.approx(reference, rel=1e-2)
    assert found.value == pytest.approx(reference, rel=1e-4)  # well inside the 1% target


def test_curvature_along_a_run_matches_dense_and_carries_two_over_lr():
    trained = run(train_run, REGISTRY, "sgd:lr=0.5", steps=20, batch_size=64, save_every=10,
                  arch_config={"hidden": [4]})
    task = trained.task(REGISTRY)
    progress = []
    along = run(cv.curvature_along_run, REGISTRY, trained, indices=[0, 2], tol=1e-6, max_iter=300,
                on_progress=progress.append)
    assert list(along.steps) == [0, 20]
    assert along.lr == 0.5 and along.threshold == pytest.approx(4.0)
    assert along.converged.all()
    for value, index in zip(along.top_eigenvalue, (0, 2)):
        reference = dense_top(trained.model(REGISTRY), task.train, task.loss_fn, trained.snapshots[index])
        assert value == pytest.approx(reference, rel=1e-2)
    fractions = [p.fraction for p in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert cv.base_lr("adam") == pytest.approx(1e-3) and cv.base_lr("sgd:lr=0.02+lookahead") == 0.02


def test_cancel_stops_the_power_iteration():
    model, data, loss_fn = quadratic([1.0, 0.999, 0.5])  # slow to converge
    seen = cancelled_at_first(cv.top_eigenvalue, model, data, loss_fn, tol=1e-12, max_iter=1000, report="progress")
    assert len(seen) == 1


def test_bad_settings_are_input_errors():
    model, data, loss_fn = quadratic([1.0, 2.0])
    with pytest.raises(InputError, match="tolerance"):
        run(cv.top_eigenvalue, model, data, loss_fn, tol=0.0)
    with pytest.raises(InputError, match="iteration cap"):
        run(cv.top_eigenvalue, model, data, loss_fn, max_iter=0)
    with pytest.raises(InputError, match="does not fit"):
        run(cv.top_eigenvalue, model, data, loss_fn, state={"other": torch.zeros(2)})
