"""The training tab: loss terms per epoch and a grid of samples (points over the data for 2D models)."""
from __future__ import annotations

from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from engines.images import tile
from workbench.panels.latent.image_box import ImageBox
from workbench.panels.latent.strips import PointsView
from workbench.panels.latent.style import LERP_COLOR, SLERP_COLOR


def _plot(title: str, bottom: str, left: str) -> pg.PlotWidget:
    w = pg.PlotWidget()
    p = w.getPlotItem()
    p.setMenuEnabled(False)
    p.setTitle(title, size="10pt")
    p.setLabel("bottom", bottom)
    p.setLabel("left", left)
    p.showGrid(x=True, y=True, alpha=0.2)
    p.addLegend(offset=(-10, 10), brush=pg.mkBrush(20, 20, 20, 200))
    return w


class RelaxationRow(QtWidgets.QWidget):
    """A slider for the Gumbel-softmax temperature of the sampled categorical codes (shown only for a model
    with categorical latents); emits ``changed(tau)``."""

    changed = QtCore.Signal(float)

    def __init__(self) -> None:
        super().__init__()
        from tasks.latent import RELAXATION

        self.option = RELAXATION
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, round(RELAXATION.maximum / RELAXATION.step))
        self.slider.setToolTip(RELAXATION.help + ": the prior's codes y = softmax(g / τ), g Gumbel noise; "
                               "low τ gives near one-hot codes, high τ blends the categories")
        self.value = QtWidgets.QLabel()
        self.value.setMinimumWidth(48)
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(QtWidgets.QLabel(RELAXATION.label))
        row.addWidget(self.slider, 1)
        row.addWidget(self.value)
        self.slider.valueChanged.connect(self._moved)
        self._moved(0)

    def tau(self) -> float:
        return self.slider.value() * self.option.step

    def _moved(self, _value: int) -> None:
        self.value.setText(f"{self.tau():.2f}")
        self.changed.emit(self.tau())


class TrainingView(QtWidgets.QWidget):
    """Loss terms per epoch and the sample grid: of a running training (:meth:`show_snapshot`) or as a
    checkpoint recorded them (:meth:`show_history`, :meth:`show_samples`)."""

    def __init__(self) -> None:
        super().__init__()
        self.relaxation = RelaxationRow()
        self.relaxation.hide()
        self.curves_plot = _plot("Training", "epoch", "nats per item")
        p = self.curves_plot.getPlotItem()
        self.curves = {
            "total": p.plot([], [], pen=pg.mkPen("w", width=2), name="−ELBO (train)"),
            "recon": p.plot([], [], pen=pg.mkPen(LERP_COLOR, width=1.5), name="reconstruction"),
            "kl": p.plot([], [], pen=pg.mkPen("#59a14f", width=1.5), name="KL"),
            "test_total": p.plot([], [], pen=pg.mkPen(SLERP_COLOR, width=2, style=QtCore.Qt.PenStyle.DashLine),
                                 name="held-out"),
        }
        self.samples = pg.GraphicsLayoutWidget()
        self.samples_title = pg.LabelItem("samples", color="#dddddd", size="10pt")
        self.samples.addItem(self.samples_title, row=0, col=0)
        self.sample_box = ImageBox()
        self.samples.addItem(self.sample_box, row=1, col=0)
        self.points = PointsView("samples (blue) and data (grey)", paths=False)
        self.stack = QtWidgets.QStackedWidget()
        self.stack.addWidget(self.samples)
        self.stack.addWidget(self.points)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        split.addWidget(self.curves_plot)
        right = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.stack, 1)
        column.addWidget(self.relaxation)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.history = None  # engines.latent.config.History shown

    def show_snapshot(self, snap, points: Optional[np.ndarray] = None) -> None:
        """A training run's state (``points``: the 2D data to draw its samples over)."""
        cfg = snap.config
        label = "bits/dim" if cfg.is_flow else "−ELBO"
        last = (snap.history.bpd if cfg.is_flow else snap.history.total) or [float("nan")]
        self.show_history(snap.history, cfg.is_flow, f"{cfg.title} on {snap.data.describe()}: epoch {snap.epoch}/"
                          f"{snap.train.epochs}, {label} {last[-1]:.3f}, {snap.seconds:.1f} s")
        self.show_samples(snap.samples, f"samples at epoch {snap.epoch}", points)

    def show_history(self, history, is_flow: bool, title: str) -> None:
        self.history = history
        p = self.curves_plot.getPlotItem()
        epochs = np.asarray(history.epoch, float)
        legend = p.legend
        legend.clear()
        if is_flow:
            p.setLabel("left", "bits per dimension")
            self.curves["total"].setData(epochs, np.asarray(history.bpd, float))
            for k in ("recon", "kl"):
                self.curves[k].setData([], [])
            legend.addItem(self.curves["total"], "bits/dim (train)")
        else:
            p.setLabel("left", "nats per item")
            for k in ("total", "recon", "kl"):
                self.curves[k].setData(epochs, np.asarray(getattr(history, k), float))
            for k, text in (("total", "−ELBO (train)"), ("recon", "reconstruction"), ("kl", "KL")):
                legend.addItem(self.curves[k], text)
        legend.addItem(self.curves["test_total"], "held-out")
        self.curves["test_total"].setData(epochs, np.asarray(history.test_total, float))
        p.setTitle(title, size="10pt")

    def show_samples(self, samples: np.ndarray, title: str, points: Optional[np.ndarray] = None) -> None:
        if samples.ndim == 4:
            self.stack.setCurrentWidget(self.samples)
            self.sample_box.set_image(tile(samples, pad=1, fill=0.3))
            self.samples_title.setText(title)
        else:
            self.stack.setCurrentWidget(self.points)
            self.points.set_data(points if points is not None else np.zeros((0, 2)), samples)
            self.points.getPlotItem().setTitle(title, size="10pt")

    def data(self) -> dict[str, np.ndarray]:
        """The curves shown, for export (a checkpoint records no step column)."""
        if self.history is None:
            return {}
        return {k: v for k, v in self.history.as_arrays().items() if len(v)}
