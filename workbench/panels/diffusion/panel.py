"""The diffusion panel: sidebar on the left; Compare / Reverse process / Forward process / Training tabs
on the right with one NFE timeline under them."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np
from PySide6 import QtCore, QtWidgets

from tasks.diffusion import (SampleOutcome, SampleRequest, TrainOutcome, default_source, non_finite_runs, quality_job,
                             sample_job)
from workbench.panel import Animation, Figure, Panel, PanelContext
from workbench.panels.diffusion import INFO
from workbench.panels.diffusion.controls import SLOTS, Controls
from workbench.panels.diffusion.timeline import Timeline
from workbench.panels.diffusion.charts import QualityChart, SchedulePlot
from workbench.panels.diffusion.frame_view import FrameView
from workbench.panels.diffusion.process_views import ForwardView, TrainView
from workbench.panels.diffusion.trainer import Trainer
from workbench.widgets.sidebar import beside_sidebar, sidebar
from workbench.widgets.stale import Staleness

RERUN_DELAY_MS = 400
MAX_GIF_FRAMES = 200


class DiffusionPanel(Panel):
    info = INFO

    def __init__(self, context: PanelContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._quality_job = self.job_slot("quality")
        self._sample_job = self.job_slot(invalidates=(self._quality_job,))
        self.outcome: Optional[SampleOutcome] = None
        self.source: Any = None  # the open engines Source (kept for reruns and the quality job)
        self.source_spec: Optional[str] = None
        self.quality: Any = None
        self._memory: dict[str, Any] = {}  # spec -> Source of models that live only in memory (trained here)
        self._first_done = False

        self.controls = Controls()
        self.main_view = FrameView()
        self.compare_views = [FrameView(compact=True) for _ in range(SLOTS)]
        self.quality_chart = QualityChart()
        self.schedule_plot = SchedulePlot()
        self.forward_view = ForwardView()
        self.train_view = TrainView()
        self.trainer = Trainer(context, self.controls, self.train_view, self.job_slot("train"), self.job_slot("save"), self)
        self.trainer.trained.connect(self._trained)
        self.timeline = Timeline()
        self._build_layout()
        # until a new comparison's first sampler arrives, the shown samples are of the previous request
        self._samples_stale = [Staleness(w) for w in (self.compare_grid, self.main_view, self.schedule_plot)]

        self._rerun = QtCore.QTimer(self, singleShot=True, interval=RERUN_DELAY_MS)
        self._rerun.timeout.connect(self.run)
        self.controls.changed.connect(self._rerun.start)
        self.controls.source_changed.connect(self._source_changed)
        self.controls.open_requested.connect(self._open_dialog)
        self.timeline.index_changed.connect(self._show_call)
        self.timeline.install_shortcuts(self)

    # ------------------------------------------------------------------ layout
    def _build_layout(self) -> None:
        scroll = sidebar(self.controls)

        compare = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        grid_box = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(grid_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        for k, view in enumerate(self.compare_views):
            grid.addWidget(view, k // 2, k % 2)
        for i in range(2):
            grid.setColumnStretch(i, 1)
            grid.setRowStretch(i, 1)
        chart_box = QtWidgets.QWidget()
        cb = QtWidgets.QVBoxLayout(chart_box)
        cb.setContentsMargins(0, 0, 0, 0)
        self.metric_box = QtWidgets.QComboBox()
        self.metric_box.setToolTip("The quality measure against held-out data (lower is better)")
        self.metric_box.setPlaceholderText("quality measure: once the first samples are drawn")
        self.metric_box.currentIndexChanged.connect(self._metric_changed)
        cb.addWidget(self.metric_box)
        cb.addWidget(self.quality_chart, 1)
        side = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        side.addWidget(chart_box)
        side.addWidget(self.schedule_plot)
        compare.addWidget(grid_box)
        compare.addWidget(side)
        compare.setStretchFactor(0, 3)
        compare.setStretchFactor(1, 2)
        compare.setSizes([620, 440])
        self.compare_grid = grid_box

        reverse = QtWidgets.QWidget()
        rl = QtWidgets.QVBoxLayout(reverse)
        rl.setContentsMargins(0, 0, 0, 0)
        options = QtWidgets.QHBoxLayout()
        self.show_sampler = QtWidgets.QComboBox()
        self.show_sampler.setToolTip("The sampler shown large")
        self.show_sampler.currentIndexChanged.connect(self._main_sampler_changed)
        self.show_field = QtWidgets.QCheckBox("score field")
        self.show_x0 = QtWidgets.QCheckBox("denoised guesses E[x0|x_t]")
        self.show_paths = QtWidgets.QCheckBox("trajectories")
        for box in (self.show_field, self.show_x0, self.show_paths):
            box.setChecked(True)
            box.toggled.connect(self._view_options)
        options.addWidget(QtWidgets.QLabel("Sampler"))
        options.addWidget(self.show_sampler)
        options.addStretch(1)
        for box in (self.show_field, self.show_x0, self.show_paths):
            options.addWidget(box)
        rl.addLayout(options)
        rl.addWidget(self.main_view, 1)

        forward = QtWidgets.QWidget()
        fl = QtWidgets.QVBoxLayout(forward)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.forward_view, 1)
        srow = QtWidgets.QHBoxLayout()
        self.sigma_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.sigma_slider.setRange(0, 500)
        self.sigma_slider.setValue(250)
        self.sigma_slider.setToolTip("Noise level σ, from 0.001 to 100 on a log scale")
        self.sigma_slider.valueChanged.connect(self._sigma_moved)
        srow.addWidget(QtWidgets.QLabel("σ"))
        srow.addWidget(self.sigma_slider, 1)
        fl.addLayout(srow)

        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(compare, "Compare")
        self.tabs.addTab(reverse, "Reverse process")
        self.tabs.addTab(forward, "Forward process")
        self.tabs.addTab(self.train_view, "Training")
        tips = ("Samplers side by side at the same model call from the same noise; quality against NFE; the σ grids",
                "One sampler call by call: particles, trajectories, x̂0 guesses and the score field",
                "A data batch and its noised versions at any σ",
                "Loss curve and samples while a model trains")
        for i, tip in enumerate(tips):
            self.tabs.setTabToolTip(i, tip)
        right = QtWidgets.QWidget()
        rr = QtWidgets.QVBoxLayout(right)
        rr.setContentsMargins(0, 0, 0, 0)
        rr.addWidget(self.tabs, 1)
        rr.addWidget(self.timeline)

        beside_sidebar(self, scroll, right)

    # ------------------------------------------------------------------ running
    def start(self) -> None:
        """First launch: the bundled moons model (else the exact moons mixture), four samplers at NFE 20."""
        spec = default_source()
        index = self.controls.source.findData(spec)
        self.controls.source.blockSignals(True)
        self.controls.source.setCurrentIndex(max(index, 0))
        self.controls.source.blockSignals(False)
        for view in [*self.compare_views, self.main_view]:
            view.waiting(f"sampling from {self.controls.source.currentText()}…")
        self.run()

    def run(self) -> None:
        """(Re)sample with the current source, samplers and settings."""
        self._rerun.stop()
        spec = self.controls.source_spec()
        source: Any = self.source if (self.source is not None and spec == self.source_spec) else self._memory.get(spec, spec)
        samplers = self.controls.samplers()
        if not samplers:
            self.context.show_message("Choose at least one sampler")
            return
        c = self.controls
        request = SampleRequest(source, samplers, c.nfe.value(), c.samples.value(), c.seed.value(), self.context.device())
        if self.outcome is not None:
            for mark in self._samples_stale:
                mark.mark(f"sampling {c.source.currentText()} at NFE {c.nfe.value()}…")
        handle = self._sample_job.start("Diffusion sampling", sample_job, request)
        handle.partial.connect(self._partial)
        handle.succeeded.connect(self._sampled)
        handle.failed.connect(lambda _e: self._first_finished())

    def _source_changed(self) -> None:
        self.source = None
        self.quality = None
        self.quality_chart.set_curves(None)
        self.run()

    def _partial(self, result: Any) -> None:
        self._draw(result, final=False)

    @property
    def samples_stale(self) -> bool:
        """The sample views still show a previous request's samples."""
        return self._samples_stale[0].stale

    def _sampled(self, outcome: SampleOutcome) -> None:
        opened = outcome.source is not self.source  # its note is said once, when it is opened
        self.outcome = outcome
        self.source = outcome.source
        self.source_spec = self.controls.source_spec()
        self.forward_view.set_data(outcome.source.data, outcome.source.kind, self.controls.seed.value())
        self.trainer.show_recorded(outcome.source, self.controls.source.currentText())
        self._draw(outcome.result, final=True)
        said = ([outcome.source.note] if opened and outcome.source.note else []) + non_finite_runs(outcome)
        if said:
            self.context.show_message("; ".join(said))
        self.timeline.set_index(0)
        self.timeline.play()
        self._start_quality()

    def _first_finished(self) -> None:
        if not self._first_done:
            self._first_done = True
            self.first_job_done.emit()

    def _draw(self, result: Any, final: bool) -> None:
        for mark in self._samples_stale:
            mark.clear()
        runs = result.runs
        reference = result.reference if result.kind == "points" else None
        for k, view in enumerate(self.compare_views):
            run = runs[k] if k < len(runs) else None
            view.setVisible(run is not None or k == 0)
            view.set_reference(reference)
            view.set_run(run, result.kind, k, result.field_axis)
        self.show_sampler.blockSignals(True)
        current = self.show_sampler.currentData()
        self.show_sampler.clear()
        for run in runs:
            self.show_sampler.addItem(run.label, run.name)
        index = self.show_sampler.findData(current)
        self.show_sampler.setCurrentIndex(index if index >= 0 else 0)
        self.show_sampler.blockSignals(False)
        self.main_view.set_reference(reference)
        self._main_sampler_changed()
        self.schedule_plot.set_runs(runs)
        self.timeline.set_count(max((len(r.frames) for r in runs), default=1))
        self._show_call(self.timeline.index())

    def _main_sampler_changed(self) -> None:
        result = self._result()
        if result is None:
            return
        i = max(0, self.show_sampler.currentIndex())
        if i < len(result.runs):
            self.main_view.set_run(result.runs[i], result.kind, i, result.field_axis)

    def _result(self) -> Any:
        return self.outcome.result if self.outcome is not None else None

    def _show_call(self, index: int) -> None:
        for view in self.compare_views:
            view.show_call(index)
        self.main_view.show_call(index)
        self.schedule_plot.show_call(index)

    def _view_options(self) -> None:
        for view in [self.main_view, *self.compare_views]:
            view.show_field = self.show_field.isChecked()
            view.show_x0 = self.show_x0.isChecked()
            view.show_paths = self.show_paths.isChecked()
        self._show_call(self.timeline.index())

    def _start_quality(self) -> None:
        if self.source is None or self.source.reference is None:
            self.quality_chart.set_unmeasured(self.source.note if self.source is not None else None)
            self._first_finished()
            return
        self.quality_chart.pending = True
        self.quality_chart.set_curves(None)
        handle = self._quality_job.start("Quality against NFE", quality_job, self.source, self.controls.samplers(),
                                         shown=self.outcome)  # the points at the shown NFE are the shown numbers
        # the slot is already free (or holds the job that replaced this one) when ``done`` arrives
        handle.done.connect(lambda: setattr(self.quality_chart, "pending", self._quality_job.running))
        handle.partial.connect(self._quality)
        handle.succeeded.connect(self._quality)
        handle.done.connect(self._first_finished)  # the first launch is drawn once the chart is too

    def _quality(self, curves: Any) -> None:
        self.quality = curves
        self.quality_chart.set_curves(curves)
        names = self.quality_chart.metrics()
        if [self.metric_box.itemData(i) for i in range(self.metric_box.count())] != names:
            self.metric_box.blockSignals(True)
            self.metric_box.clear()
            for name in names:
                self.metric_box.addItem(name.replace("_", " "), name)
            i = self.metric_box.findData(self.quality_chart.metric)
            self.metric_box.setCurrentIndex(max(i, 0))
            self.metric_box.blockSignals(False)

    def _metric_changed(self) -> None:
        if self.metric_box.currentData():
            self.quality_chart.metric = self.metric_box.currentData()
            self.quality_chart.redraw()

    def _sigma_moved(self, value: int) -> None:
        self.forward_view.show_sigma(10 ** (-3 + 5 * value / 500))

    # ------------------------------------------------------------------ training
    @property
    def trained(self) -> Any:
        """The TrainResult of the last model trained here (None before)."""
        return self.trainer.result

    def train(self) -> None:
        """Train on the chosen data, shown in the Training tab (Stop while it runs)."""
        if not self.trainer.running:
            self.tabs.setCurrentWidget(self.train_view)
        self.trainer.train()

    def _trained(self, outcome: TrainOutcome) -> None:
        source = outcome.source
        spec = f"trained:{len(self._memory) + 1}"
        self.controls.add_source(source.description["label"], spec)
        self._memory[spec] = source
        self.source, self.source_spec = source, spec
        self.run()

    # ------------------------------------------------------------------ shell interface
    def _open_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open diffusion checkpoint", "",
                                                        "Checkpoints (*.safetensors *.pt *.pth *.json);;All files (*)")
        if path:
            self.open_path("checkpoint", Path(path))

    def open_path(self, kind: str, path: Path) -> None:
        from engines.errors import InputError

        path = Path(path)
        if not path.exists():
            raise InputError(f"{path} does not exist (moved or deleted?)")
        if kind == "dataset":
            self.controls.add_dataset(path.name, str(path))
            self.train()
            return
        self.controls.add_source(path.name, str(path))
        self.source = None
        self.run()

    def figures(self) -> list[Figure]:
        figs = []
        if not self.samples_stale:  # nothing is exported under a request it does not show
            figs += [Figure("Reverse process (one sampler)", self.main_view, self._frames_data)]
            figs += [Figure(f"Compare: {v.run.label}", v, self._frames_data) for v in self.compare_views
                     if v.run is not None]
            figs += [Figure("Noise schedules", self.schedule_plot, self.schedule_plot.data)]
        figs += [Figure("Quality against NFE", self.quality_chart, self.quality_chart.data),
                 Figure("Forward process", self.forward_view, self._forward_data),
                 Figure("Training", self.train_view, self.train_view.data)]
        return figs

    def _frames_data(self) -> dict[str, np.ndarray]:
        result = self._result()
        if result is None:
            return {}
        out: dict[str, np.ndarray] = {"samplers": np.array([r.name for r in result.runs])}
        for k, r in enumerate(result.runs):
            out[f"{r.name}_samples"] = r.samples
            out[f"{r.name}_x"] = r.frames.x
            out[f"{r.name}_x0"] = r.frames.x0
            out[f"{r.name}_sigma"] = r.frames.sigma
        return out

    def _forward_data(self) -> dict[str, np.ndarray]:
        v = self.forward_view
        if v.data is None:
            return {}
        s = v.sigma
        a = 1 / math.sqrt(1 + s * s)
        return {"x0": v.data, "x_t": a * v.data + s * a * v.noise, "sigma": np.array([s])}


    def animations(self) -> list[Animation]:
        return [Animation("Sampling, call by call (one sampler)", lambda: self._frames_of(self.main_view), self._frame_count, fps=8.0),
                Animation("Samplers side by side, call by call", lambda: self._frames_of(self.compare_grid),
                          self._frame_count, fps=8.0)]

    def _frame_count(self) -> int:
        return min(self.timeline.count(), MAX_GIF_FRAMES) if self._result() is not None else 0

    def _frames_of(self, widget: QtWidgets.QWidget) -> Iterator[np.ndarray]:
        from workbench.export.figure import widget_frames

        current, count = self.timeline.index(), self.timeline.count()
        self.timeline.pause()
        return widget_frames(widget, np.unique(np.linspace(0, count - 1, min(count, MAX_GIF_FRAMES)).round().astype(int)),
                             self._show_call, current)

    def parameters(self) -> dict[str, Any]:
        c = self.controls
        desc = dict(self.source.description) if self.source is not None else {}
        return {"panel": INFO.name, "source": c.source_spec(), **{k: v for k, v in desc.items() if k != "label"},
                "samplers": [[n, s] for n, s in c.samplers()], "nfe": c.nfe.value(), "samples": c.samples.value(),
                "seed": c.seed.value(), "device": self.context.device(), "tab": self.tabs.tabText(self.tabs.currentIndex()),
                "call": self.timeline.index() + 1}
