"""The optimizer panel: controls on the left, the surface with trajectories, loss curves and playback
on the right, plus the basin-map, sweep and real-network modes as further tabs."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np
from PySide6 import QtCore, QtWidgets

from tasks.optimizer import (
    RunSnapshot,
    TrajectoriesRequest,
    endings,
    ode_curves_job,
    run_parameters,
    trajectories_job,
    trajectory_table,
)
from workbench.panel import Animation, Figure, Panel, PanelContext
from workbench.panels.optimizer import INFO
from workbench.panels.optimizer.basin_view import BasinView
from workbench.panels.optimizer.compare_view import CompareView
from workbench.panels.optimizer.config_list import ConfigList, Preset
from workbench.panels.optimizer.curves_view import CurvesView
from workbench.panels.optimizer.loss_plot import LossPlot
from workbench.panels.optimizer.network_view import NetworkView
from workbench.panels.optimizer.playback import Playback
from workbench.panels.optimizer.run_controls import RunControls
from workbench.panels.optimizer.surface_picker import SurfacePicker
from workbench.panels.optimizer.surface_view import SurfaceView
from workbench.panels.optimizer.sweep_view import SweepView
from workbench.widgets.sidebar import beside_sidebar, sidebar

RERUN_DELAY_MS = 350
MAX_ANIMATION_FRAMES = 240


class OptimizerPanel(Panel):
    """Optimizer trajectories on 2-D surfaces, animated; see :data:`workbench.panels.optimizer.INFO`."""

    info = INFO

    def __init__(self, context: PanelContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.ode_job = self.job_slot("ode")
        self.run_job = self.job_slot(invalidates=(self.ode_job,))  # curves belong to the run they were solved for
        self.snapshot: Optional[RunSnapshot] = None
        self.ode_curves: list[tuple[int, np.ndarray]] = []
        self._starts: Optional[np.ndarray] = None  # None: the surface's own start points
        self._first_done = False
        self._follow_live = True  # keep the slider at the newest step while a job streams results
        self._new_run = True  # the next report starts a run: reset the drawn trajectories

        self.picker = SurfacePicker()
        self.configs = ConfigList()
        self.controls = RunControls()
        self.view = SurfaceView()
        self.loss_plot = LossPlot()
        self.playback = Playback()
        self.basins = BasinView(self)
        self.sweep = SweepView(self)
        self.network = NetworkView(self)
        self.compare = CompareView(self)
        self.curves = CurvesView(self)
        self._build_layout()

        self._rerun = QtCore.QTimer(self, singleShot=True, interval=RERUN_DELAY_MS)
        self._rerun.timeout.connect(self.run)
        self.picker.changed.connect(self._surface_changed)
        self.configs.changed.connect(self._rerun.start)
        self.configs.preset_applied.connect(self._preset_applied)
        self.controls.changed.connect(self._rerun.start)
        self.controls.clear_starts.connect(self._clear_starts)
        self.controls.log_scale.toggled.connect(self._log_toggled)
        self.controls.equal_axes.toggled.connect(self.view.set_equal_axes)
        self.controls.ode.toggled.connect(self._ode_toggled)
        self.view.start_clicked.connect(self.add_start)
        self.playback.index_changed.connect(self._show_index)
        self.loss_plot.step_dragged.connect(self.playback.set_index)
        self.playback.slider.sliderPressed.connect(lambda: setattr(self, "_follow_live", False))
        self.playback.install_shortcuts(self)

    def _build_layout(self) -> None:
        side = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(side)
        column.setContentsMargins(4, 4, 4, 4)
        for w in (self.picker, self.compare.controls, self.configs, self.controls, self.network.controls,
                  self.curves.controls):
            column.addWidget(w)
        column.addStretch(1)
        scroll = sidebar(side, 340)

        plots = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        plots.addWidget(self.view)
        plots.addWidget(self.loss_plot)
        plots.setStretchFactor(0, 3)
        plots.setStretchFactor(1, 1)
        trajectories = QtWidgets.QWidget()
        tl = QtWidgets.QVBoxLayout(trajectories)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(plots, 1)
        tl.addWidget(self.playback)

        self.modes = QtWidgets.QTabWidget()
        self.modes.addTab(trajectories, "Trajectories")
        self.modes.addTab(self.basins, "Basin map")
        self.modes.addTab(self.sweep, "Hyperparameter sweep")
        self.modes.addTab(self.network, "Real network")
        self.modes.addTab(self.compare, "Compare")
        self.modes.addTab(self.curves, "Line && curvature")
        # the sidebar shows what the mode in view uses: the surface and the optimizer list feed the basin map and
        # the sweep (their optimizer is picked from it), the run settings only the trajectories; the real network
        # has its own controls and no surface
        self._sidebar = {
            trajectories: (self.picker, self.configs, self.controls),
            self.basins: (self.picker, self.configs),
            self.sweep: (self.picker, self.configs),
            self.network: (self.network.controls,),
            self.compare: (self.configs, self.compare.controls),  # every configuration of the list is compared
            self.curves: (self.curves.controls,),
        }
        self.modes.currentChanged.connect(self._mode_shown)
        tips = ("Trajectories of every configuration from every start, animated",
                "Which minimum each start point reaches, and how many steps it takes",
                "Final loss over a grid of two hyperparameters; Distill's theory on the quadratic",
                "Loss landscape of a real network on a plane of filter-normalised directions (Li et al. 2018)",
                "Several optimizers, with and without BatchNorm, on one shared plane of a real network, with "
                "Santurkar et al.'s smoothness measures",
                "Loss along the line between two weight vectors (Goodfellow et al. 2015) and the top Hessian "
                "eigenvalue along a run beside 2/lr (Cohen et al. 2021)")
        for i, tip in enumerate(tips):
            self.modes.setTabToolTip(i, tip)

        beside_sidebar(self, scroll, self.modes)
        self._show_sidebar_of(trajectories)

    # ------------------------------------------------------------------ running
    def start(self) -> None:
        """First launch: Rosenbrock, four optimizers from the surface's own starts, animated when done."""
        self.run()

    def run(self) -> None:
        """(Re)run the trajectories for the current surface, configurations, starts and settings."""
        self._rerun.stop()
        self._follow_live = True
        self._new_run = True
        self.playback.pause()
        c = self.controls
        request = TrajectoriesRequest(self.picker.choice(), tuple(self.configs.specs()), self._starts, c.steps.value(),
                                      c.noise.value(), c.seed.value(), self.context.device())
        handle = self.run_job.start("Optimizer trajectories", trajectories_job, request, process=request.in_process)
        handle.partial.connect(self._draw)
        handle.succeeded.connect(self._finished)

    def _draw(self, snapshot: RunSnapshot) -> None:
        previous = self.snapshot
        self.snapshot = snapshot
        if self._new_run:  # the first report of a run: its surface (drawn again only if it changed) and starts
            self._new_run = False
            if previous is None or not np.array_equal(previous.z, snapshot.z, equal_nan=True):
                self.view.set_surface(snapshot.x, snapshot.y, snapshot.layers, snapshot.minima)
                equal = self.view.symmetric(snapshot.x, snapshot.y)  # a new surface: equal axes where natural
                self.controls.equal_axes.blockSignals(True)
                self.controls.equal_axes.setChecked(equal)
                self.controls.equal_axes.blockSignals(False)
                self.view.set_equal_axes(equal)
            self.view.set_starts(snapshot.starts)
            self.view.clear_trajectories()
            self.loss_plot.clear_curves()
            self.view.set_ode_curves([])
        r = snapshot.result
        if r is None:
            return
        self.view.set_trajectories(r.positions, r.losses, r.steps, r.labels, r.states)
        self.loss_plot.set_losses(r.steps, r.losses, r.labels, snapshot.floor)
        self.playback.set_steps([int(s) for s in r.steps])
        if self._follow_live:
            self.playback.set_index(len(r.steps) - 1)
        self._show_index(self.playback.index())

    def _finished(self, snapshot: RunSnapshot) -> None:
        self._draw(snapshot)
        said = endings(snapshot.result)  # runs that diverged or left the surface's defined region
        if said:
            self.context.show_message("; ".join(said) + ": they stop where it happened.")
        self.playback.set_index(0)
        self.playback.play()
        if self.controls.ode.isChecked():
            self._ode_toggled(True)
        if not self._first_done:
            self._first_done = True
            self.first_job_done.emit()

    def _show_index(self, index: int) -> None:
        self.view.show_index(index)
        self.loss_plot.set_index(index)

    # ------------------------------------------------------------------ edits
    def add_start(self, x: float, y: float) -> None:
        """Add a start point (a click on the surface) and rerun."""
        current = self._starts if self._starts is not None else (
            self.snapshot.starts if self.snapshot is not None else np.zeros((0, 2)))
        self._starts = np.vstack([current, [[x, y]]])
        self.view.set_starts(self._starts)
        self.controls.show_start_count(len(self._starts))
        self._rerun.start()

    def _clear_starts(self) -> None:
        self._starts = None
        self.controls.show_start_count(None)
        self._rerun.start()

    def _surface_changed(self) -> None:
        self._starts = None
        self.controls.show_start_count(None)
        self._rerun.start()
        name = self.picker.choice().describe()
        for view in (self.basins, self.sweep):
            view.surface_changed(name)
        self._mode_shown()

    def _mode_shown(self, *_args) -> None:
        """A mode in view is computed when it has nothing (or only something out of date) to show: the basin
        map and the sweep on the current surface, the real network by training the built-in MLP, the
        interpolation on the current run's line from its initialisation to its end."""
        view = self.modes.currentWidget()
        self._show_sidebar_of(view)
        if view is self.network and view.wants_run:
            view.run()
        elif view is self.curves and view.wants_run:  # the line from the current run's start to its end
            view.interpolate()
        elif view in (self.basins, self.sweep) and view.wants_run and self.picker.choice().ready:
            view.run()

    def _show_sidebar_of(self, view: QtWidgets.QWidget) -> None:
        shown = self._sidebar[view]
        for w in {w for widgets in self._sidebar.values() for w in widgets}:
            w.setVisible(w in shown)

    def _preset_applied(self, preset: Preset) -> None:
        self.controls.noise.blockSignals(True)
        self.controls.noise.setValue(preset.noise)
        self.controls.noise.blockSignals(False)

    def _log_toggled(self, on: bool) -> None:
        self.view.set_log_scale(on)
        self.loss_plot.set_log(on)
        if self.snapshot is not None and self.snapshot.result is not None:
            r = self.snapshot.result
            self.loss_plot.set_losses(r.steps, r.losses, r.labels, self.snapshot.floor)

    def _ode_toggled(self, on: bool) -> None:
        if not on or self.snapshot is None:
            self.view.set_ode_curves([])
            return
        handle = self.ode_job.start("Continuous-time curves", ode_curves_job, self.snapshot.request,
                                    self.snapshot.starts)
        handle.succeeded.connect(self._ode_done)

    def _ode_done(self, curves: list[tuple[int, np.ndarray]]) -> None:
        self.ode_curves = curves
        if self.controls.ode.isChecked():
            self.view.set_ode_curves(curves)
            if not curves:
                self.context.show_message("Continuous-time curves exist for plain SGD and heavy-ball momentum only")

    # ------------------------------------------------------------------ shell interface
    def open_path(self, kind: str, path: Path) -> None:
        self.network.open_path(kind, path)
        self.modes.setCurrentWidget(self.network)

    def figures(self) -> list[Figure]:
        figures = [
            Figure("Trajectories on the surface", self.view, self._trajectory_data),
            Figure("Loss against step", self.loss_plot, self._trajectory_data),
        ]
        return (figures + self.basins.figures() + self.sweep.figures() + self.network.figures()
                + self.compare.figures() + self.curves.figures())

    def _trajectory_data(self) -> dict[str, np.ndarray]:
        if self.snapshot is None or self.snapshot.result is None:
            return {}
        return trajectory_table(self.snapshot.result)

    def animations(self) -> list[Animation]:
        return [Animation("Trajectories, step by step", self._frames, self._frame_count, fps=30.0)]

    def _frame_indices(self) -> np.ndarray:
        if self.snapshot is None or self.snapshot.result is None:
            return np.zeros(0, dtype=int)
        count = len(self.snapshot.result.steps)
        return np.unique(np.linspace(0, count - 1, min(count, MAX_ANIMATION_FRAMES)).round().astype(int))

    def _frame_count(self) -> int:
        return len(self._frame_indices())

    def _frames(self) -> Iterator[np.ndarray]:
        from workbench.export.figure import widget_frames

        current = self.playback.index()
        self.playback.pause()
        return widget_frames(self.view, self._frame_indices(), self.view.show_index, current)

    def parameters(self) -> dict[str, Any]:
        return {
            "panel": INFO.name,
            **(run_parameters(self.snapshot) if self.snapshot is not None else {}),
            "mode": self.modes.tabText(self.modes.currentIndex()),
            **self.basins.parameters(),
            **self.sweep.parameters(),
            **self.network.parameters(),
            **self.compare.parameters(),
            **self.curves.parameters(),
        }
