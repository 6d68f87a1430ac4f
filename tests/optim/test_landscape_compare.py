"""The compare job (many optimizers on one real-network plane, BatchNorm on/off) and `workbench run landscape`."""
from __future__ import annotations

import json
import threading

import numpy as np
import pytest

import cli
from engines.errors import InputError
from engines.jobs import Cancelled, run
from tasks.landscape_compare import CompareRequest, compare_job, compare_tables, landscape_arrays

SPECS = ("sgd:lr=0.2", "adam:lr=0.01+lookahead:k=3,alpha=0.5")


@pytest.fixture(scope="module")
def compared():
    partials = []
    request = CompareRequest(SPECS, bn="both", plane="pca", steps=9, n=5, curvature_every=4)
    return run(compare_job, request, on_partial=partials.append), partials


def test_every_spec_trains_on_both_settings_from_one_start(compared):
    snap, _ = compared
    assert snap.stage == "done"
    assert [r.label for r in snap.runs] == ["sgd:lr=0.2 · no BN", "adam:lr=0.01+lookahead:k=3,alpha=0.5 · no BN",
                                            "sgd:lr=0.2 · BN", "adam:lr=0.01+lookahead:k=3,alpha=0.5 · BN"]
    no_bn, bn = snap.runs[:2], snap.runs[2:]
    for pair in (no_bn, bn):
        assert pair[0].losses[0] == pair[1].losses[0]  # same weights, same first minibatch
        assert pair[0].path_loss[0] == pair[1].path_loss[0]
        assert pair[0].losses[-1] != pair[1].losses[-1]
    assert no_bn[0].losses[0] != bn[0].losses[0]
    assert [r.lr for r in snap.runs] == [0.2, 0.01, 0.2, 0.01]


def test_one_landscape_per_setting_with_every_path_on_it(compared):
    snap, _ = compared
    assert [(land.bn, land.plane) for land in snap.landscapes] == [(False, "pca"), (True, "pca")]
    for land in snap.landscapes:
        assert land.loss.shape == (5, 5) and np.all(np.isfinite(land.loss))
        assert 0.0 < land.explained.sum() <= 1.0 and "mean" in land.center
        assert np.min(np.abs(land.a)) < 1e-12 and np.min(np.abs(land.b)) < 1e-12  # the centre is a grid point
    for r in snap.runs:
        land = snap.landscapes[int(r.bn)]
        assert r.path.shape == (len(r.steps), 2) and r.off_plane.shape == r.steps.shape
        assert np.all((r.off_plane >= 0) & (r.off_plane <= 1))
        assert land.a[0] <= r.path[:, 0].min() and r.path[:, 0].max() <= land.a[-1]
        assert list(r.smoothness.steps) == list(r.steps)
        assert list(r.curvature[0]) == [0, 4, 8, 9]


def test_interpolation_ends_at_the_runs_end_points(compared):
    snap, _ = compared
    assert [(line.run_a, line.run_b) for line in snap.interpolation] == [
        (snap.runs[0].label, snap.runs[1].label), (snap.runs[2].label, snap.runs[3].label)]
    line = snap.interpolation[1]
    at = {float(t): i for i, t in enumerate(np.round(line.t, 9))}
    assert line.t[0] == -0.5 and line.t[-1] == 1.5
    assert line.train_loss[at[0.0]] == pytest.approx(snap.runs[2].path_loss[-1], rel=1e-5)
    assert line.train_loss[at[1.0]] == pytest.approx(snap.runs[3].path_loss[-1], rel=1e-5)
    assert np.all((line.test_accuracy >= 0) & (line.test_accuracy <= 1))


def test_partials_stream_the_stages_in_order(compared):
    _, partials = compared
    stages = [p.stage for p in partials]
    assert stages[0] == "training" and "landscape" in stages and stages[-1] == "curves"
    order = ["training", "landscape", "curves"]
    assert [order.index(s) for s in stages] == sorted(order.index(s) for s in stages)
    evaluating = [p for p in partials if p.stage == "landscape"]
    assert np.isnan(evaluating[0].landscapes[-1].loss).any()  # the grid streams while it is evaluated


def test_tables_and_arrays(compared):
    snap, _ = compared
    tables = compare_tables(snap)
    assert len(tables["paths"]["run"]) == sum(len(r.steps) for r in snap.runs)
    assert list(tables["curvature"]) == ["run", "step", "top_eigenvalue", "lr"]
    assert len(tables["interpolation"]["t"]) == 2 * 41
    arrays = landscape_arrays(snap)
    assert list(arrays["landscapes"]) == ["no_bn", "bn"] and arrays["loss_bn"].shape == (5, 5)


def test_requests_are_checked():
    with pytest.raises(InputError, match="at least one optimizer"):
        run(compare_job, CompareRequest(()))
    with pytest.raises(InputError, match="grid must be between 5 and 201"):
        run(compare_job, CompareRequest(("sgd",), n=3))
    with pytest.raises(InputError, match="bn must be one of off, on, both"):
        run(compare_job, CompareRequest(("sgd",), bn="yes"))
    with pytest.raises(InputError, match="unknown optimizer"):
        run(compare_job, CompareRequest(("nosuch",)))
    with pytest.raises(InputError, match="endpoints plane needs at least two optimizer specs"):
        CompareRequest(("sgd:lr=0.1",), plane="endpoints").validated()


def test_one_run_interpolates_from_its_start_and_cancels():
    snap = run(compare_job, CompareRequest(("sgd:lr=0.1",), plane="random", steps=6, n=5))
    assert [(line.run_a, line.run_b) for line in snap.interpolation] == [("sgd:lr=0.1 start", "sgd:lr=0.1")]
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        run(compare_job, CompareRequest(("sgd",), steps=6, n=5), cancel_event=cancel)


def test_command_writes_every_file(tmp_path):
    out = tmp_path / "land"
    code = cli.main(["run", "landscape", "--optimizer", "sgd:lr=0.2", "--optimizer", "adam:lr=0.01",
                     "--plane", "endpoints", "--steps", "6", "--grid", "5", "--curvature-every", "0",
                     "--out", str(out)])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["landscape.npz", "paths.csv", "interpolation.csv", "curvature.csv", "smoothness.csv", "figure.png",
         "sidecar.json"])
    assert (out / "paths.csv").read_text().splitlines()[0] == "run,optimizer,bn,step,alpha,beta,loss,off_plane"
    assert (out / "curvature.csv").read_text().strip() == "run,step,top_eigenvalue,lr"
    sidecar = json.loads((out / "sidecar.json").read_text())
    assert sidecar["parameters"]["plane"] == "endpoints" and sidecar["parameters"]["optimizers"] == ["sgd:lr=0.2",
                                                                                                    "adam:lr=0.01"]
    assert sidecar["parameters"]["centres"] == {"no_bn": "the common start"}
    with np.load(out / "landscape.npz") as arrays:
        assert arrays["loss_no_bn"].shape == (5, 5)


def test_command_refuses_out_of_range_options(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "landscape", "--grid", "2", "--out", str(tmp_path / "x")])
    assert "grid must be between 5 and 201" in capsys.readouterr().err
    assert cli.main(["run", "landscape", "--bn", "on", "--checkpoint", str(tmp_path / "missing.pt"),
                     "--out", str(tmp_path / "y")]) != 0
    assert "applies to the built-in digits MLP" in capsys.readouterr().err
