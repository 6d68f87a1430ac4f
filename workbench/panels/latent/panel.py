"""The latent-space panel: the sidebar boxes (model, train, map, interpolation, path length) on the left; the
latent map with decoded paths, the high-dimensional picture and the training view as tabs on the right.
It wires the boxes' signals to the jobs of :mod:`tasks.latent`, run through job slots, and hands each view
what it shows."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import numpy as np
from PySide6 import QtCore, QtWidgets

import tasks.latent as latent
from engines.latent.catalogue import MODELS
from tasks.latent_directions import directions_job
from tasks.latent_neighbours import neighbours_job
from tasks.latent_report import loaded_report_job
from workbench.panel import Animation, Figure, Panel, PanelContext
from workbench.panels.latent import INFO
from workbench.panels.latent.directions_view import DirectionsView
from workbench.panels.latent.map_box import MapBox
from workbench.panels.latent.map_control import DEBOUNCE_MS, MapControl
from workbench.panels.latent.map_tab import MapTab
from workbench.panels.latent.model_box import ModelBox
from workbench.panels.latent.path_box import PathBox
from workbench.panels.latent.plots import HighDimensions
from workbench.panels.latent.ppl_box import PathLengthBox
from workbench.panels.latent.report_view import ReportView
from workbench.panels.latent.text_tab import TextTab
from workbench.panels.latent.train_box import TrainBox
from workbench.panels.latent.training_view import TrainingView
from workbench.widgets.sidebar import beside_sidebar, sidebar

CLUSTER_PANEL = "cluster"  # where "Cluster these encodings" sends the codes


class LatentPanel(Panel):
    """See :data:`workbench.panels.latent.INFO`."""

    info = INFO

    def __init__(self, context: PanelContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.path_job = self.job_slot("path")
        self.ppl_job = self.job_slot("ppl")
        self.samples_job = self.job_slot("samples")
        self.report_job = self.job_slot("report")
        self.neighbours_job = self.job_slot("neighbours")
        self.directions_job = self.job_slot("directions")
        self.train_job = self.job_slot("train")
        self.save_job = self.job_slot("save")
        self.loaded: Optional[latent.Loaded] = None
        self.snapshot = None  # the latest TrainSnapshot of a training run
        self._data_spec = None  # a data set the user opened (None: each model's own)

        self.model_box = ModelBox()
        self.train_box = TrainBox()
        self.map_box = MapBox()
        self.path_box = PathBox()
        self.ppl_box = PathLengthBox()
        self.map_tab = MapTab()
        self.high = HighDimensions()
        self.training = TrainingView()
        self.report_view = ReportView()
        self.directions = DirectionsView()
        self.text_tab = TextTab(self.job_slot, self.context.device)
        self._build_layout()
        self.map_control = MapControl(self, lambda: self.overview)
        # what these compute belongs to the loaded model: a new model cancels and silences them
        self.load_job = self.job_slot("load", invalidates=(self.path_job, self.ppl_job, self.samples_job, self.report_job,
                                                                 self.neighbours_job, self.directions_job,
                                                                 *self.map_control.jobs))

        self._path_timer = QtCore.QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._path_timer.timeout.connect(self.update_path)
        self.model_box.chosen.connect(lambda source: self.load(source, self._data_spec))
        self.model_box.open_chosen.connect(lambda path: self.open_path("checkpoint", path))
        self.model_box.save_chosen.connect(self.save)
        self.train_box.train_clicked.connect(self._train_clicked)
        self.map_box.cluster_clicked.connect(self.cluster_encodings)
        self.path_box.changed.connect(self._path_timer.start)
        self.ppl_box.compute_clicked.connect(self.update_ppl)
        self._samples_timer = QtCore.QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._samples_timer.timeout.connect(self.update_samples)
        self.training.relaxation.changed.connect(self._samples_timer.start)
        self.map_tab.map_view.item_clicked.connect(self.path_box.pick)
        self.map_tab.map_view.item_clicked.connect(self.show_neighbours)
        self.report_view.compute_clicked.connect(self.update_report)
        self._directions_timer = QtCore.QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._directions_timer.timeout.connect(self.update_directions)
        self.directions.changed.connect(self._directions_timer.start)
        self.tabs.currentChanged.connect(lambda *_: self._directions_timer.start())
        self.tabs.currentChanged.connect(lambda *_: self.update_report(only_if_missing=True))

    def _build_layout(self) -> None:
        side = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(side)
        column.setContentsMargins(4, 4, 4, 4)
        for box in (self.model_box, self.train_box, self.map_box, self.path_box, self.ppl_box):
            column.addWidget(box)
        column.addStretch(1)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(self.map_tab, "Latent map")
        self.tabs.addTab(self.high, "High dimensions")
        self.tabs.addTab(self.training, "Training")
        self.tabs.addTab(self.report_view, "Report")
        self.tabs.addTab(self.directions, "Directions")
        self.tabs.addTab(self.text_tab, "Text VAE")
        self.tabs.setTabToolTip(0, "Where the data sits in latent space, and the decoded lerp/slerp paths between two items")
        self.tabs.setTabToolTip(1, "Why slerp: norms against the prior shell, angles between random vectors, path lengths")
        self.tabs.setTabToolTip(2, "Loss terms and samples while a model trains")
        self.tabs.setTabToolTip(3, "The loaded model's latent geometry: shell, angle laws (KS), path length, "
                                   "active dimensions, held-out fit")
        self.tabs.setTabToolTip(4, "Attribute vectors (mean code of A − mean code of B) on an item, and traversals "
                                   "of one latent coordinate at a time")
        self.tabs.setTabToolTip(5, "A VAE of five- or seven-character lines: train it, walk between two lines, sample")
        self.side = sidebar(side)
        beside_sidebar(self, self.side, self.tabs)
        self.tabs.currentChanged.connect(lambda _: self.side.setVisible(self.tabs.currentWidget() is not self.text_tab))

    @property
    def overview(self):
        """The loaded model's :class:`engines.latent.analysis.Overview` (None before the first load)."""
        return self.loaded.overview if self.loaded is not None else None

    # ------------------------------------------------------------------ loading
    def start(self) -> None:
        """First launch: the bundled digits VAE, its map, a lerp/slerp pair, the statistics."""
        self.load(self.model_box.current())

    def load(self, source, data=None) -> None:
        """Load a checkpoint path (or a training run's snapshot) and draw everything."""
        handle = self.load_job.start("Latent model", latent.load_job, source, data, self.path_box.steps_slider.value())
        handle.succeeded.connect(self._loaded)
        handle.failed.connect(lambda err: self.model_box.show_error(err.message))

    def _loaded(self, loaded: latent.Loaded) -> None:
        self.loaded = loaded
        self.report_view.clear()
        self.update_report(only_if_missing=True)
        ov = loaded.overview
        ck, enc, n = ov.checkpoint, ov.encoded, ov.checkpoint.model.latent_size
        self.model_box.show_checkpoint(ck, enc.data.name, len(enc.z))
        self.path_box.set_data(enc.labels, enc.n_train, loaded.paths.request, ck.config.is_image, enc.data.all_rows)
        self.map_box.set_model(enc.clusters is not None, n == 2 and ck.config.is_image)
        self.map_tab.set_model(ck.config.is_image, None if ck.config.is_image else enc.x)
        self.directions.set_data(enc.labels, enc.data.all_rows, loaded.paths.request.start, ck.config.is_image)
        self._directions_timer.start()  # drawn now if its tab is shown (it may have been opened while loading)
        self.map_control.new_model()
        self._draw_paths(loaded.paths)
        self.high.angles.set_fit(ov.angles, ov.data_angles)
        self.high.ppl_plot.clear_results()
        history = latent.history_from_info(ck.info)
        self.training.show_history(history, ck.config.is_flow, f"{ck.config.title}: " + (
            "training curves from its checkpoint" if history.epoch else "its checkpoint records no training curves"))
        self.training.show_samples(ov.samples, f"Samples of the {ck.config.title}", self._points())
        categorical = MODELS[ck.config.kind].has("categories")
        self.training.relaxation.setVisible(categorical)
        # a categorical latent's prior is uniform over one-hot codes: no Gaussian prior pairs to walk or measure
        self.path_box.prior_button.setVisible(not categorical)
        self.ppl_box.setVisible(not categorical)
        self.tabs.setTabVisible(self.tabs.indexOf(self.high), not categorical)  # the Gaussian shell and angle law
        if not self.training.relaxation.isHidden() and self.training.relaxation.tau() > 0:
            self.update_samples()
        self.update_ppl()
        if ov.note:
            self.context.show_message(ov.note)
        if not self.ready:
            self.first_job_done.emit()

    def _points(self) -> Optional[np.ndarray]:
        """The loaded data set when it is 2D points (drawn under decoded points and samples)."""
        ov = self.overview
        return ov.encoded.x if ov is not None and not ov.checkpoint.config.is_image else None

    # ------------------------------------------------------------------ map and paths
    def update_path(self) -> None:
        if self.loaded is None:
            return
        ov = self.overview
        handle = self.path_job.start("Interpolation", latent.path_job, ov.checkpoint.model, ov.encoded,
                                     self.path_box.request())
        handle.succeeded.connect(self._draw_paths)

    def _draw_paths(self, result: latent.PathResult) -> None:
        cfg, n = self.overview.checkpoint.config, self.overview.checkpoint.model.latent_size
        self.map_tab.set_paths(result, n, cfg.latent if MODELS[cfg.kind].has("categories") else None)
        self.high.set_prior(result.prior, n)

    def update_ppl(self) -> None:
        if self.loaded is None or self.ppl_box.isHidden():
            return
        v = self.ppl_box.values()
        handle = self.ppl_job.start("Perceptual path length", latent.ppl_job, self.overview.checkpoint.model,
                                    v["pairs"], v["distance"])
        handle.succeeded.connect(self.high.ppl_plot.set_results)

    def update_samples(self) -> None:
        """Redraw the samples of a categorical-latent model at the slider's relaxation temperature."""
        if self.loaded is None or self.training.relaxation.isHidden():
            return
        ck, tau = self.loaded.checkpoint, self.training.relaxation.tau()
        handle = self.samples_job.start("Relaxed samples", latent.relaxed_samples_job, ck.model, tau)
        handle.succeeded.connect(lambda samples: self.training.show_samples(
            samples, f"Samples, codes relaxed at τ {tau:.2f}", self._points()))

    def show_neighbours(self, index: int) -> None:
        """The nearest items to ``index`` (a position in the encoded data) by latent distance, decoded."""
        if self.loaded is None:
            return
        enc = self.overview.encoded
        handle = self.neighbours_job.start("Nearest neighbours", neighbours_job, self.overview.checkpoint.model, enc,
                                           index)
        handle.succeeded.connect(lambda r: self.map_tab.set_neighbours(r, enc.data.all_rows, enc.labels))

    def update_directions(self) -> None:
        """The Directions tab's strip and traversals (only while the tab is shown)."""
        request = self.directions.request()
        if self.loaded is None or request is None or self.tabs.currentWidget() is not self.directions:
            return
        handle = self.directions_job.start("Directions", directions_job, self.overview.checkpoint.model,
                                           self.overview.encoded, *request)
        handle.succeeded.connect(self.directions.set_result)

    def update_report(self, only_if_missing: bool = False) -> None:
        """The geometry report of the loaded model (on the Report tab's button, or when the tab is shown)."""
        if self.loaded is None or (only_if_missing and (self.tabs.currentWidget() is not self.report_view
                                                        or self.report_view.report is not None
                                                        or self.report_job.running)):
            return
        enc = self.overview.encoded
        handle = self.report_job.start("Geometry report", loaded_report_job, self.overview.checkpoint.model,
                                       enc.data, enc.z)
        handle.succeeded.connect(self.report_view.set_report)

    def cluster_encodings(self) -> bool:
        """Hand the codes to the clustering panel; False when there is nothing to send or it could not take them."""
        if self.loaded is None:
            return False
        return self.context.send_to(CLUSTER_PANEL, "vectors", latent.vectors(self.overview))

    # ------------------------------------------------------------------ training
    def _train_clicked(self) -> None:
        if self.train_job.running:
            self.train_job.cancel()
            return
        request = self.train_box.request()
        self.snapshot = None
        handle = self.train_job.start(f"Training a {MODELS[request.kind].label}", latent.train_job, request,
                                      device=self.context.device(), process=True)
        handle.partial.connect(self._train_partial)
        handle.succeeded.connect(self._train_done)
        handle.cancelled.connect(self._train_stopped)
        handle.failed.connect(lambda *_: self.train_box.set_running(False))
        self.train_box.set_running(True)
        self.tabs.setCurrentWidget(self.training)

    def _train_partial(self, snap) -> None:
        self.snapshot = snap
        self.training.show_snapshot(snap, self._points() if not snap.config.is_image else None)

    def _train_done(self, snap) -> None:
        self._train_partial(snap)
        self._adopt(snap, "")

    def _train_stopped(self) -> None:
        snap = self.snapshot
        self.train_box.set_running(False)
        if snap is None:
            self.context.show_message("Training stopped before its first epoch; nothing to keep")
            return
        self._adopt(snap, f" (stopped at epoch {snap.epoch})")
        self.context.show_message(f"Training stopped at epoch {snap.epoch}; kept its weights")

    def _adopt(self, snap, suffix: str) -> None:
        self.train_box.set_running(False)
        self.model_box.add(f"Trained: {snap.config.title} on {snap.data.describe()}{suffix}", snap)
        self.load(snap, snap.data)

    # ------------------------------------------------------------------ files
    def save(self, path: Path):
        """Save the current model (a job); returns its handle."""
        ck = self.loaded.checkpoint
        handle = self.save_job.start("Saving checkpoint", latent.save_job, path, ck.config, ck.model.state_dict(), ck.info)
        handle.succeeded.connect(lambda body: self.context.show_message(f"Saved {path.name} (sha256 {body['sha256'][:12]}…)"))
        return handle

    def open_path(self, kind: str, path: Path) -> None:
        from engines.errors import InputError

        if not path.exists():
            raise InputError(f"{path} does not exist (moved or deleted?)")
        if kind == "checkpoint":
            if path.is_dir():
                raise InputError(f"{path.name} is a folder; open the .safetensors file inside it")
            self.model_box.add(path.name, path)
            self.load(path, None)
            return
        if kind == "dataset":
            from engines.latent.data import DataSpec

            cfg = self.loaded.checkpoint.config if self.loaded is not None else None
            size = tuple(cfg.data_shape[1:]) if cfg is not None and cfg.is_image else None
            channels = cfg.data_shape[0] if cfg is not None and cfg.is_image else None
            self._data_spec = DataSpec(path.name, path=str(path), size=size, channels=channels)
            self.train_box.add_dataset(f"{path.name} (loaded)", self._data_spec)
            if self.loaded is not None:
                self.load(self.model_box.current(), self._data_spec)
            return
        raise InputError(f"the latent panel does not open {kind} files")

    # ------------------------------------------------------------------ export
    def figures(self) -> list[Figure]:
        t, h = self.map_tab, self.high
        return [
            Figure("Latent map", t.map_view, t.map_view.data),
            Figure("Interpolation strips (lerp, slerp, analogy)", t.strips, t.path_data),
            Figure("Norm along the path", t.path_norms, t.path_data),
            Figure("Norm between two prior samples", h.prior_norms, h.prior_norms.data),
            Figure("Angles between random latent pairs", h.angles, h.angles.data),
            Figure("Perceptual path length", h.ppl_plot, h.ppl_plot.data),
            Figure("Training curves", self.training.curves_plot, self.training.data),
            Figure("KL per latent dimension", self.report_view.kl_plot, self.report_view.data),
            Figure("Attribute strip and traversals", self.directions.view, self.directions.data),
            *self.text_tab.figures(),
        ]

    def animations(self) -> list[Animation]:
        return [Animation("Interpolation, lerp above slerp", self.map_tab.frames, self.map_tab.frame_count, fps=6.0)]

    def parameters(self) -> dict[str, Any]:
        out: dict[str, Any] = {"panel": INFO.name, "device": self.context.device(), "seed": 0}
        if self.loaded is not None:
            ck = self.loaded.checkpoint
            out.update({"checkpoint": str(ck.path) if ck.path else ck.name, "checkpoint_sha256": ck.sha256,
                        "model": ck.config.as_dict(), "dataset": self.overview.encoded.data.name})
        if self.map_tab.paths is not None:
            r = self.map_tab.paths.request
            rows = self.overview.encoded.data.all_rows  # the sidecar names items by their rows, as the CLI does
            out.update({"from": int(rows[r.start]), "to": int(rows[r.end]), "prior_seed": r.prior_seed,
                        "steps": r.steps, "analogy": [int(rows[k]) for k in r.analogy]})
        ppl = self.ppl_box.values()
        out.update({"map": self.map_box.projection.currentText(), "colour": self.map_box.colour.currentText(),
                    **({"map_clusters": self.map_control.caption} if self.map_control.caption else {}),
                    "ppl_pairs": ppl["pairs"], "ppl_distance": ppl["distance"],
                    "tab": self.tabs.tabText(self.tabs.currentIndex())})
        return out
