"""The latent panel: first launch draws the bundled VAE's map, strips and statistics; clicks pick items;
training runs in a worker process, streams curves and samples, and stop keeps its weights."""
import numpy as np
import pytest

TIMEOUT_MS = 60_000


@pytest.fixture
def panel(qtbot, make_panel):
    import workbench.panels.latent as latent

    widget = make_panel(latent)
    with qtbot.waitSignal(widget.first_job_done, timeout=TIMEOUT_MS):
        widget.start()
    return widget


def idle(qtbot, panel):
    qtbot.waitUntil(lambda: not panel.context.jobs.running(), timeout=TIMEOUT_MS)


def test_import_does_not_load_engines():
    import subprocess
    import sys

    code = ("import sys, cli.run_latent; import workbench.panels.latent.panel; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_first_launch_draws_the_bundled_vae(qtbot, panel):
    idle(qtbot, panel)
    ov = panel.overview
    assert ov.checkpoint.config.latent == 16 and len(ov.encoded.z) == 1797
    x, y = panel.map_view.scatter.getData()
    np.testing.assert_allclose(np.column_stack([x, y]), ov.encoded.map.xy)
    assert panel.strips.rows["lerp"].item.image is not None
    assert panel.strips.rows["slerp"].item.image.shape[1] > 8 * panel.steps_slider.value()
    assert panel.strips.rows["analogy"].item.image is not None
    i = panel.paths.interpolation
    np.testing.assert_allclose(i.codes["lerp"][0], ov.encoded.z[panel.from_spin.value()])
    assert panel.ppl is not None and panel.ppl["lerp"]["raw"].mean > 0
    assert ov.angles.p_value > 0.001
    figures = panel.figures()
    assert len(figures) == 7 and all(f.widget is not None for f in figures)
    assert figures[1].data()["latents_slerp"].shape == (panel.steps_slider.value(), 16)
    frames = list(panel.animations()[0].frames())
    assert len(frames) == panel.animations()[0].count() and frames[0].dtype == np.uint8
    params = panel.parameters()
    assert params["checkpoint_sha256"] == ov.checkpoint.sha256 and params["from"] == panel.from_spin.value()


def test_clicks_pick_the_two_items_and_steps_change_the_strip(qtbot, panel):
    idle(qtbot, panel)
    panel._item_clicked(10)
    panel._item_clicked(20)
    qtbot.waitUntil(lambda: panel.paths.request.start == 10 and panel.paths.request.end == 20, timeout=TIMEOUT_MS)
    panel.steps_slider.setValue(5)
    qtbot.waitUntil(lambda: len(panel.paths.interpolation.t) == 5, timeout=TIMEOUT_MS)
    panel._item_hovered(10)
    assert panel.map_view.inset.isVisible()
    panel._prior_pair()
    qtbot.waitUntil(lambda: panel.paths.request.prior_seed == 1, timeout=TIMEOUT_MS)


def test_two_d_latent_shows_the_decoded_grid(qtbot, panel):
    idle(qtbot, panel)
    panel.model_combo.setCurrentIndex(1)
    panel._model_chosen(1)
    qtbot.waitUntil(lambda: panel.overview.checkpoint.model.latent_size == 2, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: panel.map_view.manifold.image is not None and panel.map_view.manifold.isVisible(),
                    timeout=TIMEOUT_MS)
    assert panel.map_view.manifold.image.shape[0] == 20 * 8


def test_training_streams_and_stop_keeps_the_weights(qtbot, panel):
    idle(qtbot, panel)
    panel.kind_combo.setCurrentIndex(0)
    panel.latent_spin.setValue(4)
    panel.epochs_spin.setValue(400)
    panel._train_clicked()
    qtbot.waitUntil(lambda: panel.snapshot is not None and panel.snapshot.epoch >= 2, timeout=TIMEOUT_MS)
    assert panel.training.curves["total"].getData()[0] is not None
    count = panel.model_combo.count()
    panel._train_clicked()  # stop
    qtbot.waitUntil(lambda: panel.model_combo.count() == count + 1, timeout=TIMEOUT_MS)
    assert "stopped at epoch" in panel.model_combo.currentText()
    qtbot.waitUntil(lambda: panel.overview.checkpoint.model.latent_size == 4, timeout=TIMEOUT_MS)
    assert panel.train_button.text() == "Train"


def test_a_hostile_checkpoint_shows_a_message(qtbot, panel, tmp_path):
    idle(qtbot, panel)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x80\x02cos\nsystem\nq\x00X\x05\x00\x00\x00touchq\x01\x85q\x02Rq\x03.")
    panel.open_path("checkpoint", bad)
    qtbot.waitUntil(lambda: "refused to load bad.pt" in panel.model_info.text(), timeout=TIMEOUT_MS)
    from engines.errors import InputError

    with pytest.raises(InputError):
        panel.open_path("checkpoint", tmp_path / "missing.safetensors")


def test_save_and_open_a_dataset(qtbot, panel, tmp_path):
    idle(qtbot, panel)
    from engines.latent.checkpoint import load_checkpoint

    handle = panel.save(tmp_path / "copy.safetensors")
    with qtbot.waitSignal(handle.done, timeout=TIMEOUT_MS):
        pass
    ck = load_checkpoint(tmp_path / "copy.safetensors")
    assert ck.config == panel.overview.checkpoint.config
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, (30, 16, 16)).astype(np.float32)  # resized to the model's 8x8
    np.savez(tmp_path / "mine.npz", images=images, labels=np.arange(30) % 2)
    panel.open_path("dataset", tmp_path / "mine.npz")
    qtbot.waitUntil(lambda: panel.overview.encoded.data.name == "mine.npz", timeout=TIMEOUT_MS)
    assert len(panel.overview.encoded.z) == 30 and panel.from_label.count() == 2
