"""The diffusion panel's "Exact path" tab: refused with a reason for a trained model, computed for an exact
mixture when shown, with slopes in the legend and exportable data."""
import numpy as np

TIMEOUT_MS = 60_000


def _legend(plot):
    return [label.text for _, label in plot.legend.items]


def test_exact_tab_says_why_for_a_network_and_follows_a_mixture(qtbot, panel):
    view = panel.exact_view
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    if panel.outcome.source.description.get("source") != "mixture":  # the bundled moons network
        panel.tabs.setCurrentWidget(view)
        assert view.status.text().startswith("No exact path:") and "trained model" in view.status.text()
        assert view.result is None and view.figures() == []
    panel.tabs.setCurrentWidget(view)
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000):
        panel.controls.source.setCurrentIndex(panel.controls.source.findData("mixture:eight_gaussians"))
    qtbot.waitUntil(lambda: view.result is not None and len(view.result.calls) == 4 and not view.slot.running,
                    timeout=TIMEOUT_MS)
    result = view.result
    assert set(result.orders) == {"ddim", "heun", "dpmpp_2m"} and "euler_maruyama" in result.notes
    legend = _legend(view.order_plot)
    assert any(t.startswith("Heun (EDM σ)<br>slope") and t.endswith("theory 2") for t in legend)
    assert any("(stochastic)" in t for t in _legend(view.error_plot))
    assert "Euler–Maruyama" in view.note.text()
    x, y = view.error_plot.plotItem.listDataItems()[0].getData()
    # DDIM's 20 calls but the first (the shared start: distance 0, off a log axis), σ falling
    assert len(x) == 19 and np.all(np.diff(x) < 0) and np.isfinite(y).all()  # (log10 of σ and of the error)
    titles = {f.title: f for f in panel.figures()}
    errors = titles["Exact path: distance at each call"].data()
    assert list(errors) == ["sampler", "call", "sigma", "state_error", "x0_error"] and len(errors["sampler"]) == 4 * 20 - 1
    order = titles["Exact path: final error against NFE"].data()
    assert set(order["sampler"]) == {"ddim", "heun", "dpmpp_2m"}
    view.measure.setCurrentIndex(view.measure.findData("x0_error"))
    assert "x̂0" in view.error_plot.plotItem.getAxis("left").labelText
