"""Interpolation and curvature mode: the loss and accuracy along θ(t) = (1−t)θ_a + tθ_b, t ∈ [−0.5, 1.5], on
the training and held-out splits (Goodfellow et al. 2015), and the top Hessian eigenvalue at a run's
snapshots beside 2/lr, the edge of stability of gradient descent (Cohen et al. 2021). θ_a and θ_b are
snapshots of the real-network mode's current run or of saved training-run folders / checkpoints."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from tasks.landscape_curves import CurvatureRequest, InterpolationRequest, curvature_job, interpolation_job
from workbench.panel import Figure
from workbench.panels.optimizer.line_plots import curve, legend_clear_of, line_plot, positive
from workbench.panels.optimizer.style import PALETTE
from workbench.widgets.axes import show_values

if TYPE_CHECKING:
    from engines.landscape.curvature import CurvatureAlongRun
    from engines.landscape.interpolation import Interpolation
    from workbench.panels.optimizer.panel import OptimizerPanel

TRAIN, HELD_OUT = PALETTE[1], PALETTE[0]
T_AXIS = "t  (θ(t) = (1−t)·θ_a + t·θ_b; 0: θ_a, 1: θ_b)"


class EndPoint(QtWidgets.QWidget):
    """One end of the line: snapshot ``index`` of the current run, or of a training-run folder or
    checkpoint the user picks."""

    def __init__(self, name: str, index: int) -> None:
        super().__init__()
        self.path = QtWidgets.QLineEdit()
        self.path.setPlaceholderText("current run")
        self.path.setToolTip(f"{name}: a saved training-run folder or a checkpoint; empty: the run of the "
                             "Real network tab")
        browse = QtWidgets.QToolButton(text="…")
        browse.setToolTip("Pick a training-run folder")
        browse.clicked.connect(self._browse)
        self.index = QtWidgets.QSpinBox()
        self.index.setRange(-10_000, 10_000)
        self.index.setValue(index)
        self.index.setMaximumWidth(70)
        self.index.setToolTip(f"Which snapshot of the run is {name}: 0 the initialisation, −1 the final weights "
                              "(a snapshot every 10 steps); a checkpoint has one")
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        row.addWidget(QtWidgets.QLabel("snapshot"))
        row.addWidget(self.index)

    def _browse(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Training-run folder")
        if folder:
            self.path.setText(folder)

    def source(self, current: Optional[str]) -> Optional[str]:
        """The folder or file picked, else ``current`` (None when there is no current run either)."""
        return self.path.text().strip() or current


class CurvesView(QtWidgets.QWidget):
    def __init__(self, panel: "OptimizerPanel") -> None:
        super().__init__()
        self.panel = panel
        self._line_job = panel.job_slot("interpolation")
        self._curvature_job = panel.job_slot("curvature")
        self.line: Optional["Interpolation"] = None
        self.line_request: Optional[InterpolationRequest] = None
        self.curvature: Optional["CurvatureAlongRun"] = None
        self.curvature_request: Optional[CurvatureRequest] = None
        self.a, self.b = EndPoint("θ_a", 0), EndPoint("θ_b", -1)
        self.n = QtWidgets.QSpinBox()
        self.n.setRange(5, 401)
        self.n.setValue(41)
        self.n.setToolTip("Points of the line, t from −0.5 to 1.5 (each on the whole training and held-out split)")
        self.interpolate_button = QtWidgets.QPushButton("Interpolate θ_a → θ_b")
        self.interpolate_button.setToolTip("Loss and accuracy along the straight line between the two weight "
                                           "vectors (Goodfellow et al. 2015)")
        self.every = QtWidgets.QSpinBox()
        self.every.setRange(1, 1000)
        self.every.setValue(2)
        self.every.setToolTip("The top eigenvalue at every k-th snapshot of θ_a's run (and its last)")
        self.curvature_button = QtWidgets.QPushButton("Curvature along θ_a's run")
        self.curvature_button.setToolTip("Top Hessian eigenvalue of the training loss (power iteration on "
                                         "Hessian-vector products) at the run's snapshots, beside 2/lr")
        self.controls = QtWidgets.QGroupBox("Interpolation and curvature")
        form = QtWidgets.QFormLayout(self.controls)
        for label, w in (("θ_a", self.a), ("θ_b", self.b), ("Points", self.n)):
            form.addRow(label, w)
        form.addRow(self.interpolate_button)
        form.addRow("Every k-th snapshot", self.every)
        form.addRow(self.curvature_button)

        self.loss_plot = line_plot(T_AXIS, "loss (cross-entropy)", legend=True)
        self.metric_plot = line_plot(T_AXIS, "accuracy (%)", legend=True)
        self.curvature_plot = line_plot("step (minibatch updates)", "top Hessian eigenvalue λ_max", legend=True)
        for plot in (self.loss_plot, self.metric_plot):
            for t in (0.0, 1.0):  # θ_a and θ_b (the axis title says which is which)
                plot.addItem(pg.InfiniteLine(t, angle=90, pen=pg.mkPen((200, 200, 200), width=1)))
        for plot in (self.loss_plot, self.metric_plot, self.curvature_plot):
            _shown(plot.getPlotItem(), False)  # nothing drawn yet: no tick values, no empty legend box
        self._said = {"line": "", "curvature": ""}
        self.status = QtWidgets.QLabel("Train a run in the Real network tab, or pick saved training-run folders, "
                                       "then interpolate or compute the curvature along the run.")
        self.status.setWordWrap(True)
        top = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        top.addWidget(self.loss_plot)
        top.addWidget(self.metric_plot)
        plots = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        plots.addWidget(top)
        plots.addWidget(self.curvature_plot)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(plots, 1)
        layout.addWidget(self.status)
        self.interpolate_button.clicked.connect(lambda: self.interpolate())
        self.curvature_button.clicked.connect(lambda: self.compute_curvature())

    def _say(self, about: str, text: str) -> None:
        """Show ``text`` as the status of the line or of the curvature, beside the other's."""
        self._said[about] = text
        self.status.setText("\n".join(t for t in self._said.values() if t))

    # ------------------------------------------------------------------ jobs
    def current_run(self) -> Optional[str]:
        """The training-run folder of the Real network tab's finished run, if it has one."""
        snap = self.panel.network.snapshot
        return snap.request.saved_run if snap is not None and snap.stage == "done" else None

    @property
    def wants_run(self) -> bool:
        """Nothing drawn, nothing being computed, and a current run to draw the line of."""
        return self.line is None and not self._line_job.running and self.current_run() is not None

    def _sources(self) -> Optional[tuple[str, Optional[str]]]:
        current = self.current_run()
        a = self.a.source(current)
        if a is None:
            self._say("line", "There is no current run: train one in the Real network tab, or pick a "
                                "training-run folder for θ_a.")
            return None
        b = self.b.source(current)
        return a, (None if b == a else b)

    def interpolate(self) -> None:
        """Loss and accuracy along the line between the two end points, streamed as it is evaluated."""
        sources = self._sources()
        if sources is None:
            return
        request = InterpolationRequest(sources[0], sources[1], self.a.index.value(), self.b.index.value(),
                                       self.n.value(), device=self.panel.context.device())
        self.line, self.line_request = None, request
        self._draw_line(None)
        self._say("line", f"Evaluating the line {self._ends(request)}…")
        handle = self._line_job.start("Interpolation between weights", interpolation_job, request, process=True)
        handle.partial.connect(self._draw_line)
        handle.succeeded.connect(self._line_done)
        handle.failed.connect(lambda error: self._say("line", f"Could not interpolate: {error.message}"))

    def compute_curvature(self) -> None:
        """The top Hessian eigenvalue at every k-th snapshot of θ_a's run, streamed snapshot by snapshot."""
        sources = self._sources()
        if sources is None:
            return
        request = CurvatureRequest(sources[0], self.every.value(), device=self.panel.context.device())
        self.curvature, self.curvature_request = None, request
        self._draw_curvature(None)
        self._say("curvature", f"Power iteration at the snapshots of {self._name(request.run_folder)}…")
        handle = self._curvature_job.start("Curvature along a run", curvature_job, request, process=True)
        handle.partial.connect(self._draw_curvature)
        handle.succeeded.connect(self._curvature_done)
        handle.failed.connect(lambda error: self._say("curvature",
                                                     f"Could not compute the curvature: {error.message}"))

    # ------------------------------------------------------------------ drawing
    def _draw_line(self, line: Optional["Interpolation"]) -> None:
        self.line = line
        for plot in (self.loss_plot, self.metric_plot):
            item = plot.getPlotItem()
            for data in item.listDataItems():
                item.removeItem(data)
            _shown(item, line is not None)
        if line is None:
            return
        item = self.loss_plot.getPlotItem()
        item.setLogMode(y=positive(np.concatenate([line.train_loss, line.test_loss])))
        curve(item, line.t, line.train_loss, TRAIN, "training split", symbol="o")
        curve(item, line.t, line.test_loss, HELD_OUT, "held-out split", dashed=True, symbol="o")
        metric = self.metric_plot.getPlotItem()
        metric.setLabel("left", f"{line.metric_name or 'metric'} (%)")
        curve(metric, line.t, 100 * line.train_metric, TRAIN, "training split", symbol="o")
        curve(metric, line.t, 100 * line.test_metric, HELD_OUT, "held-out split", dashed=True, symbol="o")
        legend_clear_of(item, np.tile(line.t, 2), np.concatenate([line.train_loss, line.test_loss]))
        legend_clear_of(metric, np.tile(line.t, 2), 100 * np.concatenate([line.train_metric, line.test_metric]))

    def _line_done(self, line: "Interpolation") -> None:
        self._draw_line(line)
        request = self.line_request
        parts = [f"Line {self._ends(request)}"]
        best = int(np.nanargmin(line.test_loss)) if np.isfinite(line.test_loss).any() else None
        if best is not None:
            parts.append(f"lowest held-out loss {line.test_loss[best]:.4g} at t = {line.t[best]:.2f}")
        at_b = int(np.argmin(np.abs(line.t - 1.0)))
        if np.isfinite(line.test_metric[at_b]):
            parts.append(f"held-out {line.metric_name} at θ_b {100 * line.test_metric[at_b]:.1f}%")
        if len(line.nonfinite_t):
            parts.append(f"the loss is not finite at t = {', '.join(f'{t:.2f}' for t in line.nonfinite_t)} "
                         "(left out)")
        self._say("line", "; ".join(parts))

    def _ends(self, request: InterpolationRequest) -> str:
        return (f"from snapshot {request.a_snapshot} of {self._name(request.a)} "
                f"to snapshot {request.b_snapshot} of {self._name(request.b or request.a)}")

    def _name(self, source: str) -> str:
        snap = self.panel.network.snapshot
        if source == self.current_run() and snap is not None:
            return f"the current run ({snap.label})"
        return Path(source).name

    def _draw_curvature(self, along: Optional["CurvatureAlongRun"]) -> None:
        self.curvature = along
        item = self.curvature_plot.getPlotItem()
        item.clear()
        _shown(item, along is not None)
        if along is None:
            return
        curve(item, along.steps, along.top_eigenvalue, PALETTE[2], "top eigenvalue λ_max", symbol="o")
        if np.isfinite(along.threshold):
            item.addItem(pg.InfiniteLine(along.threshold, angle=0, pen=pg.mkPen(HELD_OUT, width=2,
                                                                                 style=QtCore.Qt.PenStyle.DashLine),
                                         label=f"2/lr = {along.threshold:.4g} (edge of stability)",
                                         labelOpts={"position": 0.25, "color": HELD_OUT, "anchors": [(0, 0), (0, 0)]}))
            item.plot([], [], pen=pg.mkPen(HELD_OUT, width=2, style=QtCore.Qt.PenStyle.DashLine),
                      name=f"2/lr, lr = {along.lr:g}")

    def _curvature_done(self, along: "CurvatureAlongRun") -> None:
        self._draw_curvature(along)
        last = along.top_eigenvalue[-1]
        side = "above" if last > along.threshold else "below"
        unconverged = int((~along.converged).sum())
        self._say("curvature",
            f"{self._name(self.curvature_request.run_folder)}: λ_max at step {along.steps[-1]} is {last:.4g}, {side} "
            f"2/lr = {along.threshold:.4g}" + (f"; {unconverged} snapshot(s) did not converge" if unconverged else ""))

    # ------------------------------------------------------------------ export
    def figures(self) -> list[Figure]:
        figures = []
        if self.line is not None:
            figures += [Figure("Interpolation: loss along θ(t)", self.loss_plot, self._line_data),
                        Figure("Interpolation: accuracy along θ(t)", self.metric_plot, self._line_data)]
        if self.curvature is not None:
            figures.append(Figure("Top Hessian eigenvalue along the run", self.curvature_plot, self._curvature_data))
        return figures

    def _line_data(self) -> dict[str, np.ndarray]:
        s = self.line
        if s is None:
            return {}
        return {"t": s.t, "train_loss": s.train_loss, "test_loss": s.test_loss, "train_metric": s.train_metric,
                "test_metric": s.test_metric}

    def _curvature_data(self) -> dict[str, np.ndarray]:
        s = self.curvature
        if s is None:
            return {}
        return {"step": s.steps, "top_eigenvalue": s.top_eigenvalue, "two_over_lr": np.full(len(s.steps), s.threshold)}

    def parameters(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.line is not None and self.line_request is not None:
            out["interpolation"] = asdict(self.line_request)
        if self.curvature is not None and self.curvature_request is not None:
            out["curvature"] = asdict(self.curvature_request)
        return out


def _shown(item: pg.PlotItem, drawn: bool) -> None:
    """Tick values and legend of a plot with curves; neither on an empty one."""
    show_values(item, drawn)
    item.legend.setVisible(drawn)
