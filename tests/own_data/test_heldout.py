"""run diffusion on a model trained on the user's points: scored against the rows training held out, found
from what the checkpoint records, or one line saying why not."""
import json

import numpy as np
import pytest

from cli import main
from engines.diffusion.heldout import recorded_heldout
from engines.errors import InputError


@pytest.fixture
def trained(tmp_path):
    rng = np.random.default_rng(0)
    kind = rng.integers(3, size=300)
    points = rng.normal(size=(300, 2)) * 0.3 + kind[:, None]
    data = tmp_path / "pts.csv"
    with open(data, "w") as handle:
        handle.write("u,v,kind\n")
        np.savetxt(handle, np.column_stack([points, kind]), delimiter=",", fmt="%.6g")
    assert main(["train", "diffusion", "--dataset", str(data), "--labels", "kind", "--steps", "5", "--seed", "3",
                 "--device", "cpu", "--out", str(tmp_path / "ck" / "m")]) == 0
    return tmp_path, np.loadtxt(data, delimiter=",", skiprows=1)[:, :2]


def _run(tmp_path, *extra):
    return main(["run", "diffusion", "--checkpoint", str(tmp_path / "ck" / "m"), "--sampler", "ddim", "--nfe", "3",
                 "--samples", "50", "--device", "cpu", "--out", str(tmp_path / "run"), *extra])


def test_the_reference_is_the_rows_the_seeded_split_held_out(trained):
    tmp_path, points = trained
    body = json.loads((tmp_path / "ck" / "m.json").read_text())
    assert body["split"]["seed"] == 3 and body["split"]["heldout"] == 60 and body["data_file"]["labels"] == "kind"
    held = recorded_heldout(body, tmp_path / "ck" / "m.safetensors", (2,))
    rows = np.random.default_rng(3).permutation(300)[:60]  # the split rule the checkpoint states
    np.testing.assert_allclose(held.reference, points[rows], rtol=1e-6)
    assert held.note is None and held.about == "60 of the 300 rows of pts.csv held out by the training split (seed 3)"


def test_run_writes_metrics_against_the_held_out_rows(trained, capsys):
    tmp_path, _ = trained
    assert _run(tmp_path) == 0
    assert "scored against 60 of the 300 rows of pts.csv" in capsys.readouterr().out
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["samplers"][0]["sliced_wasserstein"] > 0 and "note" not in metrics


def test_a_moved_file_gives_no_metrics_and_one_line_why(trained, capsys):
    tmp_path, _ = trained
    (tmp_path / "pts.csv").rename(tmp_path / "moved.csv")
    assert _run(tmp_path) == 0
    out = capsys.readouterr().out
    note = next(line for line in out.splitlines() if line.startswith("note: no quality metrics"))
    assert "m.safetensors was trained on pts.csv, which is" in note and "--dataset PATH" in note
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert "sliced_wasserstein" not in metrics["samplers"][0] and metrics["note"] == note[len("note: "):]
    assert _run(tmp_path, "--dataset", str(tmp_path / "moved.csv")) == 0  # --dataset: where it is now
    assert "sliced_wasserstein" in json.loads((tmp_path / "run" / "metrics.json").read_text())["samplers"][0]


def test_checkpoints_that_record_no_place_say_so(trained):
    tmp_path, _ = trained
    body = json.loads((tmp_path / "ck" / "m.json").read_text())
    del body["data_file"]
    held = recorded_heldout(body, tmp_path / "ck" / "m.safetensors", (2,))
    assert held.reference is None and "names its data set pts.csv but not where it lies" in held.note
    assert "does not say what data" in recorded_heldout({}, tmp_path / "x.pt", (2,)).note
    with pytest.raises(InputError, match=r"digits holds items of shape \[1, 8, 8\] but m.safetensors makes \[2\]"):
        recorded_heldout(body, tmp_path / "ck" / "m.safetensors", (2,), "digits")
