"""Fixtures for the export tests: a plot with a known curve and a panel that exports it."""
from __future__ import annotations

from types import SimpleNamespace

import pyqtgraph as pg
import pytest
from tests.export.export_samples import PARAMETERS, X, Y, frame

from workbench.jobs import JobManager
from workbench.panel import Animation, Figure, Panel
from workbench.panel_info import PanelInfo


@pytest.fixture
def plot_widget(qtbot) -> pg.PlotWidget:
    widget = pg.PlotWidget(title="Loss")
    widget.plot(X, Y, pen="y")
    widget.resize(321, 243)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


class ExportPanel(Panel):
    info = PanelInfo(name="export-test", title="Export test")

    def __init__(self, widget: pg.PlotWidget, frames: int = 6) -> None:
        super().__init__(SimpleNamespace(jobs=JobManager()))
        self.widget = widget
        self.frame_count = frames

    def figures(self) -> list[Figure]:
        curve = self.widget.getPlotItem().listDataItems()[0]
        return [Figure("Loss curve", self.widget, lambda: dict(zip(("x", "y"), curve.getData())))]

    def animations(self) -> list[Animation]:
        return [Animation("Steps", lambda: (frame(i) for i in range(self.frame_count)), lambda: self.frame_count, fps=5)]

    def parameters(self) -> dict:
        return dict(PARAMETERS)


@pytest.fixture
def panel(qtbot, plot_widget) -> ExportPanel:
    panel = ExportPanel(plot_widget)
    qtbot.addWidget(panel)
    return panel
