"""Non-finite results: optimizer runs on formulas with undefined regions, from NaN/inf starts or on constant
formulas never raise a raw exception, and every row that is not finite is marked in the data (``status``)
and said in a sentence."""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engines.errors import InputError
from tasks.optimizer import SurfaceChoice, TrajectoriesRequest, endings, trajectories_job, trajectory_table
from tasks.runner import run

SPECS = ("sgd:lr=0.05", "adam:lr=0.1", "zeroth_order:lr=0.05")
LEAVES = st.sampled_from(["x", "y", "1", "0", "pi", "e", "0.5", "2"])
UNARY = ("sin", "cos", "exp", "log", "sqrt", "abs", "tanh", "atan")


def formulas() -> st.SearchStrategy[str]:
    """Formulas of a small grammar: leaves, unary functions, + - * / ** and min/max."""
    return st.recursive(LEAVES, lambda inner: st.one_of(
        st.tuples(st.sampled_from(UNARY), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
        st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
    ), max_leaves=6)


COORDINATE = st.one_of(st.floats(-3, 3), st.sampled_from([math.nan, math.inf, -math.inf, 0.0]))
STARTS = st.lists(st.tuples(COORDINATE, COORDINATE), min_size=1, max_size=4)


def trajectories(formula: str, starts, steps: int = 30):
    request = TrajectoriesRequest(SurfaceChoice("expression", expression=formula), SPECS, np.asarray(starts, float),
                                  steps, grid_n=16)
    return run(trajectories_job, request).result


def assert_marked(result) -> None:
    table = trajectory_table(result)
    finite = np.isfinite(table["x"]) & np.isfinite(table["y"]) & np.isfinite(table["loss"])
    assert set(table["status"]) <= {"ok", "diverged", "undefined"}
    assert (table["status"][~finite] != "ok").all(), "a row that is not finite is marked ok"
    stopped = int((result.status != 0).sum())
    said = endings(result, "trajectories.csv")
    assert sum(int(sentence.split(" of ")[0]) for sentence in said) == stopped
    assert all("trajectories.csv" in sentence for sentence in said)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas(), STARTS)
def test_any_formula_from_any_start_raises_nothing_raw_and_marks_every_non_finite_row(formula, starts):
    try:
        result = trajectories(formula, starts)
    except InputError as exc:  # a formula not finite anywhere on the bounds is refused with a sentence
        assert "formula" in str(exc)
        return
    assert_marked(result)


@pytest.mark.parametrize("formula, start, status", [
    ("sqrt(x)+y**2", (-1.0, 1.0), "undefined"),
    ("log(x)", (-2.0, 0.0), "undefined"),
    ("1/(x*y)", (0.0, 1.0), "undefined"),
    ("x**2+y**2", (math.nan, 1.0), "undefined"),
    ("x**2+y**2", (math.inf, 1.0), "diverged"),
    ("x**2+y**2", (1.0, 1.0), "ok"),
])
def test_the_documented_cases_are_marked_from_the_step_it_happened(formula, start, status):
    result = trajectories(formula, [start])
    table = trajectory_table(result)
    assert set(table["status"]) == {status}  # from step 0: every row
    assert_marked(result)


def test_a_run_that_reaches_the_undefined_region_is_ok_until_then_and_frozen_after():
    result = trajectories("log(x) + y**2", [(0.5, 1.0)], steps=40)  # gradient 1/x pushes x below 0
    table = trajectory_table(result)
    sgd = table["optimizer"] == "sgd:lr=0.05"
    first = int(np.flatnonzero(table["status"][sgd] != "ok")[0])
    assert first > 0 and (table["status"][sgd][first:] == "undefined").all()
    assert np.isfinite(table["loss"][sgd][:first]).all()
    assert len(set(table["x"][sgd][first:])) == 1  # it stays where it stopped
    (sentence,) = [s for s in endings(result, "trajectories.csv") if "defined region" in s]
    assert sentence.endswith("marked `undefined` in trajectories.csv")


