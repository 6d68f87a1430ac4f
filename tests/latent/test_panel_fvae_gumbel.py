"""The latent panel with the f-VAE and the categorical (Gumbel-softmax) VAE: both train in the app; the
relaxation-temperature slider shows only for categorical latents and redraws the samples."""
import numpy as np

TIMEOUT_MS = 120_000


def _train(qtbot, panel, kind: str, **settings):
    qtbot.waitUntil(lambda: not panel.context.jobs.running(), timeout=TIMEOUT_MS)
    box = panel.train_box
    box.kind_combo.setCurrentIndex(box.kind_combo.findData(kind))
    box.settings.set_values(settings)
    count = panel.model_box.combo.count()
    box.button.click()
    qtbot.waitUntil(lambda: panel.model_box.combo.count() == count + 1, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: panel.overview.checkpoint.config.kind == kind and not panel.context.jobs.running(),
                    timeout=TIMEOUT_MS)


def test_relaxation_slider_applies_to_categorical_latents_only(qtbot, panel):
    row = panel.training.relaxation
    assert row.isHidden()  # the bundled VAE
    _train(qtbot, panel, "gumbel-vae", latent=4, categories=5, hidden=32, epochs=2)
    assert not row.isHidden() and "latent 4×5" in panel.overview.checkpoint.config.title
    one_hot = panel.training.sample_box.item.image.copy()
    row.slider.setValue(row.slider.maximum())  # τ 2: codes blend the categories
    qtbot.waitUntil(lambda: "relaxed at τ 2.00" in panel.training.samples_title.text, timeout=TIMEOUT_MS)
    assert not np.array_equal(panel.training.sample_box.item.image, one_hot)
    _train(qtbot, panel, "fvae", latent=4, hidden=32, layers=2, epochs=2)
    assert row.isHidden() and panel.overview.checkpoint.model.couplings is not None
    assert panel.map_tab.strips.rows["slerp"].item.image is not None  # interpolation decodes through the flow
