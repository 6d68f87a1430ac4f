"""Loss against step for every trajectory, log y, with a draggable line at the current step."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from tasks.optimizer import thinned
from workbench.panels.optimizer.style import POINT_BUDGET, color, nan_joined, plain_axes

MAX_INDIVIDUAL = 16  # starts per optimizer drawn one by one; more are summarised by quantiles


def column_quantiles(values: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles (linear interpolation, as numpy's) of each column of ``values`` (S, T) over its finite
    entries, NaN where a column has none: (len(qs), T). Vectorised: np.nanquantile loops over columns."""
    ordered = np.sort(np.where(np.isfinite(values), values, np.nan), axis=0)  # NaN sorts last
    count = np.isfinite(values).sum(axis=0)
    out = np.full((len(qs), values.shape[1]), np.nan)
    for i, q in enumerate(qs):
        pos = q * np.maximum(count - 1, 0)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
        a = np.take_along_axis(ordered, lo[None], axis=0)[0]
        b = np.take_along_axis(ordered, hi[None], axis=0)[0]
        out[i] = np.where(count > 0, a + (pos - lo) * (b - a), np.nan)
    return out


class LossPlot(pg.PlotWidget):
    """Loss curves per optimizer (all its starts, or their quantiles); y is the gap to the best known minimum.

    Dragging the vertical line emits :attr:`step_dragged` with the step index nearest the line.
    """

    step_dragged = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plain_axes(plot)
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
        """steps (T,), losses (C, S, T); ``floor`` is the best known loss (the gap is drawn above it).

        Up to MAX_INDIVIDUAL starts every trajectory gets its curve; beyond that each optimizer shows the
        median over its starts with dashed 10% and 90% quantiles (readable, and cheap to redraw)."""
        self._steps = np.asarray(steps, float)
        self._floor = float(floor)
        gap = np.asarray(losses, float) - self._floor
        if self._log:
            gap = np.maximum(gap, 1e-12)  # a start sitting exactly on the minimum stays drawable
        gap[~np.isfinite(gap)] = np.nan
        summary = gap.shape[1] > MAX_INDIVIDUAL
        per_config = 3 if summary else 1
        if len(self._curves) != len(labels) * per_config:
            self.clear_curves()
            for i in range(len(labels)):
                self._curves.append(self._add_curve(color(i), 1.2))
                if summary:
                    self._curves += [self._add_curve(color(i), 0.8, QtCore.Qt.PenStyle.DashLine) for _ in range(2)]
        for c in range(len(labels)):
            curves = self._curves[c * per_config:(c + 1) * per_config]
            if summary:
                keep = thinned(1, gap.shape[2], POINT_BUDGET)
                for curve, values in zip(curves, column_quantiles(gap[c][:, keep], (0.5, 0.1, 0.9))):
                    curve.setData(self._steps[keep], values, connect="finite")
            else:
                s, t = gap[c].shape
                xs = np.broadcast_to(self._steps, (s, t))[..., None]
                joined = nan_joined(np.concatenate([xs, gap[c][..., None]], axis=-1))
                curves[0].setData(joined[:, 0], joined[:, 1], connect="finite")

    def _add_curve(self, pen_color, width: float, style=QtCore.Qt.PenStyle.SolidLine) -> pg.PlotDataItem:
        curve = pg.PlotDataItem(pen=pg.mkPen(pen_color, width=width, style=style), connect="finite")
        self.getPlotItem().addItem(curve)
        return curve

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
