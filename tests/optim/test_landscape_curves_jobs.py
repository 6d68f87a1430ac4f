"""tasks.landscape_curves: interpolation and curvature jobs on saved training runs; the end points of the
line equal the losses the training engine recorded for those snapshots."""
from __future__ import annotations

import numpy as np
import pytest

from engines.errors import InputError
from engines.jobs import run
from engines.landscape.runs import save_run
from engines.landscape.training import train_run
from tasks.landscape import registry
from tasks.landscape_curves import CurvatureRequest, InterpolationRequest, curvature_job, interpolation_job


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    first = run(train_run, registry(), "sgd:lr=0.2", steps=30, save_every=10, arch_config={"hidden": [8]})
    other = run(train_run, registry(), "sgd", steps=10, save_every=10, arch_config={"hidden": [6]})
    return first, save_run(first, folder / "a"), save_run(other, folder / "other")


def test_interpolation_job_ends_are_the_recorded_losses(saved):
    trained, folder, _ = saved
    line = run(interpolation_job, InterpolationRequest(str(folder), a_snapshot=0, b_snapshot=-1, n=9))
    assert line.t[2] == 0.0 and line.t[6] == 1.0
    assert line.train_loss[2] == pytest.approx(trained.train_loss[0], abs=1e-5)
    assert line.train_loss[6] == pytest.approx(trained.train_loss[-1], abs=1e-5)
    assert line.test_loss[6] == pytest.approx(trained.test_loss[-1], abs=1e-5)
    assert line.test_metric[6] == pytest.approx(trained.test_metric[-1], abs=1e-6)


def test_interpolation_job_refuses_other_architectures_and_missing_snapshots(saved):
    _, folder, other = saved
    with pytest.raises(InputError, match="different architectures"):
        run(interpolation_job, InterpolationRequest(str(folder), str(other)))
    with pytest.raises(InputError, match="snapshot 9 does not exist"):
        run(interpolation_job, InterpolationRequest(str(folder), a_snapshot=9))


def test_curvature_job_every_other_snapshot_and_the_last(saved):
    _, folder, _ = saved
    along = run(curvature_job, CurvatureRequest(str(folder), every=2, max_iter=50))
    assert list(along.steps) == [0, 20, 30]
    assert along.threshold == pytest.approx(10.0) and np.isfinite(along.top_eigenvalue).all()
    with pytest.raises(InputError, match="every"):
        run(curvature_job, CurvatureRequest(str(folder), every=0))
