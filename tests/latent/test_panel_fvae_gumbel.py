"""The latent panel with the f-VAE and the categorical (Gumbel-softmax) VAE: both train in the app; the
relaxation-temperature slider shows only for categorical latents and redraws the samples, which decode one-hot
codes; a categorical latent is offered no Gaussian prior walk, path length or High dimensions tab."""
import numpy as np
import torch

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
    from engines.latent.training import draw_samples

    row, prior, ppl = panel.training.relaxation, panel.path_box.prior_button, panel.ppl_box
    assert row.isHidden() and not prior.isHidden() and not ppl.isHidden()  # the bundled VAE
    _train(qtbot, panel, "gumbel-vae", latent=4, categories=5, hidden=32, epochs=2)
    assert not row.isHidden() and "latent 4×5" in panel.overview.checkpoint.config.title
    assert prior.isHidden() and ppl.isHidden() and panel.high.ppl_plot.perceptual is None  # no Gaussian prior pairs
    high = panel.tabs.indexOf(panel.high)
    assert not panel.tabs.isTabVisible(high)  # nor their norms and angles
    assert panel.map_tab.paths.request.prior_seed is None
    norms = panel.map_tab.path_norms  # its reference is the norm of every one-hot prior code, √4
    assert norms.shell.getData()[1].tolist() == [2.0, 2.0] and "one-hot prior codes" in norms.getPlotItem().titleLabel.text
    model, decoded = panel.overview.checkpoint.model, []
    decode = model.decode
    model.decode = lambda z: (decoded.append(z.detach().clone()), decode(z))[1]
    try:
        samples = draw_samples(model)
    finally:
        del model.decode
    [codes] = decoded  # one group of 5 categories per latent variable, exactly one of them on
    groups = codes.view(len(codes), 4, 5)
    assert torch.equal(groups.sum(-1), torch.ones(len(codes), 4)) and set(groups.unique().tolist()) == {0.0, 1.0}
    np.testing.assert_array_equal(panel.overview.samples, samples)  # what the Training tab shows
    one_hot = panel.training.sample_box.item.image.copy()
    row.slider.setValue(row.slider.maximum())  # τ 2: codes blend the categories
    qtbot.waitUntil(lambda: "relaxed at τ 2.00" in panel.training.samples_title.text, timeout=TIMEOUT_MS)
    assert not np.array_equal(panel.training.sample_box.item.image, one_hot)
    _train(qtbot, panel, "fvae", latent=4, hidden=32, layers=2, epochs=2)
    assert row.isHidden() and panel.overview.checkpoint.model.couplings is not None
    assert panel.tabs.isTabVisible(high)
    assert not prior.isHidden() and not ppl.isHidden() and "prior shell √n" in norms.getPlotItem().titleLabel.text
    assert panel.map_tab.strips.rows["slerp"].item.image is not None  # interpolation decodes through the flow
