"""The optimizer panel's sidebar shows only what the mode in view uses, and its axes show unitless values as
they are (no SI prefix rescaling behind a "(x0.001)")."""
import pytest

TIMEOUT_MS = 90_000


def _sidebar(panel):
    return {"surface": panel.picker, "optimizers": panel.configs, "run": panel.controls,
            "network": panel.network.controls, "compare": panel.compare.controls,
            "curves": panel.curves.controls}


@pytest.mark.parametrize("mode, shown", [
    ("trajectories", {"surface", "optimizers", "run"}),
    ("basins", {"surface", "optimizers"}),
    ("sweep", {"surface", "optimizers"}),
    ("network", {"network"}),
    ("compare", {"optimizers", "compare"}),
    ("curves", {"curves"}),
])
def test_the_sidebar_shows_only_what_the_mode_uses(qtbot, panel, mode, shown):
    view = {"trajectories": panel.modes.widget(0), "basins": panel.basins, "sweep": panel.sweep,
            "network": panel.network, "compare": panel.compare,
            "curves": panel.curves}[mode]
    if mode == "network":
        panel.network.steps.setValue(10)  # shown first, the mode trains: keep it short
        panel.network.n.setValue(5)
    panel.modes.setCurrentWidget(view)  # from the trajectories, the mode the panel opens in
    qtbot.waitUntil(lambda: {name for name, w in _sidebar(panel).items() if w.isVisible()} == shown,
                    timeout=TIMEOUT_MS)
    # the continuous-time (SGD-as-ODE) overlay belongs to the trajectories only
    assert panel.controls.ode.isVisible() == (mode == "trajectories")


def _axes(panel):
    import pyqtgraph as pg

    for plot in panel.findChildren(pg.GraphicsView):  # plot widgets and layouts of several plots
        for item in plot.scene().items():
            if isinstance(item, pg.AxisItem):
                yield plot, item


def test_no_axis_of_the_panel_rescales_unitless_values(qtbot, panel):
    axes = list(_axes(panel))
    plots = {id(plot) for plot, _ in axes}
    # surface, loss, basin map, sweep, network plane and its training curve, the comparison's landscapes and
    # four rows of curves, the interpolation's loss and accuracy and the curvature; colour bars included
    assert len(plots) == 14 and len(axes) >= 14 * 4 + 4
    rescaled = [(type(plot).__name__, axis.orientation, axis.labelText) for plot, axis in axes
                if axis.autoSIPrefix and not axis.labelUnits]
    assert rescaled == []
    # a plane a thousandth wide keeps its values on the ticks and a label without a scale factor
    item = panel.network.plot.getPlotItem()
    item.setRange(xRange=(0.0, 0.002), yRange=(0.0, 0.002), padding=0)
    qtbot.wait(50)
    for side in ("bottom", "left"):
        label = item.getAxis(side).labelString()
        assert "filter-normalised direction" in label and "(x" not in label
