"""The panel's plots: one sampler's frame (particles, trajectories, field / image grids), the quality-vs-NFE
chart, the σ-schedule plot, the forward process and the training curves. None of them imports torch."""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from engines.images import tile
from workbench.panels.diffusion.style import DATA_COLOR, EXTENT, color, nan_joined

TRAJECTORIES = 40
MAX_POINTS = 2000


def _unit(images: np.ndarray) -> np.ndarray:
    return np.clip((np.asarray(images) + 1.0) / 2.0, 0.0, 1.0)


def _mosaic(images: np.ndarray) -> np.ndarray:
    """(N, C, H, W) or (N, H, W) images in [-1, 1] -> one near-square mosaic in [0, 1], framed by the gap colour
    (2-D when single-channel; pyqtgraph: x is axis 0)."""
    images = _unit(images)
    if images.ndim == 4:
        images = np.moveaxis(images, 1, -1)
        if images.shape[-1] == 1:
            images = images[..., 0]
    return tile(images, border=True)


def _square_plot(plot: pg.PlotItem, extent: float = EXTENT) -> None:
    plot.setAspectLocked(True)
    plot.setRange(xRange=(-extent, extent), yRange=(-extent, extent), padding=0)
    plot.hideButtons()
    plot.showGrid(x=True, y=True, alpha=0.15)


def log_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    """Ticks at 1, 2, 5 × 10^k between ``lo`` and ``hi`` (data units), placed in log10 coordinates."""
    if not (lo > 0 and hi > 0 and math.isfinite(lo) and math.isfinite(hi)):
        return []
    ticks = []
    for k in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10.0 ** k
            if lo / 1.5 <= v <= hi * 1.5:
                ticks.append((math.log10(v), f"{v:g}"))
    if len(ticks) > 8:
        ticks = [t for t in ticks if t[1].lstrip("0.").startswith("1")] or ticks
    return ticks


def _sigma_text(sigma: float) -> str:
    return "σ = ∞" if math.isinf(sigma) else f"σ = {sigma:.3g}"


_SHORT = {"sliced_wasserstein": "SW", "mmd": "MMD²", "frechet_digits": "FD"}


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
            _square_plot(self.plot)
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

    def calls(self) -> int:
        return 0 if self.run is None else len(self.run.frames)

    def show_call(self, index: int) -> None:
        """Draw the state after ``index`` model calls (clamped to this run's calls)."""
        self.index = index
        if self.run is None or not self.calls():
            self.title.setText("")
            return
        i = max(0, min(index, self.calls() - 1))
        f = self.run.frames
        label = f"<b>{self.run.label}</b>  call {i + 1}/{self.calls()}, {_sigma_text(float(f.sigma[i]))}"
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
            self.images[0].setImage(_mosaic(f.x[i][:n]), levels=(0.0, 1.0))
            self.images[1].setImage(_mosaic(f.x0[i][:n]), levels=(0.0, 1.0))
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


