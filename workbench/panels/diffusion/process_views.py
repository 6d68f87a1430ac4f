"""The forward (noising) process of the data and the training view (loss curve and samples)."""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from workbench.widgets.axes import show_values
from workbench.panels.diffusion.style import DATA_COLOR, EXTENT, MAX_POINTS, color, mosaic, square_plot


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
            square_plot(self.plot)
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
            self.image.setImage(mosaic(xt), levels=(0.0, 1.0))
            self.box.autoRange(padding=0.02)

    def shown_data(self) -> dict[str, np.ndarray]:
        """The shown batch x0, its noised version x_t (VP scale) and σ."""
        if self.data is None:
            return {}
        a = 1 / math.sqrt(1 + self.sigma * self.sigma)
        return {"x0": self.data, "x_t": a * self.data + self.sigma * a * self.noise, "sigma": np.array([self.sigma])}


PREVIEW_TITLE = "Samples from the model being trained"
TRAIN_LOSS_LABEL = "loss: mean squared error of the target (data units²)"  # every objective's loss is an MSE


class TrainView(pg.GraphicsLayoutWidget):
    """The training loss (log scale) and a preview sampled from the EMA weights."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("k")
        self.loss_plot = self.addPlot(row=0, col=0, title="Training loss")
        self.loss_plot.setLogMode(y=True)
        self.loss_plot.setLabel("bottom", "step")
        self.loss_plot.setLabel("left", TRAIN_LOSS_LABEL)
        self.loss_plot.getAxis("left").enableAutoSIPrefix(False)  # ticks in the loss itself, no "(x0.001)"
        self.loss_plot.showGrid(x=True, y=True, alpha=0.2)
        self.raw = self.loss_plot.plot(pen=pg.mkPen(120, 120, 120, 120))
        self.smooth = self.loss_plot.plot(pen=pg.mkPen(color(0), width=2))
        self.preview_plot = self.addPlot(row=0, col=1, title=PREVIEW_TITLE)
        square_plot(self.preview_plot)
        self.preview_points = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(color(1)))
        self.preview_plot.addItem(self.preview_points)
        self.preview_image = pg.ImageItem(axisOrder="row-major")
        self.losses = np.zeros(0)
        self.loss_steps = np.zeros(0)
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)
        # until a model trains here, say so instead of showing empty axes
        self.hint = pg.TextItem("No model trained in this session yet.\nChoose the data and objective in the\n"
                                "sidebar and press Train: the loss and\nsamples from the weights appear here.",
                                color=(200, 200, 200), anchor=(0.5, 0.5))
        self.loss_plot.addItem(self.hint, ignoreBounds=True)
        self.hint.setPos(0.5, 0.5)
        self.preview_hint = pg.TextItem("", color=(200, 200, 200), anchor=(0.5, 0.5))
        self.preview_plot.addItem(self.preview_hint, ignoreBounds=True)
        self.live = False  # a model is training (or was trained) here: its curve replaces any recorded one
        show_values(self.loss_plot, False)
        show_values(self.preview_plot, False)

    def show_history(self, label: str, history: Any) -> None:
        """The loss curve ``label``'s checkpoint recorded when it was trained (an engines LossHistory), or
        a line saying it has none; a model trained here keeps its own curve instead."""
        if self.live:
            return
        self.losses = self.loss_steps = np.zeros(0)
        self.raw.setData([], [])
        self.preview_points.setData([], [])
        if self.preview_image.scene() is not None:
            self.preview_plot.removeItem(self.preview_image)
        if history is None:
            self.smooth.setData([], [])
            self.hint.setText(f"{label} carries no training history.\nChoose the data and objective in the\n"
                              "sidebar and press Train: the loss and\nsamples from the weights appear here.")
            self.hint.show()
            show_values(self.loss_plot, False)
            self.loss_plot.setTitle("Training loss")
        else:
            self.hint.hide()
            show_values(self.loss_plot, True)
            self.losses, self.loss_steps = history.mean, history.step
            self.smooth.setData(history.step, history.mean)
            self.loss_plot.setTitle(f"Training loss of {label}: {history.steps} steps, mean of every {history.every}")
        self.preview_plot.setTitle("Samples")
        self.preview_hint.setText("Samples from this model:\nsee the Compare tab")
        self.preview_hint.setPos(0.5, 0.5)
        self.preview_hint.show()
        self.preview_plot.setRange(xRange=(0, 1), yRange=(0, 1))
        show_values(self.preview_plot, False)

    def set_snapshot(self, snapshot: Any) -> None:
        if not self.live:
            self.live = True
            self.preview_plot.setTitle(PREVIEW_TITLE)
            self.hint.hide()
            self.preview_hint.hide()
            show_values(self.loss_plot, True)
            show_values(self.preview_plot, True)
        losses = np.asarray(snapshot.losses, float)
        self.losses = losses
        steps = np.arange(1, len(losses) + 1)
        self.loss_steps = steps
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
            img = mosaic(p[:64])
            self.preview_image.setImage(img, levels=(0.0, 1.0))
            self.preview_image.setRect(QtCore.QRectF(-EXTENT, -EXTENT, 2 * EXTENT, 2 * EXTENT))

    def data(self) -> dict[str, np.ndarray]:
        """The shown loss curve: per step while training here, per window for a recorded history."""
        return {"step": self.loss_steps, "loss": self.losses}
