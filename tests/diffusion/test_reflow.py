"""Reflow (Liu et al. 2022): the straightness measure against closed forms, straighter paths and better
one-step samples after one round on a tiny problem, and ``train diffusion --objective flow --reflow R``."""
import math

import numpy as np
import pytest
import torch
from scipy import integrate

from engines.diffusion.mixture import GaussianMixture
from engines.diffusion.reflow import flow_paths


def test_paths_to_a_point_are_straight():
    """All mass at μ: the exact velocity (x − μ)/t points straight at μ, so S = 0 and one Euler step lands on μ."""
    mix = GaussianMixture([[1.5, -0.5]], 1e-6)
    noise = torch.randn(200, 2, generator=torch.Generator().manual_seed(0))
    x, s = flow_paths(mix, noise, 1)
    torch.testing.assert_close(x, torch.tensor([[1.5, -0.5]]).expand(200, 2), atol=1e-4, rtol=0)
    _, s = flow_paths(mix, noise, 50)
    assert s.max() < 1e-6


def test_straightness_of_a_gaussian_matches_the_closed_form():
    """Data N(0, s²I): the exact flow moves x = c(t)·ε with c(t) = √((1−t)²s² + t²), so per row
    S = ‖ε‖² ∫₀¹ (c′(t) − (1 − s))² dt (computed by scipy's quadrature)."""
    s_data = 0.5
    mix = GaussianMixture([[0.0, 0.0]], s_data)
    noise = torch.randn(100, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    c = lambda t: math.sqrt((1 - t) ** 2 * s_data ** 2 + t ** 2)  # noqa: E731
    dc = lambda t: (t - (1 - t) * s_data ** 2) / c(t)  # noqa: E731
    expected, _ = integrate.quad(lambda t: (dc(t) - (1 - s_data)) ** 2, 0, 1)
    mix.means, mix.stds, mix.log_weights = mix.means.double(), mix.stds.double(), mix.log_weights.double()
    _, s = flow_paths(mix, noise, 400)
    np.testing.assert_allclose(s / noise.square().sum(1).numpy(), expected, rtol=2e-2)
    assert expected > 0.01  # curved: the test can tell straight from not


def test_one_reflow_round_straightens_the_paths():
    from engines.diffusion.data import DiffusionData
    from engines.diffusion.reflow import reflow_job
    from engines.data import make_toy
    from engines.jobs import Reporter

    train, _ = make_toy("moons", 2000, 0)
    held, _ = make_toy("moons", 1000, 1)
    partials = []
    result = reflow_job(Reporter(on_partial=partials.append), DiffusionData("moons", "points", train, held), rounds=1,
                        steps=120, pairs=512, pair_steps=16, batch=128, device="cpu",
                        measure_samples=400)
    first, second = result.rounds
    assert second.straightness.high < first.straightness.low
    sw = result.columns()["one_step_sliced_wasserstein"]
    assert sw[1] < sw[0]
    assert [len(p.rounds) for p in partials] == [1, 2]
    curves = result.curves()
    assert list(curves.labels.values()) == ["reflow round 0 (flow matching)", "reflow round 1"] and curves.nfes["round1"][:2] == [1, 2]


def test_reflow_refuses_other_objectives(tmp_path, capsys):
    from cli import main

    assert main(["train", "diffusion", "--dataset", "moons", "--objective", "ddpm", "--reflow", "1", "--steps", "5",
                 "--out", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--objective flow" in err[0]


def test_reflow_command_writes_rounds_and_straightness(tmp_path, capsys):
    from cli import main

    out = tmp_path / "fm.safetensors"
    assert main(["train", "diffusion", "--dataset", "moons", "--objective", "flow", "--reflow", "2", "--steps", "30",
                 "--pairs", "128", "--pair-steps", "4", "--batch", "64", "--out", str(out), "--device", "cpu"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["fm-reflow1.json", "fm-reflow1.safetensors", "fm-reflow2.json", "fm-reflow2.safetensors",
                     "fm.json", "fm.safetensors", "straightness.csv"]
    lines = (tmp_path / "straightness.csv").read_text().splitlines()
    assert lines[0].startswith("round,straightness,ci95_half_width") and [l.split(",")[0] for l in lines[1:]] == ["0", "1", "2"]
    assert "round 2: straightness" in capsys.readouterr().out


def test_a_failed_reflow_save_leaves_the_old_files_as_they_were(tmp_path, monkeypatch):
    import engines.export.tables as tables
    from cli import main
    from engines.errors import InputError

    out = tmp_path / "fm.safetensors"
    out.write_bytes(b"old weights")

    def fail(*_args, **_kwargs):
        raise InputError("the disk is full")

    monkeypatch.setattr(tables, "write_csv", fail)  # straightness.csv, written after every round's checkpoint
    assert main(["train", "diffusion", "--dataset", "moons", "--objective", "flow", "--reflow", "1", "--steps", "20",
                 "--pairs", "64", "--pair-steps", "2", "--batch-size", "32", "--out", str(out), "--device", "cpu"]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fm.safetensors"]
    assert out.read_bytes() == b"old weights"


@pytest.mark.parametrize("path,round,name", [("a/m.safetensors", 0, "m.safetensors"), ("a/m.safetensors", 3, "m-reflow3.safetensors"),
                                             ("a/m", 1, "m-reflow1"), ("a/m.v2", 1, "m.v2-reflow1")])
def test_round_paths(path, round, name):
    from tasks.diffusion_reflow import round_path

    assert round_path(path, round).name == name
