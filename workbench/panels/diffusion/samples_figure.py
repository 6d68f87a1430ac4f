"""A comparison as one figure: the samplers' samples on top, each sampler's x_t at its last model call below
(``run diffusion``'s figure.png; arrays and titles from :func:`tasks.diffusion_figure.figure_rows`)."""
from __future__ import annotations

from typing import Optional

import numpy as np
import pyqtgraph as pg

from tasks.diffusion_figure import FigureRows
from workbench.panels.diffusion.style import DATA_COLOR, MAX_POINTS, color, mosaic, square_plot

ROW_NAMES = ("samples (what the sampler returns)", "x_t at the last model call")


class SamplesFigure(pg.GraphicsLayoutWidget):
    """Two rows of one cell per sampler: scatter plots over the data (points) or image mosaics."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("k")

    def set_rows(self, rows: FigureRows, reference: Optional[np.ndarray] = None) -> None:
        self.clear()
        columns = max(1, len(rows.samples))
        for r, (cells, name) in enumerate(zip((rows.samples, rows.last_x), ROW_NAMES)):
            self.addLabel(f"<b>{name}</b>", row=2 * r, col=0, colspan=columns, size="11pt")
            for k, cell in enumerate(cells):
                box = self.addLayout(row=2 * r + 1, col=k)
                box.addLabel(cell.title, row=0, col=0, size="9pt")
                if rows.kind == "points":
                    self._points(box, cell.data, reference, k)
                else:
                    self._images(box, cell.data)

    @staticmethod
    def _points(box: pg.GraphicsLayout, data: np.ndarray, reference: Optional[np.ndarray], k: int) -> None:
        plot = box.addPlot(row=1, col=0)
        square_plot(plot)
        plot.getAxis("left").setWidth(28)
        if reference is not None and np.asarray(reference).ndim == 2:
            ref = np.asarray(reference)[:MAX_POINTS]
            plot.addItem(pg.ScatterPlotItem(ref[:, 0], ref[:, 1], size=3, pen=None, brush=pg.mkBrush(*DATA_COLOR)))
        shown = np.asarray(data, float)[:MAX_POINTS]
        shown = shown[np.isfinite(shown).all(axis=1)]
        plot.addItem(pg.ScatterPlotItem(shown[:, 0], shown[:, 1], size=4, pen=None, brush=pg.mkBrush(color(k))))

    @staticmethod
    def _images(box: pg.GraphicsLayout, data: np.ndarray) -> None:
        view = box.addViewBox(row=1, col=0, lockAspect=True, invertY=True, enableMouse=False)
        image = pg.ImageItem(axisOrder="row-major")
        image.setImage(mosaic(np.nan_to_num(np.asarray(data)[:64])), levels=(0.0, 1.0))
        view.addItem(image)
