"""Hyperparameter sweep: final loss (or steps to tolerance) over a grid of two hyperparameters, with
Distill's optimal (α, β) and predicted-rate contours when momentum is swept on the quadratic."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from tasks.optimizer_maps import SweepOutcome, SweepRequest, step_range, sweep_job, sweepable
from workbench.panel import Figure
from workbench.panels.optimizer.heatmap import Heatmap
from workbench.widgets.flow_layout import FlowLayout, labelled
from workbench.widgets.stale import Staleness

if TYPE_CHECKING:
    from workbench.panels.optimizer.panel import OptimizerPanel

METRICS = (("final loss", "final_loss"), ("steps to 1e-6", "steps_to_tol"))
RATE_LEVELS = (0.5, 0.8, 0.9, 0.95, 0.99)


class AxisRange(QtWidgets.QWidget):
    """A hyperparameter name with from / to / count / log-spacing."""

    def __init__(self, axis: str, low: float, high: float, log: bool) -> None:
        super().__init__()
        self.param = QtWidgets.QComboBox()
        self.param.setToolTip(f"The hyperparameter on the {axis} axis")
        self.low = QtWidgets.QLineEdit(f"{low:g}")
        self.high = QtWidgets.QLineEdit(f"{high:g}")
        for w, what in ((self.low, "first"), (self.high, "last")):
            w.setToolTip(f"The {what} value on the {axis} axis")
            w.setMaximumWidth(70)
        self.count = QtWidgets.QSpinBox()
        self.count.setRange(2, 256)
        self.count.setValue(48)
        self.count.setToolTip(f"Number of values on the {axis} axis")
        self.log = QtWidgets.QCheckBox("log")
        self.log.setChecked(log)
        self.log.setToolTip("Space the values logarithmically")
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QtWidgets.QLabel(f"{axis}:"))
        for w in (self.param, self.low, QtWidgets.QLabel("to"), self.high, self.count, self.log):
            row.addWidget(w)

    def values(self) -> np.ndarray:
        from engines.errors import InputError

        try:
            lo, hi = float(self.low.text()), float(self.high.text())
        except ValueError:
            raise InputError(f"{self.param.currentText()}: the range needs two numbers") from None
        if self.log.isChecked():
            if lo <= 0 or hi <= 0:
                raise InputError(f"{self.param.currentText()}: a log range needs positive ends")
            return np.geomspace(lo, hi, self.count.value())
        return np.linspace(lo, hi, self.count.value())

    def coordinates(self, values: np.ndarray) -> np.ndarray:
        """Plot coordinates of ``values``: log₁₀ for log ranges."""
        return np.log10(values) if self.log.isChecked() else values

    def label(self) -> str:
        name = self.param.currentText()
        return f"log₁₀ {name}" if self.log.isChecked() else name


class SweepView(QtWidgets.QWidget):
    def __init__(self, panel: "OptimizerPanel") -> None:
        super().__init__()
        self.panel = panel
        self._job = panel.job_slot("sweep")
        self.outcome: Optional[SweepOutcome] = None
        self._coords: tuple[np.ndarray, np.ndarray] | None = None
        self.spec = QtWidgets.QComboBox()
        self.spec.setToolTip("The configuration whose hyperparameters are swept")
        self.spec.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)  # names in full
        self.x = AxisRange("x", 1e-4, 1e-2, True)
        self.y = AxisRange("y", 0.0, 0.99, False)
        self.steps = QtWidgets.QSpinBox()
        self.steps.setRange(1, 100_000)
        self.steps.setValue(300)
        self.steps.setToolTip("Steps of every run")
        self.metric = QtWidgets.QComboBox()
        for text, key in METRICS:
            self.metric.addItem(text, key)
        self.metric.setToolTip("Colour by the final loss (log₁₀ of the gap to the minimum) or the first step "
                               "within 1e-6 of it; blank cells diverged or never got there")
        self.compute = QtWidgets.QPushButton("Compute")
        self.compute.setToolTip("Run every hyperparameter pair from the first start point, as one batch")
        top = FlowLayout()
        for label, w in (("Optimizer", self.spec), ("Steps", self.steps), ("Colour", self.metric)):
            top.addWidget(labelled(label, w))
        top.addWidget(self.compute)
        axes = FlowLayout()  # rows as close as the controls above them
        axes.addWidget(self.x)
        axes.addWidget(self.y)
        self.plot = pg.PlotWidget()
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        self.heatmap = Heatmap(item, label="")
        self.optimum = pg.ScatterPlotItem(symbol="x", size=16, pen=pg.mkPen("r", width=3))
        self.optimum.setZValue(20)
        item.addItem(self.optimum)
        self._isos: list[pg.IsocurveItem] = []
        self.status = QtWidgets.QLabel("Pick the quadratic and the momentum optimizer to compare with Distill's theory.")
        self.status.setWordWrap(True)
        self.staleness = Staleness(self.plot, self.status)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(axes)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)
        self.compute.clicked.connect(self.run)
        self.spec.currentTextChanged.connect(self._spec_changed)
        panel.configs.changed.connect(self._sync_specs)
        self._sync_specs()

    def _sync_specs(self) -> None:
        current = self.spec.currentText()
        specs = self.panel.configs.specs()
        self.spec.blockSignals(True)
        self.spec.clear()
        self.spec.addItems(specs)
        preferred = current if current in specs else next((s for s in specs if s.startswith("momentum")), None)
        if preferred:
            self.spec.setCurrentText(preferred)
        self.spec.blockSignals(False)
        self._spec_changed(self.spec.currentText())

    def _spec_changed(self, text: str) -> None:
        """Offer the numeric hyperparameters of the chosen optimizer (lr on x and momentum on y by default)."""
        names = sweepable(text)
        if not names:
            return
        for axis, default in ((self.x, "lr"), (self.y, "momentum")):
            current = axis.param.currentText()
            axis.param.clear()
            axis.param.addItems(names)
            pick = current if current in names else default if default in names else names[min(1, len(names) - 1)]
            axis.param.setCurrentText(pick)

    def surface_changed(self, name: str) -> None:
        """The surface changed: a sweep on the old one is out of date (and its job no longer wanted), and a
        learning-rate axis moves to the rates worth trying there (where theory's optimum lies)."""
        self._job.cancel()
        for axis in (self.x, self.y):
            if axis.param.currentText() == "lr":
                low, high = step_range(self.panel.picker.choice())
                axis.low.setText(f"{low:g}")
                axis.high.setText(f"{high:g}")
        if self.outcome is not None:
            self.staleness.mark(f"this sweep ran on {self.outcome.request.surface.describe()}, the surface is now {name}; "
                                "press Compute")

    @property
    def wants_run(self) -> bool:
        """Nothing drawn yet, or what is drawn is out of date."""
        return (self.outcome is None or self.staleness.stale) and not self._job.running

    def run(self) -> None:
        from engines.errors import InputError

        try:
            xv, yv = self.x.values(), self.y.values()
        except InputError as exc:
            self.status.setText(str(exc))
            return
        snap = self.panel.snapshot
        start = tuple(snap.starts[0]) if snap is not None else (0.0, 0.0)
        self._coords = (self.x.coordinates(xv), self.y.coordinates(yv))
        request = SweepRequest(self.panel.picker.choice(), self.spec.currentText(), self.x.param.currentText(), xv,
                               self.y.param.currentText(), yv, start, self.steps.value(), self.metric.currentData(),
                               self.panel.context.device())
        handle = self._job.start("Hyperparameter sweep", sweep_job, request)
        handle.partial.connect(self._draw)
        handle.succeeded.connect(self._draw)

    def _draw(self, outcome: SweepOutcome) -> None:
        self.outcome = outcome
        if self._coords is None:
            return
        self.staleness.clear()
        r = outcome.result
        cx, cy = self._coords
        dx = (cx[-1] - cx[0]) / max(len(cx) - 1, 1)
        dy = (cy[-1] - cy[0]) / max(len(cy) - 1, 1)
        rect = (cx[0] - dx / 2, cy[0] - dy / 2, cx[-1] - cx[0] + dx, cy[-1] - cy[0] + dy)
        if r.metric == "final_loss":
            snap = self.panel.snapshot
            floor = snap.floor if snap is not None else float(np.nanmin(r.values))
            shown = np.log10(np.maximum(r.values - floor, 1e-16))
            label = "log₁₀(final loss − min)"
        else:
            shown, label = r.values, "steps to reach 1e-6"
        self.heatmap.set(shown, rect, None, label)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", self.x.label())
        item.setLabel("left", self.y.label())
        self._draw_theory(outcome, rect)
        diverged = 100 * float(np.mean(r.diverged))
        text = f"{outcome.label}: {r.steps_done} steps from {self._start_text()}; diverged: {diverged:.0f}% of the pairs."
        if outcome.optimal is not None:
            a, b = outcome.optimal
            text += (f" Distill's optimum (red ×): α* = {a:.4g}, β* = {b:.4g}; predicted rate "
                     f"{outcome.rates['momentum']:.4f} per step vs {outcome.rates['gd']:.4f} for plain GD "
                     f"at its best step. White contours: predicted rate {', '.join(map(str, RATE_LEVELS))}.")
        self.status.setText(text)

    def _start_text(self) -> str:
        snap = self.panel.snapshot
        return f"({snap.starts[0][0]:.3g}, {snap.starts[0][1]:.3g})" if snap is not None else "(0, 0)"

    def _draw_theory(self, outcome: SweepOutcome, rect: tuple[float, float, float, float]) -> None:
        for iso in self._isos:
            iso.setParentItem(None)
        self._isos = []
        self.optimum.setData(pos=np.zeros((0, 2)))
        if outcome.optimal is None or outcome.predicted is None:
            return
        a, b = outcome.optimal
        x, y = (a, b) if self.x.param.currentText() == "lr" else (b, a)
        self.optimum.setData(pos=[(self.x.coordinates(np.array([x]))[0], self.y.coordinates(np.array([y]))[0])])
        for level in RATE_LEVELS:
            iso = pg.IsocurveItem(data=outcome.predicted, level=level, pen=pg.mkPen(255, 255, 255, 170, width=1),
                                  axisOrder="row-major")
            iso.setParentItem(self.heatmap.image)  # pyqtgraph's isocurves put sample i at i + 0.5: the pixel's centre
            self._isos.append(iso)

    def figures(self) -> list[Figure]:
        fresh = self.outcome is not None and not self.staleness.stale
        return [Figure("Hyperparameter sweep", self.plot, self._data)] if fresh else []

    def _data(self) -> dict[str, np.ndarray]:
        if self.outcome is None:
            return {}
        r = self.outcome.result
        return {r.x_param: r.x_values, r.y_param: r.y_values, r.metric: r.values}

    def parameters(self) -> dict[str, Any]:
        if self.outcome is None:
            return {}
        return {"sweep": self.outcome.request.parameters()}
