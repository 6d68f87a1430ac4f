"""Real-network mode: train the built-in digits MLP (or open a run folder, a latent-panel checkpoint or a
digits_mlp state dict) and show the loss on a plane through the final weights with the run's path on it
(Li et al. 2018)."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from engines.optim.contours import log_gap
from tasks.landscape import NetworkRequest, NetworkSnapshot, network_job
from workbench.panel import Figure
from workbench.panels.optimizer.heatmap import Heatmap
from workbench.panels.optimizer.style import plain_axes

if TYPE_CHECKING:
    from workbench.panels.optimizer.panel import OptimizerPanel

PLANES = (("fixed random directions", "fixed"), ("PCA of the path", "pca"))
CHECKPOINT_SUFFIXES = (".safetensors", ".pt", ".pth", ".pt2", ".json")  # .json: a checkpoint's config beside its weights


class NetworkView(QtWidgets.QWidget):
    def __init__(self, panel: "OptimizerPanel") -> None:
        super().__init__()
        self.panel = panel
        self._job = panel.job_slot("network")
        self.snapshot: Optional[NetworkSnapshot] = None
        self._runs = tempfile.TemporaryDirectory(prefix="workbench-runs-")  # trained runs, for the 1-D views
        self._trained = 0
        self.spec = QtWidgets.QLineEdit("sgd:lr=0.1,momentum=0.9")
        self.spec.setToolTip("Optimizer SPEC for training the digits MLP, e.g. adam:lr=0.003 or "
                             "sgd:lr=0.1+lookahead:k=5,alpha=0.5")
        self.steps = QtWidgets.QSpinBox()
        self.steps.setRange(10, 100_000)
        self.steps.setValue(300)
        self.steps.setToolTip("Minibatch steps (batch 64); a snapshot of the weights every 10 steps")
        self.plane = QtWidgets.QComboBox()
        for text, key in PLANES:
            self.plane.addItem(text, key)
        self.plane.setToolTip("Fixed: two filter-normalised random directions through the final weights — one plane "
                              "for every run, so optimizers compare, but a path lies mostly off it. PCA: the run's "
                              "own plane, which holds most of its path but differs from run to run.")
        self.n = QtWidgets.QSpinBox()
        self.n.setRange(5, 121)
        self.n.setValue(31)
        self.n.setToolTip("Grid of n × n loss evaluations on the plane (each on the whole training split)")
        self.train = QtWidgets.QPushButton("Train digits MLP")
        self.train.setToolTip("Train the built-in MLP on scikit-learn's 8×8 digits and draw its landscape")
        self.controls = QtWidgets.QGroupBox("Real network")  # the panel shows it in its sidebar in this mode only
        form = QtWidgets.QFormLayout(self.controls)
        for label, w in (("Optimizer", self.spec), ("Steps", self.steps), ("Plane", self.plane), ("Grid", self.n)):
            form.addRow(label, w)
        form.addRow(self.train)
        self.plot = pg.PlotWidget()
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        self.heatmap = Heatmap(item, label="log₁₀ training loss")
        self._label_axes("fixed")
        self.path = pg.PlotDataItem(pen=pg.mkPen("#ff5a36", width=2), symbol="o", symbolSize=5,
                                    symbolBrush="#ff5a36", symbolPen=None)
        self.ends = pg.ScatterPlotItem(size=12, pen=pg.mkPen("k"))
        for it in (self.path, self.ends):
            it.setZValue(10)
            item.addItem(it)
        self.curve_plot = pg.PlotWidget()
        self.curve_plot.setFixedHeight(170)
        cp = self.curve_plot.getPlotItem()
        cp.setMenuEnabled(False)
        plain_axes(cp)
        cp.setLabel("bottom", "step")
        cp.setLabel("left", "minibatch loss")
        cp.setLogMode(y=True)
        self.curve = cp.plot(pen=pg.mkPen("#00e0ff"))
        self.status = QtWidgets.QLabel("Train the digits MLP, or open a training-run folder, a latent-panel "
                                       "checkpoint (VAE, NICE) or weights of the digits MLP (.pt) with File ▸ Open "
                                       "checkpoint (or drop it here).")
        self.status.setWordWrap(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.curve_plot)
        layout.addWidget(self.status)
        self.train.clicked.connect(lambda: self.run())

    @property
    def wants_run(self) -> bool:
        """Nothing drawn and nothing being computed."""
        return self.snapshot is None and not self._job.running

    def run(self, run_folder: Optional[str] = None, checkpoint: Optional[str] = None) -> None:
        """Train (or open ``run_folder`` / ``checkpoint``) and draw its landscape; the previous run's curve,
        plane and path leave the view at once, so nothing on screen describes another run."""
        self._trained += 1
        request = NetworkRequest(self.spec.text().strip(), self.steps.value(), self.plane.currentData(), self.n.value(),
                                 run_folder=run_folder, checkpoint=checkpoint, device=self.panel.context.device(),
                                 save_to=str(Path(self._runs.name) / f"run-{self._trained}"))
        self._clear()
        source = Path(checkpoint or run_folder).name if (checkpoint or run_folder) else None
        self.status.setText(f"Opening {source}…" if source else f"Training the digits MLP with {request.spec}…")
        # the job recognises the file's kind (reading its JSON imports every provider): not on the GUI thread
        handle = self._job.start("Network loss landscape", network_job, request,
                                 process=True)  # Python-heavy: keep the GUI thread free
        handle.partial.connect(self._draw)
        handle.succeeded.connect(self._draw)
        handle.failed.connect(lambda error: self.status.setText(f"Could not draw the landscape: {error.message}"))

    def _clear(self) -> None:
        self.snapshot = None  # no figure to export until the new run draws
        self.curve.setData([], [])
        self.heatmap.clear()
        self.path.setData([], [])
        self.ends.setData(pos=np.zeros((0, 2)))

    def open_path(self, kind: str, path: Path) -> None:
        """A training-run folder (config.json + safetensors) or a checkpoint file: its kind (latent panel,
        training run, bare digits_mlp weights) is recognised by the format its JSON declares."""
        from engines.errors import InputError

        path = Path(path)
        if path.is_file() and path.name == "config.json":
            path = path.parent
        if path.is_dir():
            if not (path / "config.json").is_file():
                raise InputError(f"{path.name} is not a training-run folder (it has no config.json)")
            self.run(run_folder=str(path))
        elif path.is_file() and path.suffix.lower() in CHECKPOINT_SUFFIXES:
            self.run(checkpoint=str(path))
        elif not path.exists():
            raise InputError(f"{path} does not exist")
        else:
            raise InputError(f"{path.name} is not a {kind} this panel can open: expected a training-run folder, "
                             f"a latent-panel checkpoint (.safetensors/.json), weights of the digits MLP (.pt) or an "
                             f"exported program (.pt2) with a landscape manifest")

    def _draw(self, snap: NetworkSnapshot) -> None:
        self.snapshot = snap
        if snap.train_losses is not None and len(snap.train_losses):
            self.curve.setData(np.arange(len(snap.train_losses)), np.maximum(snap.train_losses, 1e-12))
        if snap.loss is not None and snap.a is not None:
            a, b = snap.a, snap.b
            da, db = (a[-1] - a[0]) / (len(a) - 1), (b[-1] - b[0]) / (len(b) - 1)
            rect = (a[0] - da / 2, b[0] - db / 2, a[-1] - a[0] + da, b[-1] - b[0] + db)
            finite = snap.loss[np.isfinite(snap.loss)]
            if finite.size and finite.min() <= 0:  # e.g. a negative ELBO of a density: height above the lowest
                self.heatmap.set(log_gap(snap.loss), rect, None, f"log₁₀({snap.loss_name} − lowest)")
            else:
                self.heatmap.set(np.log10(np.maximum(snap.loss, 1e-12)), rect, None, f"log₁₀ {snap.loss_name}")
        if snap.path is not None and len(snap.path):
            self.path.setData(snap.path[:, 0], snap.path[:, 1])
            self.ends.setData(pos=snap.path[[0, -1]], brush=[pg.mkBrush("w"), pg.mkBrush("#ffd400")])
        else:
            self.path.setData([], [])
            self.ends.setData(pos=np.zeros((0, 2)))
        self._label_axes(snap.plane)
        self.status.setText(self._describe(snap))

    def _label_axes(self, plane: str) -> None:
        """Name what the plane's coordinates measure: steps along filter-normalised random directions
        (Li et al. 2018) or along the path's principal components, both from the plane's centre."""
        item = self.plot.getPlotItem()
        if plane == "pca":
            item.setLabel("bottom", "PC 1 (path's first principal direction)")
            item.setLabel("left", "PC 2 (path's second principal direction)")
        else:
            item.setLabel("bottom", "α (filter-normalised direction 1)")
            item.setLabel("left", "β (filter-normalised direction 2)")

    def _describe(self, snap: NetworkSnapshot) -> str:
        if snap.stage == "training":
            return f"Training {snap.label}: step {len(snap.train_losses)}…"
        parts = [snap.label]
        if snap.test_metric is not None and np.isfinite(snap.test_metric):
            parts.append(f"test accuracy {100 * snap.test_metric:.1f}%")
        if snap.plane == "pca" and snap.explained is not None:
            unexplained = max(0.0, 1.0 - float(np.sum(snap.explained)))
            parts.append(f"PCA plane: the two components explain {100 * snap.explained[0]:.1f}% + "
                         f"{100 * snap.explained[1]:.1f}% of the path's variance; unexplained {100 * unexplained:.1f}%")
        elif snap.off_plane_share is not None:
            parts.append(f"fixed plane: {100 * snap.off_plane_share:.1f}% of the path's squared length lies off "
                         "the plane (random directions barely see a training path — try the PCA plane)")
        parts.append("white dot: initialisation, yellow: final weights (the plane's centre)")
        if snap.stage == "landscape":
            parts.append("evaluating the landscape…")
        return "; ".join(parts)

    def figures(self) -> list[Figure]:
        if self.snapshot is None:
            return []
        return [Figure("Network loss landscape", self.plot, self._data),
                Figure("Network training loss", self.curve_plot, self._curve_data)]

    def _data(self) -> dict[str, np.ndarray]:
        s = self.snapshot
        if s is None or s.loss is None:
            return {}
        out = {"a": s.a, "b": s.b, "loss": s.loss}
        if s.path is not None:
            out["path"] = s.path
        return out

    def _curve_data(self) -> dict[str, np.ndarray]:
        s = self.snapshot
        if s is None or s.train_losses is None:
            return {}
        return {"step": np.arange(len(s.train_losses)), "minibatch_loss": np.asarray(s.train_losses)}

    def parameters(self) -> dict[str, Any]:
        if self.snapshot is None:
            return {}
        return {"network": self.snapshot.parameters()}
