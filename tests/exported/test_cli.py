"""Exported programs of architectures Workbench does not define, opened through ``workbench manifest`` and
``workbench run latent|diffusion --checkpoint MODEL.pt2``: what the commands compute matches running the
original modules directly (≤ 1e-5 in float32), every sampler runs at the NFE asked for, and a hostile
archive is refused on one line without running."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import cli
from engines.diffusion.checkpoint import load as load_diffusion
from engines.diffusion.models import VPModel
from engines.diffusion.schedules import VPSchedule
from engines.latent.checkpoint import load_checkpoint
from tests.exported.archives import denoiser_pt2, hostile_pt2, latent_pt2

TOLERANCE = 1e-5


class PerRowTime(torch.nn.Module):
    """The original module called as the engine's wrappers call a network: t a float."""

    def __init__(self, net: torch.nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor, t: float) -> torch.Tensor:
        return self.net(x, torch.full((len(x),), float(t)))


@pytest.fixture(scope="module")
def latent(tmp_path_factory):
    folder = tmp_path_factory.mktemp("latent")
    decoder_path, _, decoder, encoder = latent_pt2(folder)
    assert cli.main(["manifest", str(decoder_path), "--role", "latent", "--latent-size", "8", "--data-shape", "1,8,8",
                     "--encoder", "encoder.pt2"]) == 0
    return decoder_path, decoder, encoder


@pytest.fixture(scope="module")
def denoiser(tmp_path_factory):
    path, net = denoiser_pt2(tmp_path_factory.mktemp("diffusion"))
    assert cli.main(["manifest", str(path), "--role", "diffusion", "--data-shape", "2", "--objective", "ddpm",
                     "--prediction", "eps", "--schedule", "cosine"]) == 0
    return path, net


def test_the_latent_model_decodes_and_encodes_as_the_modules(latent):
    path, decoder, encoder = latent
    model = load_checkpoint(path).model
    z, x = torch.randn(9, 8), torch.rand(9, 1, 8, 8)
    with torch.no_grad():
        assert (model.decode(z) - decoder(z)).abs().max() <= TOLERANCE
        mean, logvar = model.encode(x)
        assert (mean - encoder(x)[0]).abs().max() <= TOLERANCE and (logvar - encoder(x)[1]).abs().max() <= TOLERANCE


def test_run_latent_walks_with_the_exported_decoder(latent, tmp_path, capsys):
    path, decoder, _ = latent
    assert cli.main(["run", "latent", "--checkpoint", str(path), "--steps", "5", "--pairs", "20",
                     "--out", str(tmp_path / "walk")]) == 0
    walk = np.load(tmp_path / "walk" / "path.npz")
    with torch.no_grad():
        expected = decoder(torch.from_numpy(walk["latents"]).float()).permute(0, 2, 3, 1).numpy()
    assert np.abs(walk["decoded"] - expected).max() <= TOLERANCE
    sidecar = json.loads((tmp_path / "walk" / "sidecar.json").read_text())
    assert sidecar["parameters"]["checkpoint"].endswith("decoder.pt2")


def test_the_denoiser_is_the_engines_ddpm_wrapper_around_the_module(denoiser):
    path, net = denoiser
    model, body, _ = load_diffusion(path)
    reference = VPModel(PerRowTime(net), VPSchedule.make("cosine"), "eps", (2,))
    x = torch.randn(16, 2)
    with torch.no_grad():
        for a, b in ((0.9, 0.3), (0.2, 0.97), (0.05, 0.99)):
            assert (model(x, a, b) - reference(x, a, b)).abs().max() <= TOLERANCE
    assert body["schedule"] == "cosine"


def test_run_diffusion_samples_with_every_sampler_at_equal_nfe(denoiser, tmp_path):
    path, _ = denoiser
    samplers = ["ddpm", "ddim", "euler", "heun", "dpmpp_2m", "flow_euler"]
    args = ["run", "diffusion", "--checkpoint", str(path), "--nfe", "6", "--samples", "64", "--out", str(tmp_path / "s")]
    assert cli.main(args + [a for s in samplers for a in ("--sampler", s)]) == 0
    metrics = json.loads((tmp_path / "s" / "metrics.json").read_text())
    assert [s["name"] for s in metrics["samplers"]] == samplers
    assert all(s["nfe"] <= 6 for s in metrics["samplers"])
    assert np.load(tmp_path / "s" / "samples.npy").shape == (len(samplers), 64, 2)  # untrained: not all finite


