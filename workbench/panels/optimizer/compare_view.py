"""Comparison mode: every optimizer of the panel's list trained on the same network from the same initial
weights and data order, their paths on one shared plane (PCA of all runs' weights, the start and two end
points, or filter-normalised random directions; Li et al. 2018), the network without and/or with BatchNorm
side by side on a common colour scale, and over training the three measures of Santurkar et al. 2018 (loss
variation along the gradient, gradient predictiveness, effective β-smoothness), curvature and interpolation
when computed. The work is :func:`tasks.landscape_compare.compare_job`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6 import QtCore, QtWidgets

from engines.landscape import catalogue as cat
from workbench.panel import Figure
from workbench.panels.optimizer.compare_plots import CurveRow, LandscapePair, RunPath, Series
from workbench.panels.optimizer.style import PALETTE
from workbench.widgets.option_form import OptionForm

if TYPE_CHECKING:
    from workbench.panels.optimizer.panel import OptimizerPanel

AXES = {"pca": ("PC 1 of all runs' weights", "PC 2 of all runs' weights"),
        "endpoints": ("along start → end of run 1", "along start → end of run 2"),
        "random": ("α (filter-normalised direction 1)", "β (filter-normalised direction 2)")}
STAGES = {"training": "training the runs", "landscape": "evaluating the landscape",
          "curves": "interpolation and curvature"}
STEP = "step (minibatch updates)"


class CompareView(QtWidgets.QWidget):
    in_process = True  # the comparison trains several networks: off the GUI process

    def __init__(self, panel: "OptimizerPanel") -> None:
        super().__init__()
        self.panel = panel
        self._job = panel.job_slot("compare")
        self.snapshot: Any = None  # tasks.landscape_compare.CompareSnapshot
        self.form = OptionForm([cat.PLANE, cat.BN, cat.STEPS, cat.GRID, cat.CURVATURE_EVERY, cat.SEED])
        self.checkpoint = QtWidgets.QLineEdit()
        self.checkpoint.setPlaceholderText("built-in digits MLP")
        self.checkpoint.setToolTip("A model checkpoint to train from instead of the built-in digits MLP")
        self.compare = QtWidgets.QPushButton("Compare optimizers")
        self.compare.setToolTip("Train every optimizer of the list below and draw them on one landscape")
        self.controls = QtWidgets.QGroupBox("Comparison on one plane")
        form = QtWidgets.QFormLayout(self.controls)
        form.addRow(self.form)
        form.addRow("Network", self.checkpoint)
        form.addRow(self.compare)

        self.landscapes = LandscapePair()
        self.training = CurveRow([(STEP, "minibatch loss")])
        self.smoothness = CurveRow(
            [(STEP, "max − min of L(θ − s·g)"), (STEP, "‖∇L(θ) − ∇L(θ − s·g)‖"), (STEP, "β_eff")],
            ["loss variation along the gradient", "gradient predictiveness", "effective β-smoothness"])
        self.curvature = CurveRow([(STEP, "top Hessian eigenvalue")])
        line = "t  (θ(t) = (1−t)·θ_a + t·θ_b)"
        self.interpolation = CurveRow([(line, "loss (cross-entropy)"), (line, "accuracy (%)")],
                                      ["loss — solid: training split, dashed: held-out", "held-out accuracy"],
                                      log=(True, False))
        self.tabs = QtWidgets.QTabWidget()
        for widget, title, tip in (
                (self.training, "Training loss", "Each run's minibatch loss (dashed: with BatchNorm)"),
                (self.smoothness, "Smoothness", "Santurkar et al. 2018's three measures at the measured steps; "
                                                "smaller is smoother (dashed: with BatchNorm)"),
                (self.curvature, "Curvature", "Top Hessian eigenvalue at snapshots beside each run's 2/lr"),
                (self.interpolation, "Interpolation", "Loss along the line between two runs' end points "
                                                      "(Goodfellow et al. 2015); solid: training, dashed: held-out")):
            self.tabs.setTabToolTip(self.tabs.addTab(widget, title), tip)
        self.status = QtWidgets.QLabel("Add optimizers to the list (or pick a preset), choose the plane and "
                                       "BatchNorm, then press Compare optimizers.")
        self.status.setWordWrap(True)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        split.addWidget(self.landscapes)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        self._enable_tabs()
        self.compare.clicked.connect(lambda: self.run())

    # ------------------------------------------------------------------ job
    def run(self) -> None:
        """Train every configuration of the panel's list and draw the comparison as it streams in."""
        from tasks.landscape_compare import CompareRequest, compare_job  # written by the compare workflow

        specs = tuple(self.panel.configs.specs())
        if not specs:
            self.status.setText("The optimizer list is empty: add at least one optimizer to compare.")
            return
        values = self.form.values()
        request = CompareRequest(specs, bn=values["bn"], plane=values["plane"], steps=values["steps"],
                                 n=values["grid"], seed=values["seed"], curvature_every=values["curvature_every"],
                                 checkpoint=self.checkpoint.text().strip() or None, device=self.panel.context.device())
        self.snapshot = None
        self.landscapes.clear_all()
        for row in (self.training, self.smoothness, self.curvature, self.interpolation):
            row.draw([])
        self._enable_tabs()
        self.status.setText(f"Comparing {len(specs)} optimizer(s)…")
        handle = self._job.start("Optimizer comparison", compare_job, request, process=self.in_process)
        handle.partial.connect(self._draw)
        handle.succeeded.connect(self._draw)
        handle.failed.connect(lambda error: self.status.setText(f"Could not compare: {error.message}"))

    # ------------------------------------------------------------------ drawing
    def colour(self, run: Any) -> str:
        """A run's colour: its optimizer's place in the request (the same with and without BatchNorm)."""
        specs = list(self.snapshot.request.specs)
        return PALETTE[(specs.index(run.spec) if run.spec in specs else 0) % len(PALETTE)]

    def _draw(self, snap: Any) -> None:
        self.snapshot = snap
        scapes = list(snap.landscapes)
        self.landscapes.draw(
            scapes,
            [[RunPath(r.spec, self.colour(r), r.path, r.off_plane) for r in snap.runs if r.bn == s.bn]  # titled BN or not
             for s in scapes],
            [self._title(s) for s in scapes], [AXES.get(s.plane, AXES["random"]) for s in scapes])
        self.training.draw([Series(0, np.arange(len(r.losses)), r.losses, self.colour(r), r.label, r.bn)
                            for r in snap.runs])
        measured = [r for r in snap.runs if r.smoothness is not None]
        self.smoothness.draw([Series(i, r.smoothness.steps, values, self.colour(r), r.label, r.bn)
                              for r in measured
                              for i, values in enumerate((r.smoothness.loss_range, r.smoothness.gradient_change,
                                                          r.smoothness.beta_smoothness))])
        self._draw_curvature(snap)
        lines = list(snap.interpolation)
        colours = [PALETTE[(i + 4) % len(PALETTE)] for i in range(len(lines))]
        self.interpolation.draw(
            [Series(0, ln.t, ln.train_loss, c, f"{ln.run_a} → {ln.run_b}") for ln, c in zip(lines, colours)]
            + [Series(0, ln.t, ln.test_loss, c, None, dashed=True) for ln, c in zip(lines, colours)]
            + [Series(1, ln.t, 100 * np.asarray(ln.test_accuracy), c, f"{ln.run_a} → {ln.run_b}",
                      dashed=True)
               for ln, c in zip(lines, colours)])
        self._enable_tabs()
        self.status.setText(self._describe(snap))

    def _draw_curvature(self, snap: Any) -> None:
        runs = [r for r in snap.runs if r.curvature is not None]
        self.curvature.draw([Series(0, r.curvature[0], r.curvature[1], self.colour(r), r.label, r.bn, "o")
                             for r in runs])
        for lr, colour in dict.fromkeys((r.lr, self.colour(r)) for r in runs if r.lr > 0):  # once per optimizer
            self.curvature.add_level(0, 2.0 / lr, colour, f"2/lr = {2.0 / lr:.4g}")

    def _title(self, scape: Any) -> str:
        title = "with BatchNorm" if scape.bn else "without BatchNorm"
        if scape.explained is not None and len(scape.explained) >= 2:
            title += f" — PCs explain {100 * scape.explained[0]:.0f}% + {100 * scape.explained[1]:.0f}%"
        return title

    def _enable_tabs(self) -> None:
        """A tab is enabled when its figure has something to show (curvature and interpolation only if computed)."""
        runs = self.snapshot.runs if self.snapshot is not None else []
        has = (bool(runs), any(r.smoothness is not None for r in runs), any(r.curvature is not None for r in runs),
               self.snapshot is not None and bool(self.snapshot.interpolation))
        for i, on in reversed(list(enumerate(has))):  # all off: the first stays in view, not the last
            self.tabs.setTabEnabled(i, on)

    def _describe(self, snap: Any) -> str:
        if snap.stage in STAGES:
            return f"{len(snap.runs)} run(s): {STAGES[snap.stage]}…"
        plane = dict(zip(cat.PLANE.choices, cat.PLANE.choice_labels))[snap.request.plane]
        parts = [f"{len(snap.runs)} run(s) on one plane ({plane})"]
        for bn in (False, True):
            last = [r.losses[-1] for r in snap.runs if r.bn == bn and len(r.losses)]
            if last:
                parts.append(f"{'with' if bn else 'without'} BatchNorm final minibatch loss "
                             f"{min(last):.3g}–{max(last):.3g}")
        beta = {bn: [np.nanmean(r.smoothness.beta_smoothness) for r in snap.runs
                     if r.bn == bn and r.smoothness is not None] for bn in (False, True)}
        if beta[False] and beta[True]:
            parts.append(f"mean effective β-smoothness {np.mean(beta[True]):.3g} with BatchNorm vs "
                         f"{np.mean(beta[False]):.3g} without")
        parts.append("stars: final weights; colour scale common to the landscapes")
        return "; ".join(parts)

    # ------------------------------------------------------------------ export
    def figures(self) -> list[Figure]:
        if self.snapshot is None:
            return []
        figures = [Figure("Optimizers on one landscape", self.landscapes, self._landscape_data),
                   Figure("Compared training loss", self.training, self._training_data)]
        runs = self.snapshot.runs
        if any(r.smoothness is not None for r in runs):
            figures.append(Figure("Smoothness over training (Santurkar et al.)", self.smoothness, self._smoothness_data))
        if any(r.curvature is not None for r in runs):
            figures.append(Figure("Compared curvature", self.curvature, self._curvature_data))
        if self.snapshot.interpolation:
            figures.append(Figure("Interpolation between end points", self.interpolation, self._interpolation_data))
        return figures

    def _landscape_data(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for s in self.snapshot.landscapes:
            key = "bn" if s.bn else "no_bn"
            out.update({f"{key}_a": s.a, f"{key}_b": s.b, f"{key}_loss": s.loss})
        for i, r in enumerate(self.snapshot.runs):
            if r.path is not None:
                out[f"run{i}_path"] = r.path
            if r.off_plane is not None:
                out[f"run{i}_off_plane"] = r.off_plane
        return out

    def _training_data(self) -> dict[str, np.ndarray]:
        return {f"run{i}_minibatch_loss": np.asarray(r.losses) for i, r in enumerate(self.snapshot.runs)}

    def _smoothness_data(self) -> dict[str, np.ndarray]:
        out = {}
        for i, r in enumerate(self.snapshot.runs):
            if r.smoothness is not None:
                for name in ("steps", "loss_range", "gradient_change", "beta_smoothness"):
                    out[f"run{i}_{name}"] = np.asarray(getattr(r.smoothness, name))
        return out

    def _curvature_data(self) -> dict[str, np.ndarray]:
        out = {}
        for i, r in enumerate(self.snapshot.runs):
            if r.curvature is not None:
                out[f"run{i}_step"], out[f"run{i}_top_eigenvalue"] = (np.asarray(v) for v in r.curvature)
        return out

    def _interpolation_data(self) -> dict[str, np.ndarray]:
        out = {}
        for i, ln in enumerate(self.snapshot.interpolation):
            for name in ("t", "train_loss", "test_loss", "test_accuracy"):
                out[f"line{i}_{name}"] = np.asarray(getattr(ln, name))
        return out

    def parameters(self) -> dict[str, Any]:
        if self.snapshot is None:
            return {}
        request = {k: v for k, v in vars(self.snapshot.request).items() if not k.startswith("_")}
        runs = [{"run": i, "label": r.label, "spec": r.spec, "bn": r.bn} for i, r in enumerate(self.snapshot.runs)]
        return {"compare": {**request, "runs": runs}}
