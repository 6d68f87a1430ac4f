"""One sampler's frame: particles, trajectories and the denoiser's field for points, image grids for images."""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from workbench.panels.diffusion.style import DATA_COLOR, EXTENT, MAX_POINTS, color, mosaic, nan_joined, square_plot
from workbench.widgets.axes import show_values

TRAJECTORIES = 40
LONG_LABEL = 32  # characters of a run's label kept on one line


def _sigma_text(sigma: float) -> str:
    return "σ = ∞" if math.isinf(sigma) else f"σ = {sigma:.3g}"


_SHORT = {"sliced_wasserstein": "SW", "mmd": "MMD²", "frechet_digits": "FD", "non_finite_samples": "not finite"}

class FrameView(pg.GraphicsLayoutWidget):
    """One sampler's run at a chosen model call: 2D particles or image grids of x_t and x̂0."""

    def __init__(self, parent=None, compact: bool = False) -> None:
        super().__init__(parent)
        self.compact = compact
        self.setBackground("k")
        self.run: Any = None
        self.kind = "points"
        self.index = 0
        self.color_index = 0
        self.show_field = True
        self.show_x0 = True
        self.show_paths = True
        self._mode: Optional[str] = None
        self._set_mode("points")

    # ----------------------------------------------------------------- building
    def _set_mode(self, mode: str) -> None:
        if mode == self._mode:
            return
        self.clear()
        self._mode = mode
        self.title = self.addLabel("", row=0, col=0, colspan=2, size="9pt" if self.compact else "10pt")
        if mode == "points":
            self.plot = self.addPlot(row=1, col=0)
            square_plot(self.plot)
            if self.compact:
                self.plot.getAxis("left").setWidth(28)
            self.data_item = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(*DATA_COLOR))
            self.paths_item = pg.PlotCurveItem(connect="finite")
            self.field_item = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(120, 200, 255, 150, width=1))
            self.x0_item = pg.ScatterPlotItem(size=3, pen=None, symbol="x")
            self.points_item = pg.ScatterPlotItem(size=4, pen=None)
            for item in (self.data_item, self.field_item, self.paths_item, self.x0_item, self.points_item):
                self.plot.addItem(item)
        else:
            # one view box holding both grids side by side: they share one scale whatever the widget's shape
            self.box = self.addViewBox(row=1, col=0, lockAspect=True, invertY=True, enableMouse=False)
            self.images = []
            self.captions = []
            for name in ("x_t", "E[x0 | x_t]"):
                image = pg.ImageItem(axisOrder="row-major")
                image.setLevels((0.0, 1.0))
                caption = pg.TextItem(name, color=(200, 200, 200), anchor=(0.5, 1.0))
                self.box.addItem(image)
                self.box.addItem(caption)
                self.images.append(image)
                self.captions.append(caption)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if getattr(self, "_mode", None) == "points":  # keep the square data range centred whatever the aspect of the view
            self.plot.setRange(xRange=(-EXTENT, EXTENT), yRange=(-EXTENT, EXTENT), padding=0)
        elif getattr(self, "_mode", None) == "images":
            self._fit_images()

    def _fit_images(self) -> None:
        """Place the two grids side by side with a gap, captions above, and fit them into the box."""
        first = self.images[0].image
        if first is None:
            return
        h, w = first.shape[:2]
        gap = max(2.0, 0.06 * w)
        for k, (image, caption) in enumerate(zip(self.images, self.captions)):
            x = k * (w + gap)
            image.setRect(QtCore.QRectF(x, 0, w, h))
            caption.setPos(x + w / 2, -0.5)
        self.box.setRange(QtCore.QRectF(0, -0.12 * h, 2 * w + gap, 1.12 * h), padding=0.02)

    def set_reference(self, data: Optional[np.ndarray]) -> None:
        if self._mode == "points":
            if data is None or np.asarray(data).ndim != 2:
                self.data_item.setData([], [])
            else:
                d = np.asarray(data)[:MAX_POINTS]
                self.data_item.setData(d[:, 0], d[:, 1])

    def set_run(self, run: Any, kind: str, color_index: int = 0, field_axis: Optional[np.ndarray] = None) -> None:
        self.run, self.kind, self.color_index = run, kind, color_index
        self.field_axis = field_axis
        self._set_mode("points" if kind == "points" else "images")
        if run is not None and kind == "points":
            c = color(color_index)
            self.points_item.setBrush(pg.mkBrush(c))
            faded = QtGui.QColor(c)
            faded.setAlpha(45)
            self.paths_item.setPen(pg.mkPen(faded, width=1))
            light = QtGui.QColor(255, 255, 255, 130)
            self.x0_item.setBrush(pg.mkBrush(light))
            self.x0_item.setPen(pg.mkPen(light))
        self.show_call(min(self.index, self.calls() - 1) if self.calls() else 0)

    def waiting(self, text: str) -> None:
        """Before the first run: ``text`` in the title and no tick values on the empty axes."""
        self.title.setText(text)
        if self._mode == "points":
            show_values(self.plot, False)

    def calls(self) -> int:
        return 0 if self.run is None else len(self.run.frames)

    def show_call(self, index: int) -> None:
        """Draw the state after ``index`` model calls (clamped to this run's calls)."""
        self.index = index
        if self.run is None or not self.calls():
            self.title.setText("")
            return
        if self._mode == "points":
            show_values(self.plot, True)
        i = max(0, min(index, self.calls() - 1))
        f = self.run.frames
        name, gap = self.run.label, "  "
        if len(name) > LONG_LABEL:  # a branch's "branch of A at call k: B, NFE n": two lines, the call a third
            name, gap = name.replace(": ", ":<br>", 1), "<br>"
        label = f"<b>{name}</b>{gap}call {i + 1}/{self.calls()}, {_sigma_text(float(f.sigma[i]))}"
        if self.run.metrics:
            label += "<br>" + ", ".join(f"{_SHORT.get(k, k)} {v:.3g}" for k, v in self.run.metrics.items())
        self.title.setText(label)
        if self._mode == "points":
            x, x0 = f.x[i][:MAX_POINTS], f.x0[i][:MAX_POINTS]
            self.points_item.setData(x[:, 0], x[:, 1])
            if self.show_x0:
                self.x0_item.setData(x0[:, 0], x0[:, 1])
            else:
                self.x0_item.setData([], [])
            if self.show_paths:
                p = nan_joined(f.x[: i + 1, :TRAJECTORIES])
                self.paths_item.setData(p[:, 0], p[:, 1])
            else:
                self.paths_item.setData([], [])
            self._draw_field(i)
        else:
            n = min(len(f.x[i]), 64)
            self.images[0].setImage(mosaic(f.x[i][:n]), levels=(0.0, 1.0))
            self.images[1].setImage(mosaic(f.x0[i][:n]), levels=(0.0, 1.0))
            self._fit_images()

    def _draw_field(self, i: int) -> None:
        field = getattr(self.run, "field", None)
        if not self.show_field or field is None or self.field_axis is None or i >= len(field):
            self.field_item.setData([], [])
            return
        axis = self.field_axis
        gx, gy = np.meshgrid(axis, axis)
        d = field[i].reshape(-1, 2)
        length = np.linalg.norm(d, axis=1, keepdims=True)
        step = (axis[1] - axis[0]) * 0.8
        scale = step / max(float(np.percentile(length, 90)), 1e-12)
        d = d * np.minimum(scale, step / np.maximum(length, 1e-12))
        start = np.stack([gx.ravel(), gy.ravel()], 1)
        seg = np.empty((2 * len(start), 2))
        seg[0::2], seg[1::2] = start, start + d
        self.field_item.setData(seg[:, 0], seg[:, 1])
