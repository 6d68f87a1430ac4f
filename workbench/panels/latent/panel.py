"""The latent-space panel: model and training controls on the left; the latent map with decoded strips, the
high-dimensional picture (norms, angles, path lengths) and the training view as tabs on the right."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np
from PySide6 import QtCore, QtWidgets

from workbench.panel import Animation, Figure, Panel, PanelContext
from workbench.panels.latent import INFO
from workbench.panels.latent.views import (AnglePlot, MapView, NormPlot, PathLengthPlot, PointsView,
                                           StripView, TrainingView)
from workbench.panels.latent.work import PathRequest, PathResult, load_job, manifold_job, path_job, ppl_job, save_job
from workbench.widgets.sidebar import sidebar

DEBOUNCE_MS = 150
GIF_SCALE = 16
KIND_ITEMS = (("VAE (MLP)", "vae"), ("VAE (convolutional)", "conv-vae"), ("NICE flow", "nice"),
              ("VAE with clustering prior", "cluster-vae"))
TOY_ITEMS = ("moons", "circles", "swiss_roll", "gaussian_mixture")
BUNDLED_ITEMS = (("Digits VAE, latent 16 (bundled)", "vae"), ("Digits VAE, latent 2 (bundled)", "vae-2d"),
                 ("Digits NICE flow (bundled)", "nice"))


def _spin(lo: int, hi: int, value: int, tip: str = "") -> QtWidgets.QSpinBox:
    s = QtWidgets.QSpinBox()
    s.setRange(lo, hi)
    s.setValue(value)
    s.setToolTip(tip)
    s.setKeyboardTracking(False)
    return s


class LatentPanel(Panel):
    """See :data:`workbench.panels.latent.INFO`."""

    info = INFO

    def __init__(self, context: PanelContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._path_job = self.job_slot("path")
        self._grid_job = self.job_slot("grid")
        self._tsne_job = self.job_slot("tsne")
        self._ppl_job = self.job_slot("ppl")
        self._load_job = self.job_slot(invalidates=(self._path_job, self._grid_job, self._tsne_job, self._ppl_job))
        self._train_job = self.job_slot("train")
        self._save_job = self.job_slot("save")
        self.overview = None  # engines.latent.analysis.Overview
        self.paths: Optional[PathResult] = None
        self.ppl: Optional[dict] = None
        self.tsne = None
        self.snapshot = None  # the latest TrainSnapshot of a training run
        self._sources: list[Any] = []  # per model-combo entry: a Path or (config, state, info)
        self._data_spec = None  # engines.latent.data.DataSpec chosen by the user (None: the model's own)
        self._first_done = False
        self._picking_end = False
        self._build()
        self._path_timer = QtCore.QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._path_timer.timeout.connect(self.update_path)
        self._grid_timer = QtCore.QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._grid_timer.timeout.connect(self.update_manifold)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        side = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(side)
        column.setContentsMargins(4, 4, 4, 4)

        model_box = QtWidgets.QGroupBox("Model")
        f = QtWidgets.QFormLayout(model_box)
        self.model_combo = QtWidgets.QComboBox()
        import resources

        for title, key in BUNDLED_ITEMS:
            self.model_combo.addItem(title)
            self._sources.append(resources.path("checkpoints", {"vae": "digits_vae", "vae-2d": "digits_vae_2d",
                                                               "nice": "digits_nice"}[key] + ".safetensors"))
        self.model_combo.activated.connect(self._model_chosen)
        self.model_info = QtWidgets.QLabel("loading…")
        self.model_info.setWordWrap(True)
        self.model_info.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QtWidgets.QHBoxLayout()
        self.open_button = QtWidgets.QPushButton("Open…")
        self.open_button.setToolTip("Load a .safetensors (with its .json) or .pt/.pth checkpoint")
        self.open_button.clicked.connect(self._open_dialog)
        self.save_button = QtWidgets.QPushButton("Save…")
        self.save_button.setToolTip("Save the current model as .safetensors + .json")
        self.save_button.clicked.connect(self._save_dialog)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.save_button)
        f.addRow(self.model_combo)
        f.addRow(self.model_info)
        f.addRow(buttons)
        column.addWidget(model_box)

        train_box = QtWidgets.QGroupBox("Train")
        f = QtWidgets.QFormLayout(train_box)
        self.kind_combo = QtWidgets.QComboBox()
        for title, kind in KIND_ITEMS:
            self.kind_combo.addItem(title, kind)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.data_combo = QtWidgets.QComboBox()
        self.data_combo.addItem("digits (8×8, 1,797)", None)
        for name in TOY_ITEMS:
            self.data_combo.addItem(f"{name} (2D points)", name)
        self.latent_spin = _spin(2, 128, 16, "Latent size of the VAEs (the flow's is the data size)")
        self.epochs_spin = _spin(1, 5000, 100, "Passes over the training items")
        self.train_button = QtWidgets.QPushButton("Train")
        self.train_button.setToolTip("Train in a worker process; curves and samples refresh as it runs.\n"
                                     "Stop keeps the last good weights.")
        self.train_button.clicked.connect(self._train_clicked)
        f.addRow("Model", self.kind_combo)
        f.addRow("Data", self.data_combo)
        f.addRow("Latent", self.latent_spin)
        f.addRow("Epochs", self.epochs_spin)
        f.addRow(self.train_button)
        column.addWidget(train_box)

        map_box = QtWidgets.QGroupBox("Latent map")
        f = QtWidgets.QFormLayout(map_box)
        self.color_combo = QtWidgets.QComboBox()
        self.color_combo.addItems(["label", "cluster"])
        self.color_combo.currentIndexChanged.connect(lambda *_: self._draw_map())
        self.projection_combo = QtWidgets.QComboBox()
        self.projection_combo.addItems(["PCA (or the 2D latent)", "t-SNE"])
        self.projection_combo.currentIndexChanged.connect(self._projection_changed)
        self.manifold_check = QtWidgets.QCheckBox("decoded grid behind the points")
        self.manifold_check.setToolTip("For 2D latents: the images the decoder makes over the visible region")
        self.manifold_check.setChecked(True)
        self.manifold_check.toggled.connect(lambda *_: self._grid_timer.start())
        self.cluster_button = QtWidgets.QPushButton("Cluster these encodings")
        self.cluster_button.setToolTip("Send the codes (and labels) to the Segmentation & clustering panel, "
                                       "which clusters them with its chosen method")
        self.cluster_button.setEnabled(False)
        self.cluster_button.clicked.connect(self.cluster_encodings)
        f.addRow("Colour", self.color_combo)
        f.addRow("Map", self.projection_combo)
        f.addRow(self.manifold_check)
        f.addRow(self.cluster_button)
        column.addWidget(map_box)

        path_box = QtWidgets.QGroupBox("Interpolation")
        f = QtWidgets.QFormLayout(path_box)
        self.from_spin = _spin(0, 0, 0, "First item (or click a point on the map)")
        self.to_spin = _spin(0, 0, 1, "Last item (or click a second point)")
        for s in (self.from_spin, self.to_spin):
            s.valueChanged.connect(self._items_changed)
        self.from_label = QtWidgets.QComboBox()
        self.to_label = QtWidgets.QComboBox()
        self.label_button = QtWidgets.QPushButton("Pick")
        self.label_button.setToolTip("A random test item of each chosen label")
        self.label_button.clicked.connect(self._pick_by_label)
        self._label_pick = 0
        by_label = QtWidgets.QHBoxLayout()
        by_label.addWidget(self.from_label, 1)
        by_label.addWidget(QtWidgets.QLabel("→"))
        by_label.addWidget(self.to_label, 1)
        by_label.addWidget(self.label_button)
        self.prior_button = QtWidgets.QPushButton("Two random prior samples")
        self.prior_button.clicked.connect(self._prior_pair)
        self._prior_seed = 0
        self.steps_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.steps_slider.setRange(3, 21)
        self.steps_slider.setValue(9)
        self.steps_label = QtWidgets.QLabel("9")
        self.steps_slider.valueChanged.connect(self._steps_changed)
        steps = QtWidgets.QHBoxLayout()
        steps.addWidget(self.steps_slider, 1)
        steps.addWidget(self.steps_label)
        self.analogy_spins = [_spin(0, 0, k, tip) for k, tip in enumerate(("a", "b", "c"))]
        analogy = QtWidgets.QHBoxLayout()
        for s in self.analogy_spins:
            s.valueChanged.connect(lambda *_: self._path_timer.start())
            s.setMinimumWidth(60)
            analogy.addWidget(s)
        f.addRow("From", self.from_spin)
        f.addRow("To", self.to_spin)
        f.addRow("Labels", by_label)
        f.addRow(self.prior_button)
        f.addRow("Steps", steps)
        f.addRow("a − b + c", analogy)
        column.addWidget(path_box)

        ppl_box = QtWidgets.QGroupBox("Path length")
        f = QtWidgets.QFormLayout(ppl_box)
        self.pairs_spin = _spin(50, 20000, 2000, "Random prior pairs")
        self.distance_combo = QtWidgets.QComboBox()
        self.distance_combo.addItems(["pixel", "feature"])
        self.ppl_button = QtWidgets.QPushButton("Compute")
        self.ppl_button.clicked.connect(self.update_ppl)
        f.addRow("Pairs", self.pairs_spin)
        f.addRow("Distance", self.distance_combo)
        f.addRow(self.ppl_button)
        column.addWidget(ppl_box)
        column.addStretch(1)

        scroll = sidebar(side)

        # tab 1: map + strips
        self.map_view = MapView()
        self.map_view.item_clicked.connect(self._item_clicked)
        self.map_view.item_hovered.connect(self._item_hovered)
        self.map_view.range_changed.connect(lambda: self._grid_timer.start())
        self.strips = StripView()
        self.points_view = PointsView("decoded paths in data space")
        self.strip_stack = QtWidgets.QStackedWidget()
        self.strip_stack.addWidget(self.strips)
        self.strip_stack.addWidget(self.points_view)
        self.path_norms = NormPlot("‖z‖ along this path")
        right = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        right.addWidget(self.strip_stack)
        right.addWidget(self.path_norms)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        map_tab = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        map_tab.addWidget(self.map_view)
        map_tab.addWidget(right)
        map_tab.setStretchFactor(0, 5)
        map_tab.setStretchFactor(1, 4)

        # tab 2: the high-dimensional picture
        self.prior_norms = NormPlot("‖z‖ between two prior samples")
        self.angles = AnglePlot()
        self.ppl_plot = PathLengthPlot()
        top = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        top.addWidget(self.prior_norms)
        top.addWidget(self.angles)
        high = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        high.addWidget(top)
        high.addWidget(self.ppl_plot)

        self.training = TrainingView()
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(map_tab, "Latent map")
        self.tabs.addTab(high, "High dimensions")
        self.tabs.addTab(self.training, "Training")
        self.tabs.setTabToolTip(0, "Where the data sits in latent space, and the decoded lerp/slerp paths between two items")
        self.tabs.setTabToolTip(1, "Why slerp: norms against the prior shell, angles between random vectors, path lengths")
        self.tabs.setTabToolTip(2, "Loss terms and samples while a model trains")

        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 1)
        split.setCollapsible(1, False)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._kind_changed()

    # ------------------------------------------------------------------ loading
    def start(self) -> None:
        """First launch: the bundled digits VAE, its map, a lerp/slerp pair, the statistics."""
        self.load(self._sources[0])

    def load(self, source, data=None) -> None:
        """Load a checkpoint path (or a training run's (config, state, info)) and draw everything."""
        handle = self._load_job.start("Latent model", load_job, source, data,
                                         self.steps_slider.value())
        handle.succeeded.connect(self._loaded)
        handle.failed.connect(lambda err: self.model_info.setText(f"<span style='color:#ff8080'>{err.message}</span>"))

    def _loaded(self, result) -> None:
        ov, paths = result
        self.overview = ov
        self.tsne = None
        self.ppl = None
        self.paths = None
        self.map_view.set_paths({}, None)
        self.map_view.set_manifold(None, None)
        ck = ov.checkpoint
        enc = ov.encoded
        n = len(enc.z)
        for s in (self.from_spin, self.to_spin, *self.analogy_spins):
            s.blockSignals(True)
            s.setRange(0, n - 1)
        r = paths.request
        self.from_spin.setValue(r.start)
        self.to_spin.setValue(r.end)
        for s, v in zip(self.analogy_spins, r.analogy):
            s.setValue(v)
        for s in (self.from_spin, self.to_spin, *self.analogy_spins):
            s.blockSignals(False)
        for s in self.analogy_spins:
            s.setEnabled(ck.config.is_image)
        labels = sorted({int(v) for v in enc.labels if v >= 0})
        for combo, pick in ((self.from_label, 0), (self.to_label, 1)):
            combo.clear()
            for v in labels:
                combo.addItem(str(v), v)
            combo.setCurrentIndex(min(pick, combo.count() - 1))
        self.label_button.setEnabled(bool(labels))
        self.color_combo.model().item(1).setEnabled(enc.clusters is not None)
        if enc.clusters is None:
            self.color_combo.setCurrentIndex(0)
        if self.projection_combo.currentIndex() != 0:
            self.projection_combo.blockSignals(True)
            self.projection_combo.setCurrentIndex(0)
            self.projection_combo.blockSignals(False)
        self.manifold_check.setEnabled(ck.model.latent_size == 2 and ck.config.is_image)
        self.cluster_button.setEnabled(True)
        self._show_info()
        self._draw_map()
        self._draw_paths(paths)
        self.angles.set_fit(ov.angles, ov.data_angles)
        self._draw_training_from_info()
        self.strip_stack.setCurrentWidget(self.strips if ck.config.is_image else self.points_view)
        if not ck.config.is_image:
            self.points_view.set_data(enc.x)
        self.update_ppl()
        self._grid_timer.start()
        if not self._first_done:
            self._first_done = True
            self.first_job_done.emit()

    def _show_info(self) -> None:
        ck = self.overview.checkpoint
        m = ck.metrics
        lines = [f"<b>{ck.config.title}</b>", f"data: {self.overview.encoded.data.name}, "
                 f"{len(self.overview.encoded.z)} items"]
        if "test_bits_per_dim" in m:
            lines.append(f"held-out {m['test_bits_per_dim']:.3f} bits/dim")
        elif "test_total" in m:
            lines.append(f"held-out −ELBO {m['test_total']:.2f} nats")
        if "test_recon_mse" in m and "mean_image_mse" in m and ck.config.kind != "nice":
            lines.append(f"recon. MSE {m['test_recon_mse']:.4f} (mean image {m['mean_image_mse']:.4f})")
        if "test_purity" in m:
            lines.append(f"cluster purity {m['test_purity']:.3f}")
        run = ck.info.get("run") or {}
        if run.get("epochs"):
            lines.append(f"{run['epochs']} epochs, {run.get('steps', 0)} steps, {run.get('seconds', 0):.1f} s")
        if ck.info.get("inferred"):
            lines.append("architecture inferred from the tensors (no config)")
        lines.append(f"sha256 {ck.sha256[:12]}…")
        self.model_info.setText("<br>".join(lines))

    def _draw_map(self) -> None:
        if self.overview is None:
            return
        enc = self.overview.encoded
        by_cluster = self.color_combo.currentIndex() == 1 and enc.clusters is not None
        groups = enc.clusters if by_cluster else enc.labels
        m = self.tsne if (self.tsne is not None and self.projection_combo.currentIndex() == 1) else enc.map
        if m.method == "latent":
            axes = ("z₁", "z₂")
        elif m.method == "pca":
            axes = (f"PC 1 ({100 * m.explained[0]:.0f}% of variance)", f"PC 2 ({100 * m.explained[1]:.0f}%)")
        else:
            axes = ("t-SNE 1", "t-SNE 2")
        self.map_view.set_points(m.xy, groups, "cluster" if by_cluster else "label", axes)
        title = f"{len(enc.z)} items encoded by the {self.overview.checkpoint.config.title}"
        self.map_view.getPlotItem().setTitle(title, size="10pt")
        if self.paths is not None:
            self._draw_map_paths()

    def _draw_map_paths(self) -> None:
        from engines.latent.maps import project

        enc = self.overview.encoded
        interp = self.paths.interpolation
        tsne = self.tsne is not None and self.projection_combo.currentIndex() == 1
        m = enc.map
        if tsne:
            paths = {}
            r = self.paths.request
            ends = None if r.prior_seed is not None else self.tsne.xy[[r.start, r.end]]
        else:
            paths = {k: project(m, c) for k, c in interp.codes.items()}
            ends = np.stack([paths["lerp"][0], paths["lerp"][-1]])
        self.map_view.set_paths(paths, ends)

    # ------------------------------------------------------------------ paths
    def _request(self) -> PathRequest:
        prior = self._prior_seed if self._use_prior else None
        return PathRequest(self.from_spin.value(), self.to_spin.value(), prior, self.steps_slider.value(),
                           tuple(s.value() for s in self.analogy_spins))

    _use_prior = False

    def update_path(self) -> None:
        if self.overview is None:
            return
        ov = self.overview
        handle = self._path_job.start("Interpolation", path_job, ov.checkpoint.model,
                                         ov.encoded, self._request())
        handle.succeeded.connect(self._draw_paths)

    def _draw_paths(self, result: PathResult) -> None:
        self.paths = result
        interp = result.interpolation
        n = self.overview.checkpoint.model.latent_size
        a, b = interp.endpoints
        if self.overview.checkpoint.config.is_image:
            self.strips.set_row("lerp", interp.decoded["lerp"], f"<span style='color:#ff7f0e'>lerp</span>: {a} → {b}")
            self.strips.set_row("slerp", interp.decoded["slerp"], f"<span style='color:#1fd0ff'>slerp</span>: {a} → {b}")
            if result.analogy is not None:
                na, nb, nc = (name.replace("item ", "#") for name in result.analogy.names)
                self.strips.set_row("analogy", result.analogy.decoded, f"analogy a − b + c: {na} − {nb} + {nc} =", pad=2)
        else:
            self.points_view.set_paths(interp.decoded)
        self.path_norms.set_norms(interp.t, interp.norms, n)
        self.prior_norms.set_norms(result.prior.t, result.prior.norms, n)
        self.prior_norms.set_title(f"two prior samples, n = {n}, √(n/2) = {np.sqrt(n / 2):.2f}")
        self._draw_map_paths()

    def _items_changed(self, *_):
        self._use_prior = False
        self._path_timer.start()

    def _steps_changed(self, value: int) -> None:
        self.steps_label.setText(str(value))
        self._path_timer.start()

    def _pick_by_label(self) -> None:
        """A random test item for each chosen label (a new draw each press)."""
        enc = self.overview.encoded if self.overview is not None else None
        if enc is None or self.from_label.count() == 0:
            return
        rng = np.random.default_rng(self._label_pick)
        self._label_pick += 1
        picks = []
        for combo in (self.from_label, self.to_label):
            label = combo.currentData()
            items = np.flatnonzero(enc.labels == label)
            test = items[items >= enc.n_train]
            picks.append(int(rng.choice(test if len(test) else items)))
        for spin, v in zip((self.from_spin, self.to_spin), picks):
            spin.blockSignals(True)
            spin.setValue(v)
            spin.blockSignals(False)
        self._items_changed()

    def _prior_pair(self) -> None:
        self._use_prior = True
        self._prior_seed += 1
        self._path_timer.start()

    def _item_clicked(self, index: int) -> None:
        spin = self.to_spin if self._picking_end else self.from_spin
        self._picking_end = not self._picking_end
        spin.setValue(index)
        self._use_prior = False
        self._path_timer.start()

    def _item_hovered(self, index: int) -> None:
        if self.overview is None or index < 0:
            self.map_view.show_item(None, "")
            return
        enc = self.overview.encoded
        label = int(enc.labels[index])
        text = f"item {index}" + (f", label {label}" if label >= 0 else "")
        if enc.clusters is not None:
            text += f", cluster {int(enc.clusters[index])}"
        if enc.images.ndim == 4:
            self.map_view.show_item(enc.images[index], text)
        else:
            self.map_view.getPlotItem().setTitle(text + f": ({enc.images[index][0]:.2f}, {enc.images[index][1]:.2f})",
                                                 size="9pt")

    def cluster_encodings(self) -> bool:
        """Hand the codes to the clustering panel (labels when every item has one, images for its sample
        grid); False when there is nothing to send or it could not take them."""
        from workbench.panels.segment import INFO as CLUSTERING

        if self.overview is None:
            return False
        ck, enc = self.overview.checkpoint, self.overview.encoded
        payload = {"name": f"codes of {ck.name}", "x": enc.z,
                   "labels": enc.labels if (enc.labels >= 0).all() else None,
                   "images": enc.images if ck.config.is_image else None}
        return self.context.send_to(CLUSTERING.name, "vectors", payload)

    # ------------------------------------------------------------------ manifold, t-SNE, path length
    def update_manifold(self) -> None:
        ov = self.overview
        show = (ov is not None and self.manifold_check.isChecked() and self.manifold_check.isEnabled()
                and self.projection_combo.currentIndex() == 0)
        if not show:
            self.map_view.set_manifold(None, None)
            return
        r = self.map_view.visible_rect()
        handle = self._grid_job.start("Decoded grid", manifold_job, ov.checkpoint.model,
                                         (r.left(), r.right()), (r.top(), r.bottom()), 20)
        handle.succeeded.connect(self._draw_manifold)

    def _draw_manifold(self, result) -> None:
        grid, (x0, x1), (y0, y1) = result
        if not (self.manifold_check.isChecked() and self.manifold_check.isEnabled()):
            return
        n = 20
        dx, dy = (x1 - x0) / (n - 1), (y1 - y0) / (n - 1)
        # an ordinary picture (top row = y1); the plot draws array row 0 at the lowest y, so flip it
        self.map_view.set_manifold(grid[::-1], QtCore.QRectF(x0 - dx / 2, y0 - dy / 2, n * dx, n * dy))

    def _projection_changed(self, index: int) -> None:
        if index == 1 and self.tsne is None and self.overview is not None:
            from engines.latent.maps import tsne_job

            ov = self.overview
            handle = self._tsne_job.start("t-SNE of the codes", tsne_job,
                                             ov.encoded.z, process=True)
            handle.succeeded.connect(self._tsne_done)
            return
        self._draw_map()
        self._grid_timer.start()

    def _tsne_done(self, m) -> None:
        self.tsne = m
        self._draw_map()
        self.update_manifold()

    def update_ppl(self) -> None:
        if self.overview is None:
            return
        ov = self.overview
        handle = self._ppl_job.start("Perceptual path length", ppl_job,
                                         ov.checkpoint.model, self.pairs_spin.value(), self.distance_combo.currentText())
        handle.succeeded.connect(self._ppl_done)

    def _ppl_done(self, results: dict) -> None:
        from engines.latent.pathlength import binned

        self.ppl = results
        self.ppl_plot.set_results(results, binned)

    # ------------------------------------------------------------------ training
    def _kind_changed(self, *_):
        kind = self.kind_combo.currentData()
        from_defaults = {"vae": 100, "cluster-vae": 100, "conv-vae": 60, "nice": 60}
        self.epochs_spin.setValue(from_defaults[kind])
        self.latent_spin.setEnabled(kind != "nice")

    def _train_clicked(self) -> None:
        if self._train_job.running:
            self._train_job.cancel()
            return
        from engines.latent.config import DEFAULTS, ModelConfig, TrainConfig
        from engines.latent.data import DataSpec

        kind = self.kind_combo.currentData()
        d = DEFAULTS[kind]
        config = ModelConfig(kind, latent=self.latent_spin.value(), hidden=d["hidden"], layers=d.get("layers", 4))
        train = TrainConfig(epochs=self.epochs_spin.value(), lr=d["lr"])
        choice = self.data_combo.currentData()
        if choice is None:
            data = DataSpec("digits")
        elif isinstance(choice, str):
            data = DataSpec(choice)
        else:
            data = choice
        self.snapshot = None
        handle = self._train_job.start(f"Training {config.title}", _train_entry(),
                                         config, train, data, device=self.context.device(), process=True)
        handle.partial.connect(self._train_partial)
        handle.succeeded.connect(self._train_done)
        handle.cancelled.connect(self._train_stopped)
        handle.failed.connect(lambda *_: self.train_button.setText("Train"))
        self.train_button.setText("Stop (keeps the weights)")
        self.tabs.setCurrentWidget(self.training)

    def _train_partial(self, snap) -> None:
        self.snapshot = snap
        self._draw_snapshot(snap)

    def _draw_snapshot(self, snap) -> None:
        cfg = snap.config
        label = "bits/dim" if cfg.kind == "nice" else "−ELBO"
        last = (snap.history.bpd if cfg.kind == "nice" else snap.history.total) or [float("nan")]
        title = (f"{cfg.title} on {snap.data.describe()}: epoch {snap.epoch}/{snap.train.epochs}, "
                 f"{label} {last[-1]:.3f}, {snap.seconds:.1f} s")
        self.training.set_history(snap.history, cfg.kind == "nice", title)
        data = None
        if not cfg.is_image and self.overview is not None and not self.overview.checkpoint.config.is_image:
            data = self.overview.encoded.x
        self.training.set_samples(snap.samples, f"samples at epoch {snap.epoch}", data)

    def _train_done(self, snap) -> None:
        self.snapshot = snap
        self._draw_snapshot(snap)
        self._adopt(snap, "")

    def _train_stopped(self) -> None:
        snap = self.snapshot
        self.train_button.setText("Train")
        if snap is None:
            self.context.show_message("Training stopped before its first epoch; nothing to keep")
            return
        self._adopt(snap, f" (stopped at epoch {snap.epoch})")
        self.context.show_message(f"Training stopped at epoch {snap.epoch}; kept its weights")

    def _adopt(self, snap, suffix: str) -> None:
        from engines.latent.training import summary

        self.train_button.setText("Train")
        info = {"name": f"trained-{snap.config.kind}", "train": snap.train.as_dict(), "dataset": snap.data.as_dict(),
                "run": summary(snap)}
        source = (snap.config, snap.state, info)
        self._sources.append(source)
        self.model_combo.addItem(f"Trained: {snap.config.title} on {snap.data.describe()}{suffix}")
        self.model_combo.setCurrentIndex(self.model_combo.count() - 1)
        self.load(source, snap.data)

    def _draw_training_from_info(self) -> None:
        """A loaded checkpoint's curves from its JSON (bundled checkpoints keep their history)."""
        ov = self.overview
        hist = ov.checkpoint.info.get("history")
        from engines.latent.config import History

        if isinstance(hist, dict) and hist.get("epoch"):
            h = History(epoch=list(hist["epoch"]))
            for k in ("total", "recon", "kl", "bpd", "test_total"):
                setattr(h, k, [float("nan") if v is None else float(v) for v in hist.get(k) or []] or [float("nan")] * len(h.epoch))
            self.training.set_history(h, ov.checkpoint.config.kind == "nice",
                                      f"{ov.checkpoint.config.title}: training curves from its checkpoint")
        data = ov.encoded.x if not ov.checkpoint.config.is_image else None
        self.training.set_samples(ov.samples, f"samples of {ov.checkpoint.name}", data)

    # ------------------------------------------------------------------ files
    def _model_chosen(self, index: int) -> None:
        self.load(self._sources[index], self._data_spec)

    def _open_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open checkpoint", "", "Checkpoints (*.safetensors *.pt *.pth *.json);;All files (*)")
        if path:
            self.open_path("checkpoint", Path(path))

    def _save_dialog(self) -> None:
        if self.overview is None:
            return
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save checkpoint", f"{self.overview.checkpoint.name}.safetensors",
                                                        "safetensors (*.safetensors)")
        if path:
            self.save(Path(path))

    def save(self, path: Path):
        """Save the current model (a job); returns its handle."""
        ck = self.overview.checkpoint
        extra = {k: v for k, v in ck.info.items() if k in ("train", "dataset", "run", "history")}
        handle = self._save_job.start("Saving checkpoint", save_job, path, ck, extra)
        handle.succeeded.connect(lambda body: self.context.show_message(f"Saved {path.name} (sha256 {body['sha256'][:12]}…)"))
        return handle

    def open_path(self, kind: str, path: Path) -> None:
        from engines.errors import InputError

        if not path.exists():
            raise InputError(f"{path} does not exist (moved or deleted?)")
        if kind == "checkpoint":
            if path.is_dir():
                raise InputError(f"{path.name} is a folder; open the .safetensors file inside it")
            self._sources.append(path)
            self.model_combo.addItem(path.name)
            self.model_combo.setCurrentIndex(self.model_combo.count() - 1)
            self.load(path, None)
            return
        if kind == "dataset":
            from engines.latent.data import DataSpec

            cfg = self.overview.checkpoint.config if self.overview is not None else None
            size = tuple(cfg.data_shape[1:]) if cfg is not None and cfg.is_image else None
            channels = cfg.data_shape[0] if cfg is not None and cfg.is_image else None
            spec = DataSpec(path.name, path=str(path), size=size, channels=channels)
            self._data_spec = spec
            self.data_combo.addItem(f"{path.name} (loaded)", spec)
            self.data_combo.setCurrentIndex(self.data_combo.count() - 1)
            if self.overview is not None:
                self.load(self._sources[self.model_combo.currentIndex()], spec)
            return
        raise InputError(f"the latent panel does not open {kind} files")

    # ------------------------------------------------------------------ export
    def figures(self) -> list[Figure]:
        return [
            Figure("Latent map", self.map_view, self._map_data),
            Figure("Interpolation strips (lerp, slerp, analogy)", self.strips, self._path_data),
            Figure("Norm along the path", self.path_norms, self._path_data),
            Figure("Norm between two prior samples", self.prior_norms, self._prior_data),
            Figure("Angles between random latent pairs", self.angles, self._angle_data),
            Figure("Perceptual path length", self.ppl_plot, self._ppl_data),
            Figure("Training curves", self.training.curves_plot, self._history_data),
        ]

    def _map_data(self) -> dict[str, np.ndarray]:
        if self.overview is None:
            return {}
        enc = self.overview.encoded
        m = self.tsne if (self.tsne is not None and self.projection_combo.currentIndex() == 1) else enc.map
        out = {"x": m.xy[:, 0], "y": m.xy[:, 1], "label": enc.labels}
        if enc.clusters is not None:
            out["cluster"] = enc.clusters
        return out

    def _path_data(self) -> dict[str, np.ndarray]:
        if self.paths is None:
            return {}
        i = self.paths.interpolation
        return {"t": i.t, "latents_lerp": i.codes["lerp"], "latents_slerp": i.codes["slerp"],
                "decoded_lerp": i.decoded["lerp"], "decoded_slerp": i.decoded["slerp"],
                "norm_lerp": i.norms["lerp"], "norm_slerp": i.norms["slerp"]}

    def _prior_data(self) -> dict[str, np.ndarray]:
        if self.paths is None:
            return {}
        i = self.paths.prior
        return {"t": i.t, "norm_lerp": i.norms["lerp"], "norm_slerp": i.norms["slerp"]}

    def _angle_data(self) -> dict[str, np.ndarray]:
        if self.overview is None:
            return {}
        return {"angle_radians": self.overview.angles.angles}

    def _ppl_data(self) -> dict[str, np.ndarray]:
        if self.ppl is None:
            return {}
        out = {}
        for m, r in self.ppl.items():
            out[f"t_{m}"] = r["raw"].t
            out[f"ppl_{m}"] = r["raw"].values
            out[f"ppl_per_unit_latent_{m}"] = r["unit"].values
        return out

    def _history_data(self) -> dict[str, np.ndarray]:
        snap = self.snapshot
        if snap is None:
            return {}
        return {k: np.asarray(v, float) for k, v in snap.history.as_arrays().items()}

    def animations(self) -> list[Animation]:
        return [Animation("Interpolation, lerp above slerp", self._frames, self._frame_count, fps=6.0)]

    def _frame_count(self) -> int:
        if self.paths is None or not self.overview.checkpoint.config.is_image:
            return 0
        return len(self.paths.interpolation.t)

    def _frames(self) -> Iterator[np.ndarray]:
        i = self.paths.interpolation
        for k in range(len(i.t)):
            pair = np.concatenate([i.decoded["lerp"][k], np.ones_like(i.decoded["lerp"][k][:1]),
                                   i.decoded["slerp"][k]], axis=0)
            frame = np.repeat(np.repeat(pair, GIF_SCALE, axis=0), GIF_SCALE, axis=1)
            if frame.shape[-1] == 1:
                frame = np.repeat(frame, 3, axis=-1)
            yield (np.clip(frame, 0, 1) * 255).round().astype(np.uint8)

    def parameters(self) -> dict[str, Any]:
        out: dict[str, Any] = {"panel": INFO.name, "device": self.context.device(), "seed": 0}
        if self.overview is not None:
            ck = self.overview.checkpoint
            out.update({"checkpoint": str(ck.path) if ck.path else ck.name, "checkpoint_sha256": ck.sha256,
                        "model": ck.config.as_dict(), "dataset": self.overview.encoded.data.name})
        if self.paths is not None:
            r = self.paths.request
            out.update({"from": r.start, "to": r.end, "prior_seed": r.prior_seed, "steps": r.steps,
                        "analogy": list(r.analogy)})
        out.update({"map": self.projection_combo.currentText(), "colour": self.color_combo.currentText(),
                    "ppl_pairs": self.pairs_spin.value(), "ppl_distance": self.distance_combo.currentText(),
                    "tab": self.tabs.tabText(self.tabs.currentIndex())})
        return out


def _train_entry():
    from engines.latent.training import train_job

    return train_job
