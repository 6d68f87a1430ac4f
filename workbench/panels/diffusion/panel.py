"""The diffusion panel: sidebar on the left; Compare / Reverse process / Forward process / Training / Exact
path / Guidance / Likelihood tabs on the right with the branch bar and one NFE timeline under them."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np
from PySide6 import QtCore, QtWidgets

from tasks.diffusion_reflow import round_source
from tasks.diffusion import (SampleOutcome, SampleRequest, TrainOutcome, default_source, non_finite_runs, quality_job,
                             sample_job)
from workbench.panel import Animation, Figure, Panel, PanelContext
from workbench.panels.diffusion import INFO
from workbench.panels.diffusion.branching import FIRST_COLOR, Branches, arrays as branch_arrays
from workbench.panels.diffusion.controls import SLOTS, Controls
from workbench.panels.diffusion.timeline import Timeline
from workbench.panels.diffusion.charts import QualityChart, SchedulePlot
from workbench.panels.diffusion.exact_view import ExactView
from workbench.panels.diffusion.frame_view import FrameView
from workbench.panels.diffusion.guidance_view import GuidanceView
from workbench.panels.diffusion.likelihood_tab import LikelihoodTab
from workbench.panels.diffusion.process_views import ForwardView, TrainView
from workbench.panels.diffusion.tabs import CompareTab, ForwardTab, ReverseTab
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
        self._branch_job = self.job_slot("branch")
        self._sample_job = self.job_slot(invalidates=(self._quality_job, self._branch_job))
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
        self.exact_view = ExactView(self.job_slot("exact"))
        self.trainer = Trainer(context, self.controls, self.train_view, self.job_slot("train"), self.job_slot("save"), self)
        self.trainer.trained.connect(self._trained)
        self.guidance_view = GuidanceView(self.job_slot("guidance"), self.controls, self.context.device)
        self.likelihood_tab = LikelihoodTab(context, self._current_source, lambda: self.controls.dataset.currentData(),
                                            self.controls.seed.value, (self.job_slot("likelihood"),
                                            self.job_slot("likelihood table"), self.job_slot("reflow")))
        self.likelihood_tab.reflowed.connect(self._reflowed)
        self.likelihood_tab.reflow_drawn.connect(lambda result: self.quality_chart.set_rounds(result.curves()))
        self.timeline = Timeline()
        self.branches = Branches(self._branch_job, context.show_message, self)
        self.branches.changed.connect(self._branches_changed)
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
        compare = CompareTab(self.compare_views, self.quality_chart, self.schedule_plot)
        self.branches.place(compare.grid_layout, 2)  # the branches' rows, under the samplers
        self.compare_grid, self.metric_box = compare.grid, compare.metric_box
        self.metric_box.currentIndexChanged.connect(self._metric_changed)
        self.reverse = reverse = ReverseTab(self.main_view)
        self.show_sampler = reverse.sampler
        self.show_sampler.currentIndexChanged.connect(self._main_sampler_changed)
        self.show_sampler.currentIndexChanged.connect(lambda: self.branches.follow(self.show_sampler.currentData()))
        reverse.options_changed.connect(self._view_options)
        forward = ForwardTab(self.forward_view)

        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(compare, "Compare")
        self.tabs.addTab(reverse, "Reverse process")
        self.tabs.addTab(forward, "Forward process")
        self.tabs.addTab(self.train_view, "Training")
        self.tabs.addTab(self.exact_view, "Exact path")
        self.tabs.addTab(self.guidance_view, "Guidance")
        self.tabs.addTab(self.likelihood_tab, "Likelihood")
        tips = ("Samplers side by side at the same model call from the same noise; quality against NFE; the σ grids",
                "One sampler call by call: particles, trajectories, x̂0 guesses and the score field",
                "A data batch and its noised versions at any σ",
                "Loss curve and samples while a model trains",
                "Exact mixtures: each sampler's distance to the exact ODE path per call, and its empirical order",
                "Classifier-free guidance: distance to the exact conditional and class fractions against w",
                "ELBO terms per timestep, bits/dim by the ELBO and the probability-flow ODE; reflow's straightness")
        for i, tip in enumerate(tips):
            self.tabs.setTabToolTip(i, tip)
        right = QtWidgets.QWidget()
        rr = QtWidgets.QVBoxLayout(right)
        rr.setContentsMargins(0, 0, 0, 0)
        rr.addWidget(self.tabs, 1)
        rr.addWidget(self.branches.bar)
        rr.addWidget(self.timeline)
        self.tabs.currentChanged.connect(self._tab_shown)

        beside_sidebar(self, scroll, right)

    def _tab_shown(self, index: int) -> None:
        """The branch bar and the NFE timeline drive the Compare and Reverse process tabs only; elsewhere
        they are hidden (Forward has its σ slider; Training, Exact path, Guidance and Likelihood no calls)."""
        driven = index in (0, 1)
        self.branches.bar.setVisible(driven)
        self.timeline.setVisible(driven)

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
        source, _ = self._current_source()
        samplers = self.controls.samplers()
        if not samplers:
            self.context.show_message("Choose at least one sampler")
            return
        c = self.controls
        request = SampleRequest(source, samplers, c.nfe.value(), c.samples.value(), c.seed.value(), self.context.device())
        self.branches.set_outcome(None)  # branches of the shown runs go with them
        if self.outcome is not None:
            for mark in self._samples_stale:
                mark.mark(f"sampling {c.source.currentText()} at NFE {c.nfe.value()}…")
        handle = self._sample_job.start("Diffusion sampling", sample_job, request)
        handle.partial.connect(self._partial)
        handle.succeeded.connect(self._sampled)
        handle.failed.connect(lambda _e: self._first_finished())

    def _current_source(self) -> tuple[Any, str]:
        """The sidebar's model (open, in memory, or its spec) and its menu label."""
        spec = self.controls.source_spec()
        source = self.source if (self.source is not None and spec == self.source_spec) else self._memory.get(spec, spec)
        return source, self.controls.source.currentText()

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
        self.guidance_view.set_source(outcome.source)
        self._draw(outcome.result, final=True)
        self.exact_view.set_outcome(outcome)
        self.branches.set_outcome(outcome)
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
        self.main_view.set_reference(reference)
        self.schedule_plot.set_runs(runs)
        self._runs_changed(runs)

    def _branches_changed(self) -> None:
        result = self._result()
        if result is not None and not self.samples_stale:
            self._runs_changed(result.runs)

    def _runs_changed(self, runs: list[Any]) -> None:
        """The Reverse process menu and the timeline cover ``runs`` and the branches."""
        runs = [*runs, *self.branches.runs]
        self.show_sampler.blockSignals(True)
        current = self.show_sampler.currentData()
        self.show_sampler.clear()
        for run in runs:
            self.show_sampler.addItem(run.label, run.name)
        index = self.show_sampler.findData(current)
        self.show_sampler.setCurrentIndex(index if index >= 0 else 0)
        self.show_sampler.blockSignals(False)
        self._main_sampler_changed()
        self.timeline.set_count(max((len(r.frames) for r in runs), default=1))
        self._show_call(self.timeline.index())

    def _main_sampler_changed(self) -> None:
        result = self._result()
        if result is None:
            return
        runs = [*result.runs, *self.branches.runs]
        i = max(0, self.show_sampler.currentIndex())
        if i < len(runs):
            shade = i if i < len(result.runs) else FIRST_COLOR + i - len(result.runs)  # a branch's own colour
            self.main_view.set_run(runs[i], result.kind, shade, result.field_axis)

    def _result(self) -> Any:
        return self.outcome.result if self.outcome is not None else None

    def _show_call(self, index: int) -> None:
        for view in self.compare_views:
            view.show_call(index)
        self.main_view.show_call(index)
        self.schedule_plot.show_call(index)
        self.branches.show_call(index)

    def _view_options(self) -> None:
        self.reverse.apply_options([self.main_view, *self.compare_views, *self.branches.views])
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
        self._remember(outcome.source)
        self.run()

    def _reflowed(self, result: Any) -> None:
        """Each reflow round joins the model menu; the last one is sampled."""
        for k in range(len(result.rounds)):
            self._remember(round_source(result, k))
        self.run()

    def _remember(self, source: Any) -> None:
        """A model that lives in memory: in the menu, chosen."""
        spec = f"trained:{len(self._memory) + 1}"
        self.controls.add_source(source.description["label"], spec)
        self._memory[spec] = source
        self.source, self.source_spec = source, spec

    # ------------------------------------------------------------------ shell interface
    def _open_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open diffusion checkpoint", "",
                                                        "Checkpoints (*.safetensors *.pt *.pth *.pt2 *.json);;All files (*)")
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
            figs += self.branches.figures()
            figs += [Figure("Noise schedules", self.schedule_plot, self.schedule_plot.data)]
        figs += [Figure("Quality against NFE", self.quality_chart, self.quality_chart.data),
                 Figure("Forward process", self.forward_view, self.forward_view.shown_data),
                 Figure("Training", self.train_view, self.train_view.data), *self.likelihood_tab.figures()]
        return figs + self.exact_view.figures() + self.guidance_view.figures()

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
        out.update(branch_arrays(self.branches.runs))
        return out

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
                "call": self.timeline.label_text(self.timeline.index()), "branches": self.branches.parameters(),
                **self.guidance_view.parameters()}
