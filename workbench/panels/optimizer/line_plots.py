"""Line plots shared by the real-network views (interpolation, curvature, comparison): labelled axes without
SI rescaling, and the dashed pen of a held-out or BatchNorm curve."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from workbench.panels.optimizer.style import finite_or_nan, plain_axes
from workbench.widgets.legend_corner import place_legend


class DecadeAxis(pg.AxisItem):
    """An axis that, in log mode, labels the decades and 2× and 5× them only: labels of all nine minor ticks
    of a decade crowd into one another."""

    def tickStrings(self, values: list[float], scale: float, spacing: float | None) -> list[str]:
        strings = super().tickStrings(values, scale, spacing)
        if not self.logMode or spacing is not None:  # spacing None: the minor ticks of a log axis
            return strings
        return [s if round(10 ** (v % 1)) in (1, 2, 5) else "" for v, s in zip(values, strings)]


def line_axes() -> dict[str, pg.AxisItem]:
    """The axis items of a line plot: a y axis that can go logarithmic without crowding its labels."""
    return {"left": DecadeAxis("left")}


def line_plot(bottom: str, left: str, legend: bool = False) -> pg.PlotWidget:
    """A PlotWidget with named axes, a grid and, if asked, a legend."""
    widget = pg.PlotWidget(axisItems=line_axes())
    label_plot(widget.getPlotItem(), bottom, left, legend)
    return widget


def label_plot(item: pg.PlotItem, bottom: str, left: str, legend: bool = False) -> pg.PlotItem:
    """Name ``item``'s axes, show values as they are, draw a faint grid and, if asked, a legend top-right."""
    item.setMenuEnabled(False)
    plain_axes(item)
    item.setLabel("bottom", bottom)
    item.setLabel("left", left)
    item.showGrid(x=True, y=True, alpha=0.15)
    if legend:
        item.addLegend(offset=(-10, 10), labelTextSize="8pt", brush=pg.mkBrush(20, 20, 20, 200))
    return item


def pen(colour: str, dashed: bool = False, width: float = 2.0) -> pg.QtGui.QPen:
    """A curve's pen: solid, or dashed for the second of a pair (held-out data, the BatchNorm network)."""
    style = QtCore.Qt.PenStyle.DashLine if dashed else QtCore.Qt.PenStyle.SolidLine
    return pg.mkPen(colour, width=width, style=style)


def curve(item: pg.PlotItem, x: np.ndarray, y: np.ndarray, colour: str, name: str | None = None,
          dashed: bool = False, symbol: str | None = None) -> pg.PlotDataItem:
    """Add ``y`` against ``x`` (non-finite values left out as gaps) to ``item``."""
    kwargs = {"symbol": symbol, "symbolSize": 6, "symbolBrush": colour, "symbolPen": None} if symbol else {}
    return item.plot(np.asarray(x, dtype=float), finite_or_nan(y), pen=pen(colour, dashed), name=name,
                     connect="finite", **kwargs)


def positive(values: np.ndarray) -> bool:
    """Whether every finite value is above zero (a log axis can show them), and there is one."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return bool(finite.size) and bool((finite > 0).all())


def legend_clear_of(item: pg.PlotItem, x: np.ndarray, y: np.ndarray) -> None:
    """Move ``item``'s legend to the corner where it hides the fewest of the points (x, y) just drawn."""
    if item.legend is None:
        return
    y = np.asarray(y, dtype=float)
    if item.ctrl.logYCheck.isChecked():
        y = np.log10(np.where(y > 0, y, np.nan))
    view = item.getViewBox()
    view.updateAutoRange()  # the range the new curves are drawn in, not the last one
    place_legend(item.legend, view, np.column_stack([np.asarray(x, dtype=float), y]))