class QualityChart(pg.PlotWidget):
    """Quality against NFE, one curve per sampler, log–log."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("k")
        self.plotItem.setLogMode(x=True, y=True)
        self.plotItem.showGrid(x=True, y=True, alpha=0.2)
        for side in ("left", "bottom"):
            self.plotItem.getAxis(side).enableAutoSIPrefix(False)
        self.plotItem.setLabel("bottom", "model calls (NFE)")
        self.plotItem.setTitle("Quality against NFE", size="10pt")
        self.legend = self.plotItem.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self.curves = None
        self.pending = False  # a quality job is running
        self.metric = "sliced_wasserstein"

    def set_curves(self, curves: Any, metric: Optional[str] = None) -> None:
        self.curves = curves
        if metric:
            self.metric = metric
        self.redraw()

    def metrics(self) -> list[str]:
        if self.curves is None:
            return []
        return sorted({k for m in self.curves.metrics.values() for k in m})

    def redraw(self) -> None:
        self.plotItem.clear()
        self.legend.clear()
        if self.curves is None or not self.metrics():
            for side in ("bottom", "left"):
                self.plotItem.getAxis(side).setTicks([[], []])
            self.plotItem.setTitle("Quality against NFE (measuring…)" if self.curves is not None or self.pending
                                   else "Quality against NFE", size="10pt")
            return
        self.plotItem.setTitle("Quality against NFE", size="10pt")
        metric = self.metric if self.metric in self.metrics() else (self.metrics() or [self.metric])[0]
        self.plotItem.setLabel("left", metric.replace("_", " "))
        xs: list[float] = []
        ys: list[float] = []
        for k, (name, nfes) in enumerate(self.curves.nfes.items()):
            values = np.asarray(self.curves.metrics[name].get(metric, []), float)
            if not len(values):
                continue
            x = np.asarray(nfes[: len(values)], float)
            y = np.where(values > 0, values, np.nan)
            self.plotItem.plot(x, y, pen=pg.mkPen(color(k), width=2), symbol="o", symbolSize=6,
                               symbolBrush=color(k), name=self.curves.labels.get(name, name))
            xs.extend(x)
            ys.extend(y[np.isfinite(y)])
        if xs:
            self.plotItem.getAxis("bottom").setTicks([log_ticks(min(xs), max(xs)), []])
        if ys:
            self.plotItem.getAxis("left").setTicks([log_ticks(min(ys), max(ys)), []])

    def data(self) -> dict[str, np.ndarray]:
        if self.curves is None:
            return {}
        rows = [(name, n, m, v) for name, nfes in self.curves.nfes.items()
                for m, vals in self.curves.metrics[name].items() for n, v in zip(nfes, vals)]
        return {"sampler": np.array([r[0] for r in rows]), "nfe": np.array([r[1] for r in rows]),
                "metric": np.array([r[2] for r in rows]), "value": np.array([r[3] for r in rows], float)}


class SchedulePlot(pg.PlotWidget):
    """σ of each sampler's grid against step, the chosen steps marked; the current call highlighted."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("k")
        self.plotItem.setLogMode(y=True)
        self.plotItem.showGrid(x=True, y=True, alpha=0.2)
        self.plotItem.setLabel("bottom", "step")
        self.plotItem.setLabel("left", "σ")
        self.plotItem.getAxis("left").enableAutoSIPrefix(False)
        self.plotItem.setTitle("Noise levels of each sampler", size="10pt")
        self.legend = self.plotItem.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self.runs: list[Any] = []
        self.marker = pg.ScatterPlotItem(size=12, pen=pg.mkPen("w", width=2), brush=None)

    def set_runs(self, runs: list[Any]) -> None:
        self.runs = list(runs)
        self.plotItem.clear()
        self.legend.clear()
        lo, hi = math.inf, 0.0
        for k, run in enumerate(self.runs):
            s = np.asarray(run.grid, float)
            s = s[np.isfinite(s) & (s > 0)]
            if len(s):
                lo, hi = min(lo, s.min()), max(hi, s.max())
            self.plotItem.plot(np.arange(len(s)), s, pen=pg.mkPen(color(k), width=1.5), symbol="o", symbolSize=5,
                               symbolBrush=color(k), symbolPen=None, name=run.label)
        self.plotItem.addItem(self.marker)
        if hi > 0:
            ticks = [(math.log10(10.0 ** k), f"{10.0 ** k:g}") for k in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)]
            self.plotItem.getAxis("left").setTicks([ticks, []])

    def show_call(self, index: int) -> None:
        xs, ys = [], []
        for run in self.runs:
            if len(run.frames):
                sigma = float(run.frames.sigma[min(index, len(run.frames) - 1)])
                grid = np.asarray(run.grid, float)
                grid = grid[np.isfinite(grid) & (grid > 0)]
                if math.isfinite(sigma) and sigma > 0 and len(grid):
                    xs.append(float(np.argmin(np.abs(np.log(grid) - math.log(sigma)))))
                    ys.append(math.log10(sigma))
        self.marker.setData(xs, ys)

    def data(self) -> dict[str, np.ndarray]:
        rows = [(run.name, i, float(s)) for run in self.runs for i, s in enumerate(run.grid)]
        return {"sampler": np.array([r[0] for r in rows]), "step": np.array([r[1] for r in rows]),
                "sigma": np.array([r[2] for r in rows])}


