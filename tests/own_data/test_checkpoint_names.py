"""Checkpoints named as ``train --out`` named them, and weights whose bytes depend on the training inputs only."""
import hashlib
import json

import pytest

from cli import main
from engines.checkpoints.stem import resolve_checkpoint
from engines.errors import InputError


def _train_latent(out, *extra):
    return main(["train", "latent", "--model", "vae", "--dataset", "moons", "--latent", "2", "--hidden", "16",
                 "--epochs", "1", "--out", str(out), "--device", "cpu", *extra])


def test_retraining_with_the_same_seed_writes_the_same_weights_file_and_hash(tmp_path):
    assert _train_latent(tmp_path / "a" / "x") == 0 and _train_latent(tmp_path / "b" / "x") == 0
    first, second = (json.loads((tmp_path / d / "x.json").read_text()) for d in "ab")
    assert first["run"]["seconds"] >= 0  # the timing stays in the JSON ...
    data = [(tmp_path / d / "x.safetensors").read_bytes() for d in "ab"]
    assert data[0] == data[1]  # ... and out of the weights file, whose hash is the recorded one
    assert first["sha256"] == second["sha256"] == hashlib.sha256(data[0]).hexdigest()


def test_diffusion_retraining_gives_the_same_hash(tmp_path):
    for d in "ab":
        assert main(["train", "diffusion", "--dataset", "moons", "--steps", "3", "--device", "cpu",
                     "--out", str(tmp_path / d / "m")]) == 0
    assert len({json.loads((tmp_path / d / "m.json").read_text())["sha256"] for d in "ab"}) == 1


def test_the_stem_train_out_took_opens_the_checkpoint(tmp_path, capsys):
    assert _train_latent(tmp_path / "ckpt" / "x") == 0
    assert resolve_checkpoint(tmp_path / "ckpt" / "x") == tmp_path / "ckpt" / "x.safetensors"
    assert main(["run", "latent", "--checkpoint", str(tmp_path / "ckpt" / "x"), "--steps", "3", "--pairs", "10",
                 "--out", str(tmp_path / "walk")]) == 0
    sidecar = json.loads((tmp_path / "walk" / "sidecar.json").read_text())
    assert sidecar["parameters"]["checkpoint"] == str(tmp_path / "ckpt" / "x.safetensors")


def test_an_ambiguous_stem_is_refused_with_the_candidates(tmp_path, capsys):
    for suffix in (".safetensors", ".pt"):
        (tmp_path / f"x{suffix}").write_bytes(b"not read")
    with pytest.raises(InputError, match=r"x names 2 checkpoints: x\.safetensors, x\.pt"):
        resolve_checkpoint(tmp_path / "x")
    assert main(["run", "diffusion", "--checkpoint", str(tmp_path / "x"), "--out", str(tmp_path / "o")]) == 1
    assert "x.safetensors, x.pt" in capsys.readouterr().err


def test_a_missing_name_is_left_to_the_reader(tmp_path):
    assert resolve_checkpoint(tmp_path / "nothing") == tmp_path / "nothing"
