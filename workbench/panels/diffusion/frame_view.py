"""One sampler's frame: particles, trajectories and the denoiser's field for points, image grids for images;
one position after the last model call shows the samples the sampler returned (not the last x_t)."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from tasks.diffusion_figure import metrics_text, samples_title, sigma_text
from workbench.panels.diffusion.style import DATA_COLOR, EXTENT, MAX_POINTS, color, mosaic, nan_joined, square_plot
from workbench.widgets.axes import show_values

TRAJECTORIES = 40
LONG_LABEL = 32  # characters of a run's label kept on one line
TITLE_MARGIN_PX = 8  # kept free at the title's ends


CAPTIONS = {False: ("x_t", "E[x0 | x_t]"), True: ("x_t, last call", "samples")}  # at a call / at the samples

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
            for name in CAPTIONS[False]:
                image = pg.ImageItem(axisOrder="row-major")
                image.setLevels((0.0, 1.0))
                caption = pg.TextItem(name, color=(200, 200, 200), anchor=(0.5, 1.0))
                self.box.addItem(image)
                self.box.addItem(caption)
                self.images.append(image)
                self.captions.append(caption)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if getattr(self, "_title", None):
            self._set_title(self._title)
        if getattr(self, "_mode", None) == "points":  # keep the square data range centred whatever the aspect of the view
            self.plot.setRange(xRange=(-EXTENT, EXTENT), yRange=(-EXTENT, EXTENT), padding=0)
        elif getattr(self, "_mode", None) == "images":
            self._fit_images()

    def _set_title(self, text: str) -> None:
        """``text`` as the title; a first line wider than the view breaks after the run's bold name (a long
        name in a quarter of a 1280 px window)."""
        self._title = text
        self.title.setText(text)
        if "</b> " in text and self.title.item.boundingRect().width() > self.width() - TITLE_MARGIN_PX:
            self.title.setText(text.replace("</b> ", "</b><br>", 1))

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
        """Draw the state at model call ``index`` (0-based); from index = calls on, the samples the sampler
        returned (a sampler that made fewer calls than another is done earlier)."""
        self.index = index
        if self.run is None or not self.calls():
            self.title.setText("")
            return
        if self._mode == "points":
            show_values(self.plot, True)
        done = index >= self.calls()
        i = max(0, min(index, self.calls() - 1))
        f = self.run.frames
        if done:
            label = samples_title(self.run)
        else:
            name, gap = self.run.label, "  "
            if len(name) > LONG_LABEL:  # a branch's "branch of A at call k: B, NFE n": two lines, the call a third
                name, gap = name.replace(": ", ":<br>", 1), "<br>"
            label = f"<b>{name}</b>{gap}call {i + 1}/{self.calls()}, {sigma_text(float(f.sigma[i]))}"
            if self.run.metrics:
                label += "<br>samples: " + metrics_text(self.run.metrics)
        self._set_title(label)
        samples = np.asarray(self.run.samples)[:MAX_POINTS]
        if self._mode == "points":
            x, x0 = (samples, None) if done else (f.x[i][:MAX_POINTS], f.x0[i][:MAX_POINTS])
            self.points_item.setData(x[:, 0], x[:, 1])
            if self.show_x0 and x0 is not None:
                self.x0_item.setData(x0[:, 0], x0[:, 1])
            else:
                self.x0_item.setData([], [])
            if self.show_paths:
                p = nan_joined(f.x[: i + 1, :TRAJECTORIES])
                self.paths_item.setData(p[:, 0], p[:, 1])
            else:
                self.paths_item.setData([], [])
            self._draw_field(-1 if done else i)
        else:
            n = min(len(f.x[i]), 64)
            self.images[0].setImage(mosaic(f.x[i][:n]), levels=(0.0, 1.0))
            self.images[1].setImage(mosaic((samples if done else f.x0[i])[:n]), levels=(0.0, 1.0))
            for caption, text in zip(self.captions, CAPTIONS[done]):
                caption.setText(text)
            self._fit_images()

    def _draw_field(self, i: int) -> None:
        field = getattr(self.run, "field", None)
        if not self.show_field or field is None or self.field_axis is None or not 0 <= i < len(field):
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
