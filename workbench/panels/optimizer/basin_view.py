"""Basin map: start an optimizer from every point of a grid; colour each start by the minimum it reaches
(or by the steps it takes, or its final loss)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from tasks.optimizer_maps import BasinRequest, BasinSnapshot, basin_job
from workbench.panel import Figure
from workbench.panels.optimizer.heatmap import Heatmap
from workbench.widgets.flow_layout import FlowLayout, labelled
from workbench.widgets.stale import Staleness

if TYPE_CHECKING:
    from workbench.panels.optimizer.panel import OptimizerPanel

SHOW = ("minimum reached", "steps to reach", "final loss (log₁₀)")


# categories, not a scale: muted Tableau 10, none of them an optimizer's colour (style.PALETTE)
BASIN_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
                "#bab0ac", "#ff9da7")
NO_MINIMUM = "#3a3a3a"


def basin_colormap(count: int) -> pg.ColorMap:
    """Grey for "no minimum" (value −1), then one category colour per minimum 0..count−1."""
    colors = [NO_MINIMUM] + [BASIN_COLORS[i % len(BASIN_COLORS)] for i in range(max(count, 1))]
    n = len(colors)
    edges = np.arange(n + 1) / n
    stops = np.ravel(np.column_stack([edges[:-1] + 1e-6, edges[1:] - 1e-6]))
    return pg.ColorMap(stops, np.repeat(colors, 2).tolist(), mapping=pg.ColorMap.CLIP)


class BasinView(QtWidgets.QWidget):
    """Controls row and the basin image; computes on demand through the panel's job manager."""

    def __init__(self, panel: "OptimizerPanel") -> None:
        super().__init__()
        self.panel = panel
        self._job = panel.job_slot("basins")
        self.snapshot: Optional[BasinSnapshot] = None
        self.spec = QtWidgets.QComboBox()
        self.spec.setToolTip("The configuration started from every grid point (from the Optimizers list)")
        self.spec.setMinimumContentsLength(18)
        self.spec.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.n = QtWidgets.QSpinBox()
        self.n.setRange(8, 512)
        self.n.setValue(256)
        self.n.setToolTip("Grid of n × n start points")
        self.steps = QtWidgets.QSpinBox()
        self.steps.setRange(1, 100_000)
        self.steps.setValue(500)
        self.steps.setToolTip("Steps from every start")
        self.show_what = QtWidgets.QComboBox()
        self.show_what.addItems(SHOW)
        self.show_what.setToolTip("Colour each start by the minimum it ends within 0.05 of (grey: none or diverged), "
                                  "the first step it got there, or its final loss")
        self.compute = QtWidgets.QPushButton("Compute")
        self.compute.setToolTip("Run the basin map for the current surface")
        row = FlowLayout()
        for label, w in (("Optimizer", self.spec), ("Grid", self.n), ("Steps", self.steps), ("Show", self.show_what)):
            row.addWidget(labelled(label, w))
        row.addWidget(self.compute)
        self.plot = pg.PlotWidget()
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.setLabel("bottom", "start x")
        item.setLabel("left", "start y")
        self.heatmap = Heatmap(item, label="")
        self.minima = pg.ScatterPlotItem(symbol="star", size=16, pen=pg.mkPen("k"), brush=pg.mkBrush("w"))
        item.addItem(self.minima)
        self.status = QtWidgets.QLabel("Press Compute to map the basins of the current surface.")
        self.status.setWordWrap(True)
        self.staleness = Staleness(self.plot, self.status)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)
        self.compute.clicked.connect(self.run)
        self.show_what.currentIndexChanged.connect(lambda _i: self._draw(self.snapshot))
        panel.configs.changed.connect(self._sync_specs)
        self._sync_specs()

    def _sync_specs(self) -> None:
        current = self.spec.currentText()
        self.spec.clear()
        self.spec.addItems(self.panel.configs.specs())
        if current in self.panel.configs.specs():
            self.spec.setCurrentText(current)

    def surface_changed(self, name: str) -> None:
        """The surface changed: a map of the old one is out of date (and its job no longer wanted)."""
        self._job.cancel()
        if self.snapshot is not None:
            self.staleness.mark(f"this map is of {self.snapshot.request.surface.describe()}, the surface is now {name}; "
                                "press Compute")

    @property
    def wants_run(self) -> bool:
        """Nothing drawn yet, or what is drawn is out of date."""
        return (self.snapshot is None or self.staleness.stale) and not self._job.running

    def run(self) -> None:
        request = BasinRequest(self.panel.picker.choice(), self.spec.currentText(), self.n.value(), self.steps.value(),
                               self.panel.context.device())
        handle = self._job.start("Basin map", basin_job, request)
        handle.partial.connect(self._draw)
        handle.succeeded.connect(self._draw)

    def _draw(self, snapshot: Optional[BasinSnapshot]) -> None:
        self.snapshot = snapshot
        if snapshot is None or snapshot.basins is None:
            return
        self.staleness.clear()
        b = snapshot.basins
        xs, ys = b.xs, b.ys
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        rect = (xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx, ys[-1] - ys[0] + dy)
        what = self.show_what.currentIndex()
        if what == 0:
            count = len(snapshot.minima)
            self.heatmap.set_colormap(basin_colormap(count))
            self.heatmap.set(b.minimum_index.astype(float), rect, (-1.5, max(count, 1) - 0.5), "minimum reached (index)")
            # a discrete key on the colour bar: one tick per category, at the middle of its band
            self.heatmap.bar.axis.setTicks([[(-1.0, "none"), *((float(i), f"{i}")
                                                                for i in range(len(snapshot.minima)))], []])
        else:
            self.heatmap.bar.axis.setTicks(None)  # a continuous scale again
        if what == 1:
            self.heatmap.set_colormap(pg.colormap.get("viridis"))
            steps = np.where(b.steps_to_reach >= 0, b.steps_to_reach, np.nan).astype(float)
            self.heatmap.set(steps, rect, None, "steps to reach a minimum")
        elif what == 2:
            self.heatmap.set_colormap(pg.colormap.get("cividis"))
            loss = np.where(b.diverged, np.nan, b.final_loss).astype(float)
            floor = np.nanmin(snapshot.z)
            self.heatmap.set(np.log10(np.maximum(loss - floor, 1e-12)), rect, None, "log₁₀(final loss − min)")
        self.minima.setData(pos=snapshot.minima)
        share = {i: float(np.mean(b.minimum_index == i)) for i in range(len(snapshot.minima))}
        parts = ", ".join(f"minimum {i} ({m[0]:.3g}, {m[1]:.3g}): {100 * s:.1f}%"
                          for (i, s), m in zip(share.items(), snapshot.minima))
        none = float(np.mean(b.minimum_index < 0))
        self.status.setText(f"{snapshot.label} after {b.steps_done} steps — {parts or 'no known minima'}; "
                            f"none reached: {100 * none:.1f}%")

    def figures(self) -> list[Figure]:
        if self.snapshot is None or self.snapshot.basins is None or self.staleness.stale:
            return []
        return [Figure("Basin map", self.plot, self._data)]

    def _data(self) -> dict[str, np.ndarray]:
        b = self.snapshot.basins if self.snapshot else None
        if b is None:
            return {}
        return {"xs": b.xs, "ys": b.ys, "minimum_index": b.minimum_index, "steps_to_reach": b.steps_to_reach,
                "final_loss": b.final_loss}

    def parameters(self) -> dict[str, Any]:
        if self.snapshot is None:
            return {}
        return {"basin_map": self.snapshot.request.parameters()}
