"""The latent and diffusion panels open exported programs (File ▸ Open checkpoint and drag and drop call
``open_path``): the latent panel's strips are the exported decoder's images of their codes, the diffusion
panel samples with the exported denoiser; a hostile archive shows its one-line refusal and does not run."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from tests.exported.archives import denoiser_pt2, hostile_pt2, latent_pt2

TIMEOUT_MS = 120_000


def _idle(qtbot, panel):
    qtbot.waitUntil(lambda: not panel.context.jobs.running(), timeout=TIMEOUT_MS)


@pytest.fixture
def latent_panel(qtbot, make_panel):
    import workbench.panels.latent as latent

    widget = make_panel(latent)
    with qtbot.waitSignal(widget.first_job_done, timeout=TIMEOUT_MS):
        widget.start()
    _idle(qtbot, widget)
    return widget


def _manifest(path, **body):
    path.with_suffix(".json").write_text(json.dumps({"format": "workbench-exported", "program": path.name, **body}))


def test_the_latent_panel_draws_with_an_exported_decoder_and_encoder(qtbot, latent_panel, tmp_path):
    decoder_path, _, decoder, encoder = latent_pt2(tmp_path)
    _manifest(decoder_path, role="latent", latent_size=8, data_shape=[1, 8, 8], encoder="encoder.pt2")
    latent_panel.open_path("checkpoint", decoder_path)
    qtbot.waitUntil(lambda: latent_panel.overview is not None
                    and latent_panel.overview.checkpoint.config.title == "exported decoder.pt2, latent 8",
                    timeout=TIMEOUT_MS)
    _idle(qtbot, latent_panel)
    ov = latent_panel.overview
    x = torch.from_numpy(ov.encoded.x[:16]).float()
    with torch.no_grad():
        assert np.abs(ov.encoded.z[:16] - encoder(x.reshape(-1, 1, 8, 8))[0].numpy()).max() <= 1e-5
    codes = latent_panel.map_tab.paths.interpolation.codes["lerp"]
    decoded = latent_panel.map_tab.paths.interpolation.decoded["lerp"]
    with torch.no_grad():
        expected = decoder(torch.from_numpy(codes).float()).numpy().reshape(decoded.shape)
    assert np.abs(decoded - expected).max() <= 1e-5


def test_a_hostile_program_shows_its_refusal_in_the_latent_panel(qtbot, latent_panel, tmp_path):
    marker = tmp_path / "MARKER"
    path = hostile_pt2(tmp_path, marker)
    _manifest(path, role="latent", latent_size=4, data_shape=[4])
    latent_panel.open_path("checkpoint", path)
    qtbot.waitUntil(lambda: "refused to load hostile.pt2" in latent_panel.model_box.info.text(), timeout=TIMEOUT_MS)
    assert not marker.exists()


def test_the_diffusion_panel_samples_with_an_exported_denoiser(qtbot, make_panel, tmp_path):
    import workbench.panels.diffusion as diffusion

    path, _ = denoiser_pt2(tmp_path)
    _manifest(path, role="diffusion", data_shape=[2])
    panel = make_panel(diffusion)
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    _idle(qtbot, panel)
    panel.open_path("checkpoint", path)
    qtbot.waitUntil(lambda: panel.source is not None and "denoiser" in panel.source.label, timeout=TIMEOUT_MS)
    _idle(qtbot, panel)
    assert panel.source.description["checkpoint"].endswith("denoiser.pt2")


def test_an_exported_program_goes_to_the_panel_its_manifest_names(tmp_path):
    from workbench.file_kinds import classify, panels_for
    from workbench.panels import panel_modules

    infos = [m.INFO for m in panel_modules()]
    for role, panel in (("latent", "latent"), ("diffusion", "diffusion"), ("landscape", "optimizer")):
        program = tmp_path / f"{role}.pt2"
        program.write_bytes(b"not read")
        _manifest(program, role=role)
        assert classify(program) == "checkpoint"
        assert [i.name for i in panels_for(program, "checkpoint", infos)][0] == panel
    lone = tmp_path / "lone.pt2"
    lone.write_bytes(b"not read")  # no manifest: every panel that takes checkpoints is offered
    assert len(panels_for(lone, "checkpoint", infos)) == len([i for i in infos if "checkpoint" in i.accepts])
