"""The diffusion panel's Likelihood tab: Measure draws the ELBO terms and bits/dim of the sidebar's model,
Train reflow draws straightness per round and offers the rounds as models; every figure exports data."""
import numpy as np
import pytest

TIMEOUT_MS = 120_000


def test_measure_draws_terms_and_bits(qtbot, panel):
    tab = panel.likelihood_tab
    panel.controls.source.blockSignals(True)
    panel.controls.source.setCurrentIndex(panel.controls.source.findData("mixture:eight_gaussians"))
    panel.controls.source.blockSignals(False)
    tab.likelihood_form.set_values({"rows": 16, "probes": 1, "ode_steps": 8})
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000) as started:
        tab.measure_button.click()
    assert tab.measure_button.text() == "Stop"
    with qtbot.waitSignal(started.args[0].done, timeout=TIMEOUT_MS):
        pass
    assert tab.measure_button.text() == "Measure"
    label, lk = tab.measured
    assert "eight gaussians" in label and lk.rows == 16
    figures = {f.title: f for f in panel.figures()}
    terms = figures["Likelihood: ELBO terms per timestep"].data()
    assert len(terms["t"]) == 999 and np.all(terms["kl_nats_per_dim"] >= 0)
    bits = figures["Likelihood: bits/dim by ELBO and ODE"].data()
    assert bits["elbo_bits"][0] == pytest.approx(lk.elbo_bits.mean) and tab.table_view.rowCount() == 1


def test_reflow_button_runs_and_stops(qtbot, panel):
    tab = panel.likelihood_tab
    tab.reflow_form.set_values({"rounds": 1, "steps": 40, "pairs": 128, "pair_steps": 4})
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000) as started:
        tab.reflow_button.click()
    handle = started.args[0]
    assert tab.reflow_button.text() == "Stop"
    with qtbot.waitSignal(handle.done, timeout=TIMEOUT_MS):
        tab.reflow_button.click()  # Stop
    assert tab.reflow_button.text() == "Train reflow" and tab.reflow is None


def test_reflow_rounds_are_drawn_and_offered(qtbot, panel):
    from engines.data import make_toy
    from engines.diffusion.data import DiffusionData
    from engines.diffusion.reflow import reflow_job
    from engines.jobs import run

    train, _ = make_toy("moons", 1000, 0)
    held, _ = make_toy("moons", 500, 1)
    result = run(reflow_job, DiffusionData("moons", "points", train, held), 1, 30, pairs=128, pair_steps=4, batch=64,
                 measure_samples=100)
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000) as started:  # the last round is sampled
        panel.likelihood_tab.show_reflow(result)
    with qtbot.waitSignal(started.args[0].done, timeout=TIMEOUT_MS):
        pass
    figures = {f.title: f for f in panel.figures()}
    assert list(figures["Reflow: straightness per round"].data()["round"]) == [0, 1]
    # the rounds' quality is drawn on the Compare tab's quality-against-NFE chart, the only one there is
    assert "Reflow: quality against NFE per round" not in figures
    assert {"round0", "round1"} <= set(figures["Quality against NFE"].data()["sampler"])
    legend = [label.text for _, label in panel.quality_chart.legend.items]
    assert "reflow round 0 (flow matching)" in legend and "reflow round 1" in legend
    panel.tabs.setCurrentIndex(0)  # on the Compare tab the legend stays off the curves: under the chart
    chart = panel.quality_chart
    qtbot.waitUntil(lambda: chart.legend.sceneBoundingRect().top() >= chart.plotItem.vb.sceneBoundingRect().bottom(),
                    timeout=5000)
    labels = [panel.controls.source.itemText(i) for i in range(panel.controls.source.count())]
    assert "flow matching on moons" in labels and "reflow 1 on moons" in labels
    assert panel.controls.source.currentText() == "reflow 1 on moons"
