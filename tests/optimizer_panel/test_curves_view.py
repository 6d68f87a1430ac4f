"""The interpolation and curvature mode: the real-network mode's trained run is saved, the mode draws the line
from its initialisation to its end (whose end points are the run's own recorded losses) and the top Hessian
eigenvalue at its snapshots beside 2/lr; every figure exports."""
import numpy as np
import pytest

TIMEOUT_MS = 120_000


def test_the_current_runs_line_and_curvature(qtbot, panel, tmp_path):
    from engines.landscape.runs import load_run
    from tasks.landscape import registry

    network, view = panel.network, panel.curves
    curvature = view.curvature_plot.getPlotItem()

    def shown(item):  # tick values and legend: only once something is drawn
        return item.getAxis("left").style["showValues"] and item.legend.isVisible()

    assert not shown(curvature) and not shown(view.loss_plot.getPlotItem())
    network.steps.setValue(20)
    network.n.setValue(5)
    network.spec.setText("sgd:lr=0.2")
    network.run()
    qtbot.waitUntil(lambda: network.snapshot is not None and network.snapshot.stage == "done", timeout=TIMEOUT_MS)
    folder = view.current_run()
    run = load_run(registry(), folder)  # the trained run lies in a training-run folder the line is read from
    np.testing.assert_array_equal(run.losses, network.snapshot.train_losses)

    view.n.setValue(9)  # t = -0.5, -0.25, ..., 1.5: t = 0 and t = 1 are points of the line
    panel.modes.setCurrentWidget(view)  # shown with nothing drawn: the line of the current run starts itself
    assert panel.curves.controls.isVisible() and not network.controls.isVisible()
    qtbot.waitUntil(lambda: view.line is not None and view.line.done == 9 and not view._line_job.running,
                    timeout=TIMEOUT_MS)
    line = view.line
    assert line.t[2] == 0.0 and line.t[6] == 1.0
    # t = 0 is the initialisation, t = 1 the final weights: the losses the run recorded at its snapshots
    assert line.train_loss[[2, 6]] == pytest.approx(run.train_loss[[0, -1]], rel=1e-4)
    assert line.test_loss[[2, 6]] == pytest.approx(run.test_loss[[0, -1]], rel=1e-4)
    assert line.test_metric[6] == pytest.approx(run.test_metric[-1], abs=1e-6)
    assert "the current run (sgd:lr=0.2)" in view.status.text()
    drawn = [c.getData()[1] for c in view.loss_plot.getPlotItem().listDataItems()]
    np.testing.assert_allclose(10 ** drawn[0], line.train_loss)  # the loss axis is logarithmic
    assert shown(view.loss_plot.getPlotItem()) and not shown(curvature)  # the curvature is not computed yet

    view.every.setValue(1)
    view.compute_curvature()
    qtbot.waitUntil(lambda: view.curvature is not None and not view._curvature_job.running
                    and np.isfinite(view.curvature.top_eigenvalue).all(), timeout=TIMEOUT_MS)
    along = view.curvature
    assert along.steps.tolist() == [0, 10, 20] and along.threshold == pytest.approx(2 / 0.2)
    assert "2/lr = 10" in view.status.text() and shown(curvature)
    titles = {f.title: f for f in panel.figures()}
    for title in ("Interpolation: loss along θ(t)", "Interpolation: accuracy along θ(t)",
                  "Top Hessian eigenvalue along the run"):
        assert title in titles
    data = titles["Top Hessian eigenvalue along the run"].data()
    np.testing.assert_array_equal(data["top_eigenvalue"], along.top_eigenvalue)
    assert panel.parameters()["curvature"]["run_folder"] == folder

    # a folder that is not a training run: the job says why, in a sentence
    view.a.path.setText(str(tmp_path))
    view.compute_curvature()
    qtbot.waitUntil(lambda: "Could not compute the curvature" in view.status.text(), timeout=TIMEOUT_MS)
    assert "not a saved training run" in view.status.text()
