"""The diffusion panel: no torch at import, first launch draws frames and the quality chart, the timeline
scrubs, sources switch, exports have data."""
import subprocess
import sys

import numpy as np
import pytest

TIMEOUT_MS = 60_000


def test_import_does_not_load_engines():
    code = ("import sys, cli.run_diffusion; import workbench.panels.diffusion.panel; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sampler_names_match_the_engine():
    from engines.diffusion.samplers import SAMPLERS
    from workbench.panels.diffusion.work import SAMPLER_LABELS

    assert SAMPLER_LABELS == {k: v.label for k, v in SAMPLERS.items()}


@pytest.fixture
def panel(make_panel):
    import workbench.panels.diffusion as diffusion

    widget = make_panel(diffusion)
    widget.controls.samples.setValue(200)
    return widget


def test_first_launch_and_timeline(qtbot, panel):
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    panel.timeline.pause()
    result = panel.outcome.result
    assert [r.name for r in result.runs] == ["ddim", "heun", "dpmpp_2m", "euler_maruyama"]
    assert panel.timeline.count() == 20
    assert panel.quality is not None and "sliced_wasserstein" in panel.quality_chart.metrics()
    panel.timeline.set_index(4)
    view = panel.compare_views[0]
    x, _ = view.points_item.getData()
    assert np.allclose(x, result.runs[0].frames.x[4][:, 0])
    assert "call 5/20" in view.title.text
    data = panel.figures()[0].data()
    assert data["ddim_x"].shape == (20, 200, 2)
    assert panel.parameters()["nfe"] == 20
    assert panel.animations()[0].count() == 20
    frame = next(iter(panel.animations()[0].frames()))
    assert frame.ndim == 3 and frame.shape[2] == 4


def test_switch_to_digits_and_mixture(qtbot, panel):
    import resources

    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    if resources.path("checkpoints", "diffusion_digits.safetensors").exists():
        panel.controls.nfe.setValue(6)
        with qtbot.waitSignal(panel.context.jobs.started, timeout=5000):
            panel.controls.source.setCurrentIndex(panel.controls.source.findData("bundled:digits"))
        qtbot.waitUntil(lambda: panel.outcome.result.kind == "images", timeout=TIMEOUT_MS)
        assert panel.compare_views[0]._mode == "images"
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000):
        panel.controls.source.setCurrentIndex(panel.controls.source.findData("mixture:eight_gaussians"))
    qtbot.waitUntil(lambda: panel.outcome.result.description.get("mixture") == "eight_gaussians", timeout=TIMEOUT_MS)
    assert panel.compare_views[0]._mode == "points"


def test_open_bad_checkpoint_shows_error(qtbot, panel, tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"garbage")
    failures = []
    panel.context.jobs.started.connect(lambda h: h.failed.connect(failures.append))
    panel.open_path("checkpoint", bad)
    qtbot.waitUntil(lambda: bool(failures), timeout=TIMEOUT_MS)
    assert "bad.safetensors" in failures[0].message
