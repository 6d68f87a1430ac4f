"""The latent and diffusion panels open checkpoints trained on the user's points with the recorded data, and
say why when they cannot score or find it."""
import numpy as np

from cli import main

TIMEOUT_MS = 120_000


def _points_csv(path, dims, rows=200):
    rng = np.random.default_rng(0)
    with open(path, "w") as handle:
        handle.write(",".join(f"c{k}" for k in range(dims)) + "\n")
        np.savetxt(handle, rng.normal(size=(rows, dims)), delimiter=",", fmt="%.6g")
    return path


def test_latent_panel_opens_a_points_checkpoint_with_its_data(qtbot, make_panel, tmp_path):
    import workbench.panels.latent as latent

    data = _points_csv(tmp_path / "points.csv", 3)
    assert main(["train", "latent", "--model", "vae", "--dataset", str(data), "--latent", "2", "--hidden", "16",
                 "--epochs", "1", "--out", str(tmp_path / "x"), "--device", "cpu"]) == 0
    with open(data, "a") as handle:
        handle.write("0.5,0.5,0.5\n")
    panel = make_panel(latent)
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    panel.open_path("checkpoint", tmp_path / "x.safetensors")
    qtbot.waitUntil(lambda: panel.overview is not None and panel.overview.encoded.data.name == "points.csv",
                    timeout=TIMEOUT_MS)
    assert len(panel.overview.encoded.z) == 201
    assert any("points.csv changed since x.safetensors was trained on it" in m for m in panel.messages)
    view = panel.map_tab.points_view.getPlotItem()
    assert view.getAxis("bottom").labelText == "x₁ (first of 3 coordinates)"


def test_diffusion_panel_scores_a_points_checkpoint_or_says_why_not(qtbot, make_panel, tmp_path):
    import workbench.panels.diffusion as diffusion

    data = _points_csv(tmp_path / "points.csv", 2)
    assert main(["train", "diffusion", "--dataset", str(data), "--steps", "5", "--device", "cpu",
                 "--out", str(tmp_path / "m")]) == 0
    panel = make_panel(diffusion)
    panel.controls.samples.setValue(100)
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    panel.open_path("checkpoint", tmp_path / "m.safetensors")
    qtbot.waitUntil(lambda: panel.source is not None and "m (ddpm)" in panel.source.label, timeout=TIMEOUT_MS)
    assert panel.source.reference.shape == (40, 2) and panel.source.note is None
    data.rename(tmp_path / "moved.csv")
    panel.open_path("checkpoint", tmp_path / "m.json")
    qtbot.waitUntil(lambda: panel.source is not None and panel.source.reference is None, timeout=TIMEOUT_MS)
    assert any(m.startswith("no quality metrics: m.safetensors was trained on points.csv") for m in panel.messages)
    qtbot.waitUntil(lambda: "no quality metrics" in panel.quality_chart.plotItem.titleLabel.text, timeout=TIMEOUT_MS)
