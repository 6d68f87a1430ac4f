"""An image on a plot with a colour bar: the surface, basin, sweep, network and comparison views all draw one.
Its plot and bar show no tick values while it holds no image (no made-up 0–1 ranges)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from workbench.panels.optimizer.style import colormap, plain_axes
from workbench.widgets.axes import show_values


class Heatmap:
    """A row-major ImageItem placed on ``rect`` in data coordinates, with a ColorBarItem on the right."""

    def __init__(self, plot: pg.PlotItem, cmap: str | pg.ColorMap | None = None, label: str = "") -> None:
        self.plot = plot
        plain_axes(plot)  # every view that draws a heatmap plots unitless coordinates
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-100)
        plot.addItem(self.image)
        cm = cmap if isinstance(cmap, pg.ColorMap) else colormap(cmap) if cmap else colormap()
        self.bar = pg.ColorBarItem(colorMap=cm, interactive=False, width=12)
        self.bar.setImageItem(self.image, insert_in=plot)
        self.bar.axis.setLabel(label)  # on the axis with the ticks
        plain_axes(self.bar)  # a ColorBarItem is a PlotItem: its tick axis is one of its four
        self.data: np.ndarray | None = None
        self._show_values(False)

    def set(
        self,
        data: np.ndarray,
        rect: tuple[float, float, float, float],
        levels: tuple[float, float] | None = None,
        label: str | None = None,
    ) -> None:
        """Show ``data`` (rows = y, columns = x) over rect = (x0, y0, width, height)."""
        self.data = np.asarray(data, dtype=np.float64)
        finite = self.data[np.isfinite(self.data)]
        if levels is None:
            levels = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if levels[1] <= levels[0]:
            levels = (levels[0], levels[0] + 1.0)
        self.image.setImage(self.data, autoLevels=False)
        self.image.setRect(QtCore.QRectF(*rect))
        self.bar.setLevels(levels)
        if label is not None:
            self.bar.axis.setLabel(label)
        self._show_values(True)

    def set_colormap(self, cmap: pg.ColorMap) -> None:
        self.bar.setColorMap(cmap)

    def clear(self) -> None:
        self.image.clear()
        self.data = None
        self._show_values(False)

    def _show_values(self, shown: bool) -> None:
        show_values(self.plot, shown)
        self.bar.axis.setStyle(showValues=shown)
