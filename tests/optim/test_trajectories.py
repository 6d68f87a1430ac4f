import threading
import time

import numpy as np
import pytest
import torch

from engines.jobs import Cancelled, run
from engines.optim.optimizers import build_optimizer
from engines.optim.spec import OptimizerSpec, parse_spec
from engines.optim.surfaces import get_surface
from engines.optim.trajectories import TrajectoryRequest, run_trajectories

ROSEN = get_surface("rosenbrock")
STARTS = np.array([[-1.5, 2.5], [0.5, -0.5], [1.8, 0.5]])


def test_batched_run_matches_single_stepping_and_records_every_k():
    specs = [parse_spec("adam:lr=0.01"), parse_spec("momentum:lr=1e-4+lookahead"), parse_spec("rmsprop:lr=0.003")]
    req = TrajectoryRequest(ROSEN, specs, STARTS, steps=50, dtype=torch.float64, record_every=10)
    res = run(run_trajectories, req)
    assert res.positions.shape == (3, 3, 6, 2) and res.losses.shape == (3, 3, 6)
    assert res.steps.tolist() == [0, 10, 20, 30, 40, 50]
    assert res.labels == ["adam:lr=0.01", "momentum:lr=0.0001+lookahead", "rmsprop:lr=0.003"]
    assert np.array_equal(res.positions[:, :, 0], np.broadcast_to(STARTS, (3, 3, 2)))
    assert (res.diverged_at == -1).all()
    for c, spec in enumerate(specs):
        p = torch.tensor(STARTS)
        st = build_optimizer(spec, [p], 1)
        for i in range(1, 51):
            st.step([ROSEN.grad(p)])
            if i % 10 == 0:
                np.testing.assert_allclose(res.positions[c, :, i // 10], p.numpy(), rtol=1e-12)
        np.testing.assert_allclose(res.losses[c, :, -1], ROSEN.fn(p).numpy(), rtol=1e-12)
        for key, value in st.state_view().items():
            np.testing.assert_allclose(res.states[key][c, :, -1], value.numpy(), rtol=1e-12)
    assert set(res.states) == {"momentum", "second_moment", "step_size", "slow"}
    assert np.isnan(res.states["slow"][0]).all() and np.isnan(res.states["momentum"][:, :, 0]).all()


def test_divergence_freezes_at_last_finite_point():
    specs = [parse_spec("sgd:lr=0.01"), parse_spec("sgd:lr=1e-4")]  # the first blows up on Rosenbrock
    req = TrajectoryRequest(ROSEN, specs, STARTS, steps=100, dtype=torch.float64)
    res = run(run_trajectories, req)
    assert (res.diverged_at[0] > 0).all() and (res.diverged_at[1] == -1).all()
    for s in range(3):
        k = res.diverged_at[0, s]
        frozen = res.positions[0, s, k - 1]
        assert np.isfinite(frozen).all()
        assert (res.positions[0, s, k:] == frozen).all()
        assert np.isfinite(res.losses[0, s]).all()
    assert np.isfinite(res.positions[1]).all()


def test_noise_is_seeded_and_acts_like_langevin():
    q = get_surface("quadratic", kappa=1, angle=0)
    starts = np.zeros((2000, 2))
    base = dict(surface=q, specs=[OptimizerSpec("sgd", {"lr": 0.05})], starts=starts, steps=200, dtype=torch.float64,
                record_every=200, record_state=False)
    a = run(run_trajectories, TrajectoryRequest(**base, noise=1.0, seed=3))
    b = run(run_trajectories, TrajectoryRequest(**base, noise=1.0, seed=3))
    assert np.array_equal(a.positions, b.positions)
    # θ ← (1 − γ)θ − γσξ: stationary variance γσ²/(2 − γ) per coordinate
    var = a.positions[0, :, -1].var(0)
    np.testing.assert_allclose(var, 0.05 / 1.95, rtol=0.1)


def test_partials_progress_and_cancellation():
    partials, progress = [], []
    req = TrajectoryRequest(ROSEN, [parse_spec("adam:lr=0.001")], STARTS, steps=20000, record_every=100)
    cancel = threading.Event()

    def on_partial(r):
        partials.append(r)
        if len(partials) == 2:
            cancel.set()
            on_partial.t = time.perf_counter()

    with pytest.raises(Cancelled):
        run(run_trajectories, req, on_partial=on_partial, on_progress=progress.append, cancel_event=cancel)
    assert time.perf_counter() - on_partial.t < 0.2
    first, second = partials
    assert first.positions.shape[2] <= second.positions.shape[2]
    assert second.positions.shape[:2] == (1, 3) and len(second.steps) == second.positions.shape[2]
    assert progress and progress[-1].message.startswith("step ")


def test_zeroth_order_runs_in_the_batch():
    req = TrajectoryRequest(get_surface("booth"), [parse_spec("zeroth_order:lr=0.02,samples=4")], np.array([[-5.0, 5.0]]),
                            steps=300, dtype=torch.float64)
    res = run(run_trajectories, req)
    assert res.losses[0, 0, -1] < 1e-3 * res.losses[0, 0, 0]
    assert "gradient_estimate" in res.states