class ForwardView(pg.GraphicsLayoutWidget):
    """The forward process: a data batch and its noised version x_t = a x0 + b ε (VP scale) at σ."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("k")
        self.data: Optional[np.ndarray] = None
        self.kind = "points"
        self.noise: Optional[np.ndarray] = None
        self.sigma = 1.0
        self._mode: Optional[str] = None

    def set_data(self, data: Optional[np.ndarray], kind: str, seed: int = 0) -> None:
        self.kind = kind
        self.data = None if data is None else np.asarray(data)[: (MAX_POINTS if kind == "points" else 64)]
        if self.data is not None:
            self.noise = np.random.default_rng(seed).standard_normal(self.data.shape).astype(np.float32)
        self._build(kind)
        self.show_sigma(self.sigma)

    def _build(self, kind: str) -> None:
        if kind == self._mode:
            return
        self.clear()
        self._mode = kind
        self.title = self.addLabel("", row=0, col=0, colspan=2, size="10pt")
        if kind == "points":
            self.plot = self.addPlot(row=1, col=0)
            _square_plot(self.plot)
            self.clean = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(*DATA_COLOR))
            self.noisy = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(color(1)))
            self.plot.addItem(self.clean)
            self.plot.addItem(self.noisy)
        else:
            self.box = self.addViewBox(row=1, col=0, lockAspect=True, invertY=True, enableMouse=False)
            self.image = pg.ImageItem(axisOrder="row-major")
            self.box.addItem(self.image)
        self.curve_plot = self.addPlot(row=1, col=1)
        self.curve_plot.setLabel("bottom", "σ")
        self.curve_plot.setLabel("left", "√ᾱ (signal) and √(1−ᾱ) (noise)")
        self.curve_plot.setLogMode(x=True)
        s = np.logspace(-3, 2, 200)
        a = 1 / np.sqrt(1 + s * s)
        self.curve_plot.plot(s, a, pen=pg.mkPen(color(2), width=2))
        self.curve_plot.plot(s, s * a, pen=pg.mkPen(color(1), width=2))
        self.curve_marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("w", width=1))
        self.curve_plot.addItem(self.curve_marker)
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)

    def show_sigma(self, sigma: float) -> None:
        self.sigma = float(sigma)
        if self._mode is None:
            return
        a = 1 / math.sqrt(1 + sigma * sigma)
        b = sigma * a
        self.title.setText(f"x_t = √ᾱ·x0 + √(1−ᾱ)·ε at σ = {sigma:.3g}:  √ᾱ = {a:.3f}, √(1−ᾱ) = {b:.3f}")
        self.curve_marker.setValue(math.log10(max(sigma, 1e-3)))
        if self.data is None:
            return
        xt = a * self.data + b * self.noise
        if self._mode == "points":
            self.clean.setData(self.data[:, 0], self.data[:, 1])
            self.noisy.setData(xt[:, 0], xt[:, 1])
        else:
            self.image.setImage(_mosaic(xt), levels=(0.0, 1.0))
            self.box.autoRange(padding=0.02)


class TrainView(pg.GraphicsLayoutWidget):
    """The training loss (log scale) and a preview sampled from the EMA weights."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("k")
        self.loss_plot = self.addPlot(row=0, col=0, title="Training loss")
        self.loss_plot.setLogMode(y=True)
        self.loss_plot.setLabel("bottom", "step")
        self.loss_plot.showGrid(x=True, y=True, alpha=0.2)
        self.raw = self.loss_plot.plot(pen=pg.mkPen(120, 120, 120, 120))
        self.smooth = self.loss_plot.plot(pen=pg.mkPen(color(0), width=2))
        self.preview_plot = self.addPlot(row=0, col=1, title="Samples from the model being trained")
        _square_plot(self.preview_plot)
        self.preview_points = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(color(1)))
        self.preview_plot.addItem(self.preview_points)
        self.preview_image = pg.ImageItem(axisOrder="row-major")
        self.losses = np.zeros(0)
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)

    def set_snapshot(self, snapshot: Any) -> None:
        losses = np.asarray(snapshot.losses, float)
        self.losses = losses
        steps = np.arange(1, len(losses) + 1)
        self.raw.setData(steps, losses)
        if len(losses) > 10:
            k = max(1, len(losses) // 50)
            kernel = np.ones(k) / k
            self.smooth.setData(steps[k - 1:], np.convolve(losses, kernel, mode="valid"))
        self.loss_plot.setTitle(f"Training loss: step {snapshot.step}/{snapshot.steps}")
        p = snapshot.preview
        if p is None:
            return
        if snapshot.kind == "points":
            if self.preview_image.scene() is not None:
                self.preview_plot.removeItem(self.preview_image)
                self.preview_plot.invertY(False)
            self.preview_points.setData(p[:, 0], p[:, 1])
        else:
            self.preview_points.setData([], [])
            if self.preview_image.scene() is None:
                self.preview_plot.addItem(self.preview_image)
                self.preview_plot.invertY(True)
            img = _mosaic(p[:64])
            self.preview_image.setImage(img, levels=(0.0, 1.0))
            self.preview_image.setRect(QtCore.QRectF(-EXTENT, -EXTENT, 2 * EXTENT, 2 * EXTENT))
