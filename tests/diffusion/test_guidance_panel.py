"""The diffusion panel's Guidance tab: a class-conditional mixture sweeps w, draws distance and class fractions
against it and the samples at the chosen w, exports both; an unconditional model says what guidance needs."""
import numpy as np

TIMEOUT_MS = 60_000


def test_guidance_tab_sweeps_a_class_conditional_mixture(qtbot, make_panel):
    import workbench.panels.diffusion as diffusion

    panel = make_panel(diffusion)
    c, view = panel.controls, panel.guidance_view
    c.samples.setValue(200)
    c.nfe.setValue(8)
    panel.tabs.setCurrentWidget(view)
    assert "class-conditional" in view.status.text() and not view.sweep_button.isEnabled()
    c.source.setCurrentIndex(c.source.findData("mixture:eight_gaussians_2_classes"))
    qtbot.waitUntil(lambda: view.outcome is not None, timeout=TIMEOUT_MS)
    sweep = view.outcome.sweep
    assert sweep.label == 0 and sweep.sampler == "ddim" and sweep.nfe == 8 and len(sweep.samples[0]) == 200
    table = view.charts.data()
    assert table["w"].tolist() == [0, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 8]
    assert np.allclose(table["fraction_class_0"] + table["fraction_class_1"], 1) and table["fraction_class_0"][-1] > 0.95
    assert view.scale.currentText() == "3" and "w = 3" in view.samples.title.text
    x, _ = view.samples.points.getData()
    assert np.allclose(x, sweep.samples[sweep.scales.index(3.0)][:, 0])
    assert panel.parameters()["guidance"] == {"class": 0, "scales": sweep.scales, "sampler": ["ddim", {"eta": 0.0,
                                              "spacing": "trailing"}], "nfe": 8, "samples": 200, "seed": 0, "shown_w": 3.0}
    titles = [f.title for f in panel.figures()]
    assert "Guidance: distance and class fractions against w" in titles and "Guidance: samples at w = 3" in titles
    view.label.setCurrentIndex(1)  # another class sweeps again
    assert "Guidance: samples at w = 3" not in [f.title for f in panel.figures()]  # stale until redrawn
    qtbot.waitUntil(lambda: view.outcome.sweep.label == 1, timeout=TIMEOUT_MS)
    assert view.charts.data()["fraction_class_1"][-1] > 0.95
