"""Decoded paths: image strips (lerp, slerp, the analogy row) and, for 2D data, the paths among the points."""
from __future__ import annotations

from typing import Optional

import numpy as np
import pyqtgraph as pg

from engines.images import tile
from workbench.panels.latent.image_box import ImageBox
from workbench.panels.latent.style import MODE_COLORS


class RowTitle(pg.LabelItem):
    """A row's title that never widens the layout (pyqtgraph sets a label's minimum width to its text's):
    a long title is cut at the view's edge instead of pushing the images out of it."""

    def updateMin(self) -> None:
        super().updateMin()
        self.setMinimumWidth(0)


class StripView(pg.GraphicsLayoutWidget):
    """Decoded images along the lerp path and along the slerp path, one row each, the analogy row, and the
    nearest neighbours of the item last clicked."""

    def __init__(self) -> None:
        super().__init__()
        self.ci.setContentsMargins(4, 4, 4, 4)
        self.ci.setSpacing(2)
        self.rows: dict[str, ImageBox] = {}
        self.titles: dict[str, pg.LabelItem] = {}
        for r, (key, text) in enumerate((("lerp", "lerp"), ("slerp", "slerp"), ("analogy", "analogy  a − b + c"),
                                           ("neighbours", "nearest neighbours: click an item on the map"))):
            label = RowTitle(text, justify="left", color="#dddddd", size="9pt")
            self.addItem(label, row=2 * r, col=0)
            box = ImageBox()
            self.addItem(box, row=2 * r + 1, col=0)
            self.rows[key] = box
            self.titles[key] = label

    def set_row(self, key: str, images: Optional[np.ndarray], title: str, pad: int = 1) -> None:
        box = self.rows[key]
        self.titles[key].setText(title)
        if images is None or len(images) == 0:
            box.set_image(None)
            return
        box.set_image(tile(images, columns=len(images), pad=pad, fill=0.35))


class PointsView(pg.PlotWidget):
    """Points: the data set in grey and decoded paths or samples over it (the first two coordinates)."""

    def __init__(self, title: str = "", paths: bool = True) -> None:
        super().__init__()
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.setTitle(title, size="9pt")
        plot.setAspectLocked(True)
        for side in ("left", "bottom"):  # the data's own coordinates, as they are
            plot.getAxis(side).enableAutoSIPrefix(False)
        self.data = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(160, 160, 160, 90))
        self.samples = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(31, 208, 255, 140))
        plot.addItem(self.data)
        plot.addItem(self.samples)
        if paths:
            plot.addLegend(offset=(-10, 10))
        self.curves = {m: plot.plot([], [], pen=pg.mkPen(c, width=2.5), symbol="o", symbolSize=6, symbolBrush=c,
                                    symbolPen=None, name=m if paths else None)
                       for m, c in MODE_COLORS}

    def set_data(self, data: np.ndarray, samples: Optional[np.ndarray] = None) -> None:
        """The data (grey) and ``samples`` (blue); items of more than 2 numbers are drawn by their first two,
        as the axes say."""
        data = np.asarray(data)
        more = f" of {data.shape[1]} coordinates" if data.ndim == 2 and data.shape[1] > 2 else ""
        self.getPlotItem().setLabel("bottom", f"x₁ (first{more})" if more else "x₁")
        self.getPlotItem().setLabel("left", f"x₂ (second{more})" if more else "x₂")
        self.data.setData(pos=data[:, :2])
        self.samples.setData(pos=np.asarray(samples)[:, :2] if samples is not None else np.zeros((0, 2)))

    def set_paths(self, paths: dict[str, Optional[np.ndarray]]) -> None:
        for m, item in self.curves.items():
            p = paths.get(m)
            item.setData([], []) if p is None else item.setData(p[:, 0], p[:, 1])