@pytest.mark.parametrize("formula", ["1", "pi*e", "0*x + 3"])
def test_a_constant_formula_runs_with_zero_gradient(formula):
    result = trajectories(formula, [(1.0, -2.0), (0.0, 0.0)])
    assert (result.status == 0).all() and endings(result) == []
    np.testing.assert_array_equal(result.positions[0, :, -1], [[1.0, -2.0], [0.0, 0.0]])  # sgd never moves
    assert np.isfinite(result.losses).all()


def test_the_command_says_how_many_runs_stopped_and_writes_the_status_column(tmp_path, capsys):
    import csv

    import cli

    code = cli.main(["run", "optimizer", "--expr", "log(x)", "--steps", "5", "--optimizer", "sgd:lr=0.1",
                     "--start=-1,0", "--start", "1,1", "--out", str(tmp_path)])
    assert code in (0, None)
    printed = capsys.readouterr().out
    assert ("1 of 2 trajectories left the surface's defined region (loss not finite at step 0): marked `undefined` "
            "in trajectories.csv.") in printed
    with open(tmp_path / "trajectories.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {(r["start"], r["status"]) for r in rows} == {("0", "undefined"), ("1", "ok")}


def test_the_optimizer_panel_says_which_runs_stopped(qtbot, make_panel):
    import workbench.panels.optimizer as optimizer
    from workbench.panels.optimizer.surface_picker import EXPRESSION

    panel = make_panel(optimizer)
    with qtbot.waitSignal(panel.first_job_done, timeout=90_000):
        panel.start()
    panel.picker.combo.setCurrentText(EXPRESSION)
    panel.picker.expression.setText("log(x) + y**2")
    assert panel.picker.apply_expression()
    qtbot.waitUntil(lambda: any("defined region" in m for m in panel.messages), timeout=90_000)
    said = [m for m in panel.messages if "defined region" in m][-1]
    stopped = int((panel.snapshot.result.status == 2).sum())  # undefined
    assert f"{stopped} of {panel.snapshot.result.status.size} trajectories" in said


class EveryOtherNaN:
    """A denoiser whose x̂0 is NaN for every other sample (a model that diverges on part of the batch)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        for name in ("shape", "sigma_min", "sigma_max", "kind", "schedule", "device"):
            setattr(self, name, getattr(inner, name))

    def __call__(self, x, a, b):
        out = self.inner(x, a, b).clone()
        out[::2] = float("nan")
        return out


@settings(max_examples=10, deadline=None)
@given(st.integers(2, 40))
def test_diffusion_samples_that_are_not_finite_are_counted_and_said(samples):
    from tasks.diffusion import SampleRequest, non_finite_runs, open_source, run_metrics, sample_job, samples_array

    source = open_source("mixture:eight_gaussians")
    source.model = EveryOtherNaN(source.model)
    request = SampleRequest(source, [("ddim", {}), ("heun", {})], nfe=4, samples=samples, device="cpu")
    outcome = run(sample_job, request)
    bad = (~np.isfinite(samples_array(outcome))).any(-1).sum(-1)  # per sampler
    assert (bad == (samples + 1) // 2).all()
    metrics = run_metrics(request, outcome)["samplers"]
    assert [m["non_finite_samples"] for m in metrics] == bad.tolist()
    assert all("sliced_wasserstein" not in m for m in metrics)  # not scored
    said = non_finite_runs(outcome, "samples.npy")
    assert len(said) == 2 and f"{bad[0]} of {samples} samples are not finite" in said[0]
    assert "kept as they are in samples.npy" in said[0]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 29), min_size=1, max_size=5, unique=True),
       st.sampled_from([math.nan, math.inf, -math.inf]))
def test_cluster_inputs_with_non_finite_rows_are_refused_naming_how_many_and_the_first(rows, value):
    from engines.cluster.data import from_arrays

    x = np.random.default_rng(0).normal(size=(30, 3))
    x[rows, 1] = value
    with pytest.raises(InputError) as info:
        from_arrays("points.npy", x)
    assert str(info.value).startswith(f"points.npy: {len(rows)} of 30 rows hold NaN or infinite values "
                                      f"(the first is row {min(rows)}, counting from 0)")
