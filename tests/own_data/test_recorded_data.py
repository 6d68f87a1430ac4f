"""Checkpoints remember their data: train on a file, run on the checkpoint alone, and be told when the file
moved or changed."""
import hashlib
import json
import shutil

import numpy as np
import pytest
import torch

from cli import main
from engines.data.provenance import DataFile, locate_data, record_data
from engines.errors import InputError
from engines.latent.checkpoint import load_checkpoint


@pytest.fixture
def trained(tmp_path):
    """A tiny VAE trained on 3-D points of a CSV with a header, its checkpoint in ckpt/x."""
    rng = np.random.default_rng(0)
    data = tmp_path / "data" / "points.csv"
    data.parent.mkdir()
    with open(data, "w") as handle:
        handle.write("a,b,c\n")
        np.savetxt(handle, rng.normal(size=(120, 3)), delimiter=",", fmt="%.6g")
    assert main(["train", "latent", "--model", "vae", "--dataset", str(data), "--latent", "2", "--hidden", "16",
                 "--epochs", "1", "--out", str(tmp_path / "ckpt" / "x"), "--device", "cpu"]) == 0
    return tmp_path, data


def _walk(tmp_path, *extra):
    return main(["run", "latent", "--checkpoint", str(tmp_path / "ckpt" / "x"), "--steps", "3", "--pairs", "10",
                 "--out", str(tmp_path / "walk"), *extra])


def test_the_checkpoint_records_where_its_data_lies_and_its_hash(trained):
    tmp_path, data = trained
    body = json.loads((tmp_path / "ckpt" / "x.json").read_text())
    assert body["data_file"] == {"relative": "../data/points.csv", "absolute": str(data.resolve()),
                                 "sha256": hashlib.sha256(data.read_bytes()).hexdigest(), "labels": None}


def test_run_uses_the_recorded_data_and_its_rows(trained, capsys):
    tmp_path, data = trained
    assert _walk(tmp_path, "--from", "7", "--to", "11", "--mode", "lerp") == 0
    with np.load(tmp_path / "walk" / "path.npz") as path:
        latents, decoded = path["latents"], path["decoded"]
    assert decoded.shape == (3, 3)
    rows = torch.from_numpy(np.loadtxt(data, delimiter=",", skiprows=1, dtype=np.float32)[[7, 11]])
    with torch.no_grad():  # the ends are the codes of the file's rows 7 and 11, not of a shuffled order
        ends = load_checkpoint(tmp_path / "ckpt" / "x.safetensors").model.latent(rows).numpy()
    np.testing.assert_allclose(latents[[0, -1]], ends, rtol=1e-4, atol=1e-5)
    assert json.loads((tmp_path / "walk" / "metrics.json").read_text())["items"] == [7, 11]
    assert json.loads((tmp_path / "walk" / "sidecar.json").read_text())["parameters"]["dataset"] == str(data.resolve())
    assert "changed since" not in capsys.readouterr().out


def test_a_folder_moved_with_its_data_still_finds_it(trained):
    tmp_path, _ = trained
    moved = tmp_path / "moved"
    moved.mkdir()
    for name in ("ckpt", "data"):
        shutil.move(tmp_path / name, moved / name)
    assert main(["run", "latent", "--checkpoint", str(moved / "ckpt" / "x"), "--steps", "3", "--pairs", "10",
                 "--out", str(tmp_path / "walk")]) == 0


def test_a_moved_file_is_named_and_dataset_overrides(trained, capsys):
    tmp_path, data = trained
    data.rename(tmp_path / "points.csv")
    assert _walk(tmp_path) == 1
    err = capsys.readouterr().err
    assert "x.safetensors was trained on points.csv, which is not at" in err and "--dataset PATH" in err
    assert _walk(tmp_path, "--dataset", str(tmp_path / "points.csv")) == 0


def test_a_changed_file_is_said_and_still_used(trained, capsys):
    tmp_path, data = trained
    with open(data, "a") as handle:
        handle.write("0.5,0.5,0.5\n")
    assert _walk(tmp_path) == 0
    assert "changed since x.safetensors was trained on it (its sha256 differs" in capsys.readouterr().out


def test_records_of_folders_hash_names_and_bytes(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"one")
    first = record_data(folder, tmp_path / "ck" / "x.safetensors")
    assert first.relative == "../imgs" and locate_data(first, tmp_path / "ck" / "x.safetensors").note is None
    (folder / "a.png").rename(folder / "b.png")  # same bytes, another name: another data set
    assert "changed since" in locate_data(first, tmp_path / "ck" / "x.safetensors").note
    assert DataFile.from_body({"data_file": first.as_dict()}) == first
    assert DataFile.from_body({"data_file": {"absolute": 3}}) is None
    with pytest.raises(InputError, match="which is not at .*gone any more"):
        locate_data(DataFile("gone", str(tmp_path / "gone"), "0"), tmp_path / "x.safetensors")
