"""``workbench train latent`` and ``workbench run latent``: files, numbers and one-line errors."""
import json
import subprocess
import sys

import numpy as np
from PySide6 import QtGui

from cli import main


def test_train_then_run(tmp_path, capsys):
    ckpt = tmp_path / "vae"
    assert main(["train", "latent", "--model", "vae", "--latent", "4", "--epochs", "3", "--hidden", "32",
                 "--out", str(ckpt), "--device", "cpu"]) == 0
    meta = json.loads((tmp_path / "vae.json").read_text())
    assert meta["model"]["latent"] == 4 and meta["train"]["epochs"] == 3 and meta["dataset"]["name"] == "digits"
    assert meta["run"]["steps"] == 3 * (1437 // 64) and len(meta["history"]["total"]) == 3
    assert "held-out -ELBO" in capsys.readouterr().out
    out = tmp_path / "walk"
    assert main(["run", "latent", "--checkpoint", str(tmp_path / "vae.safetensors"), "--from", "3", "--to", "7",
                 "--steps", "6", "--mode", "lerp", "--pairs", "50", "--out", str(out)]) == 0
    strip = QtGui.QImage(str(out / "strip.png"))
    assert strip.width() == 8 * (6 * 8 + 5) and strip.height() == 64
    with np.load(out / "path.npz") as path:
        assert path["latents"].shape == (6, 4) and path["decoded"].shape == (6, 8, 8, 1)
        np.testing.assert_allclose(path["latents"][2], 0.6 * path["latents"][0] + 0.4 * path["latents"][5])
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["mode"] == "lerp" and len(metrics["norms"]) == 6 and metrics["items"] == [3, 7]
    assert metrics["perceptual_path_length"]["slerp"]["mean"] > 0
    sidecar = json.loads((out / "sidecar.json").read_text())
    assert {f["name"] for f in sidecar["files"]} == {"strip.png", "path.npz", "metrics.json"}
    assert sidecar["checkpoint_sha256"] == meta["sha256"]


def test_run_with_the_bundled_model_and_prior_pair(tmp_path):
    out = tmp_path / "prior"
    assert main(["run", "latent", "--prior-seed", "4", "--steps", "5", "--pairs", "20", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["mode"] == "slerp" and metrics["latent_size"] == 16
    norms = np.asarray(metrics["norms"])
    assert np.all(norms >= min(norms[0], norms[-1]) - 1e-9)  # slerp stays on (or above) the smaller end norm


def test_hostile_checkpoint_exits_with_one_line(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x80\x02cos\nsystem\nq\x00X\x05\x00\x00\x00touchq\x01\x85q\x02Rq\x03.")
    proc = subprocess.run([sys.executable, "-m", "workbench", "run", "latent", "--checkpoint", str(bad),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused to load bad.pt" in lines[0]