def test_a_hostile_program_is_refused_on_one_line_without_running(tmp_path, capsys):
    marker = tmp_path / "MARKER"
    path = hostile_pt2(tmp_path, marker)
    (tmp_path / "hostile.json").write_text(json.dumps({"format": "workbench-exported", "role": "latent",
                                                        "latent_size": 4, "data_shape": [4]}))
    assert cli.main(["run", "latent", "--checkpoint", str(path), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("workbench: error: refused to load hostile.pt2: data/sample_inputs/model.pt")
    assert not marker.exists() and not (tmp_path / "o").exists()


@pytest.mark.parametrize("body, message", [
    ({"role": "painting"}, "role must be one of latent, diffusion, landscape, got 'painting'"),
    ({"role": "latent", "latent_size": 8, "data_shape": [1, 8, 8], "colour": 1}, "unknown key 'colour' for role latent"),
    ({"role": "latent", "data_shape": [1, 8, 8]}, "latent_size is missing"),
    ({"role": "latent", "latent_size": 500, "data_shape": [1, 8, 8]}, "latent_size must be between 2 and 128, got 500"),
    ({"role": "latent", "latent_size": 8, "data_shape": [1, 0, 8]}, "data_shape must be 1 to 3 positive whole sizes"),
    ({"role": "latent", "latent_size": 8, "data_shape": [1, 8, 8], "encoder": "../x.pt2"}, "encoder must name a file beside"),
    ({"role": "latent", "latent_size": 7, "data_shape": [1, 8, 8]}, "the decoder decoder.pt2 fails on inputs of shape [2, 7]"),
    ({"role": "latent", "latent_size": 8, "data_shape": [1, 4, 16]}, "returns [2, 1, 8, 8]"),
    ({"role": "diffusion", "data_shape": [2], "prediction": "noise"}, "prediction must be one of eps, x0, v, got 'noise'"),
])
def test_every_manifest_key_is_checked_where_it_is_read(latent, body, message):
    path = latent[0].with_name("decoder.json")
    saved = path.read_text()
    try:
        path.write_text(json.dumps({"format": "workbench-exported", **body}))
        with pytest.raises(Exception) as caught:
            (load_diffusion if body["role"] == "diffusion" else load_checkpoint)(latent[0])
        assert caught.type.__name__ == "InputError" and message in str(caught.value)
    finally:
        path.write_text(saved)


def test_the_geometry_report_of_an_exported_model_has_its_codes_kl_and_no_likelihood(latent, tmp_path, capsys):
    path, _, _ = latent
    assert cli.main(["run", "latent", "--checkpoint", str(path), "--steps", "3", "--pairs", "20", "--report",
                     "--out", str(tmp_path / "report")]) == 0
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["heldout"] is None and "no held-out fit" in capsys.readouterr().out
    kl = np.array(report["active_dimensions"]["kl_per_dimension"])  # from the exported encoder's mean and logvar
    assert kl.shape == (8,) and np.isfinite(kl).all() and (kl >= 0).all()


def test_a_folder_of_one_program_opens_as_that_program(latent, denoiser, tmp_path):
    from engines.formats import what_it_is

    decoder_path, decoder, _ = latent
    folder = decoder_path.parent
    assert what_it_is(folder) == "workbench-exported:latent" and what_it_is(denoiser[0].parent).endswith(":diffusion")
    z = torch.randn(4, 8)
    with torch.no_grad():
        assert (load_checkpoint(folder).model.decode(z) - decoder(z)).abs().max() <= TOLERANCE
    assert cli.main(["run", "diffusion", "--checkpoint", str(denoiser[0].parent), "--sampler", "ddim", "--nfe", "4",
                     "--samples", "20", "--out", str(tmp_path / "d")]) == 0
    assert np.load(tmp_path / "d" / "samples.npy").shape[-1] == 2


def test_a_folder_of_several_programs_is_refused_naming_them(latent, denoiser, tmp_path, capsys):
    import shutil

    for path in (latent[0], denoiser[0]):
        shutil.copy(path, tmp_path)
        shutil.copy(path.with_suffix(".json"), tmp_path)
    assert cli.main(["run", "latent", "--checkpoint", str(tmp_path), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds 2 exported programs with manifests (decoder, denoiser)" in err[0]
