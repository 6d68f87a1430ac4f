"""Loss against step for every trajectory, log y, with a draggable line at the current step."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from workbench.panels.optimizer.style import color, nan_joined


class LossPlot(pg.PlotWidget):
    """One NaN-separated curve per optimizer (all its starts); y is the gap to the best known minimum.

    Dragging the vertical line emits :attr:`step_dragged` with the step index nearest the line.
    """

    step_dragged = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.setLabel("bottom", "step")
        plot.showGrid(x=True, y=True, alpha=0.2)
        self._log = True
        self._floor = 0.0
        self._steps = np.zeros(0)
        self._curves: list[pg.PlotDataItem] = []
        self.line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("w", width=1.5),
                                    hoverPen=pg.mkPen("y", width=3))
        self.line.setZValue(20)
        self.line.sigDragged.connect(self._dragged)
        plot.addItem(self.line)
        self.setToolTip("Loss against step for every start (one colour per optimizer).\n"
                        "Drag the white line to scrub through the steps.")
        self._apply_axis_labels()

    def set_log(self, on: bool) -> None:
        self._log = bool(on)
        self._apply_axis_labels()

    def _apply_axis_labels(self) -> None:
        label = "loss − min (log)" if self._log else "loss − min"
        self.getPlotItem().setLabel("left", label)
        self.getPlotItem().setLogMode(y=self._log)

    def set_losses(self, steps: np.ndarray, losses: np.ndarray, labels: Sequence[str], floor: float) -> None:
        """steps (T,), losses (C, S, T); ``floor`` is the best known loss (the gap is drawn above it)."""
        plot = self.getPlotItem()
        self._steps = np.asarray(steps, float)
        self._floor = float(floor)
        if len(self._curves) != len(labels):
            for item in self._curves:
                plot.removeItem(item)
            self._curves = []
            for i, _ in enumerate(labels):
                curve = pg.PlotDataItem(pen=pg.mkPen(color(i), width=1.2), connect="finite")
                plot.addItem(curve)
                self._curves.append(curve)
        gap = np.asarray(losses, float) - self._floor
        if self._log:
            gap = np.maximum(gap, 1e-12)  # a start sitting exactly on the minimum stays drawable
        for c, curve in enumerate(self._curves):
            s, t = gap[c].shape
            xs = np.broadcast_to(self._steps, (s, t))[..., None]
            joined = nan_joined(np.concatenate([xs, gap[c][..., None]], axis=-1))
            curve.setData(joined[:, 0], joined[:, 1], connect="finite")

    def clear_curves(self) -> None:
        for item in self._curves:
            self.getPlotItem().removeItem(item)
        self._curves = []

    def set_index(self, index: int) -> None:
        if len(self._steps):
            self.line.blockSignals(True)
            self.line.setValue(float(self._steps[int(np.clip(index, 0, len(self._steps) - 1))]))
            self.line.blockSignals(False)

    def _dragged(self) -> None:
        if len(self._steps):
            self.step_dragged.emit(int(np.argmin(np.abs(self._steps - self.line.value()))))
