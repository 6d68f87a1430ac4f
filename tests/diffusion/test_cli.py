"""``workbench run diffusion`` and ``workbench train diffusion``: files written, errors on one line."""
import json

import numpy as np
import pytest

from cli import main


def test_run_mixture_writes_everything(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "diffusion", "--mixture", "eight_gaussians", "--sampler", "ddim:eta=0.3", "--sampler", "heun",
                 "--nfe", "9", "--samples", "200", "--seed", "3", "--out", str(out), "--device", "cpu"])
    assert code == 0, capsys.readouterr().err
    samples = np.load(out / "samples.npy")
    assert samples.shape == (2, 200, 2) and np.isfinite(samples).all()
    with np.load(out / "frames.npz") as frames:
        assert list(frames["samplers"]) == ["ddim", "heun"]
        assert frames["x_ddim"].shape == (9, 200, 2) and frames["x0_heun"].shape == (9, 200, 2)
        assert frames["sigma_heun"].shape == (9,)
    metrics = json.loads((out / "metrics.json").read_text())
    assert [s["nfe"] for s in metrics["samplers"]] == [9, 9]
    assert all(s["sliced_wasserstein"] > 0 and "mmd" in s for s in metrics["samplers"])
    assert (out / "figure.png").stat().st_size > 1000
    sidecar = json.loads((out / "sidecar.json").read_text())
    assert sidecar["seed"] == 3 and {f["name"] for f in sidecar["files"]} >= {"samples.npy", "frames.npz", "metrics.json", "figure.png"}


def test_train_then_run_checkpoint(tmp_path, capsys):
    ckpt = tmp_path / "tiny"
    assert main(["train", "diffusion", "--dataset", "moons", "--objective", "flow", "--steps", "60", "--batch-size", "128",
                 "--out", str(ckpt), "--device", "cpu"]) == 0
    assert (tmp_path / "tiny.safetensors").exists() and (tmp_path / "tiny.json").exists()
    out = tmp_path / "run"
    assert main(["run", "diffusion", "--checkpoint", str(tmp_path / "tiny.safetensors"), "--sampler", "flow_euler",
                 "--nfe", "5", "--samples", "50", "--out", str(out), "--device", "cpu"]) == 0
    sidecar = json.loads((out / "sidecar.json").read_text())
    assert sidecar["checkpoint_sha256"] == json.loads((tmp_path / "tiny.json").read_text())["sha256"]
    assert "sliced_wasserstein" in json.loads((out / "metrics.json").read_text())["samplers"][0]


@pytest.mark.parametrize("args,needle", [
    (["--mixture", "nope"], "unknown mixture"),
    (["--sampler", "warp"], "unknown sampler"),
    (["--sampler", "euler:eta=1"], "no setting"),
    (["--checkpoint", "/no/such/file.safetensors"], "does not exist"),
])
def test_errors_are_one_line(tmp_path, capsys, args, needle):
    assert main(["run", "diffusion", *args, "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("workbench: error:") and needle in err[0]


def test_help_lists_the_catalogues(capsys):
    from engines.diffusion.catalogue import MIXTURES, OBJECTIVES, SAMPLERS, TRAINING_SETS

    with pytest.raises(SystemExit):
        main(["run", "diffusion", "--help"])
    text = capsys.readouterr().out
    for sampler in SAMPLERS:
        assert f"  {sampler.name} " in text and sampler.description in text
    assert all(name in text for name in MIXTURES.names)
    with pytest.raises(SystemExit):
        main(["train", "diffusion", "--help"])
    text = capsys.readouterr().out
    assert "{ddpm,edm,flow}" in text and all(o.description in text for o in OBJECTIVES)
    assert all(name in text for name in TRAINING_SETS.names) and "{eps,x0,v}" in text


def test_bad_sampler_setting_names_the_range(tmp_path, capsys):
    assert main(["run", "diffusion", "--sampler", "ddim:eta=1.5", "--out", str(tmp_path / "o")]) == 1
    assert "ddim eta must be between 0 and 1, got 1.5" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
