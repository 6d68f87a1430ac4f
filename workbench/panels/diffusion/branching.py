"""Rewind and branch in the diffusion panel: the "Branch from here" bar under the Compare and Reverse
process views and the branches it draws, each in its own cell under the samplers (tasks.diffusion_branch)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6 import QtCore, QtWidgets

from engines.diffusion.catalogue import SAMPLERS
from tasks.diffusion_branch import BRANCH_GUIDANCE, BRANCH_NFE, ETA_SAMPLERS, BranchRequest, branch_job
from tasks.diffusion_guidance import source_classes
from workbench.jobs import JobSlot
from workbench.panel import Figure
from workbench.panels.diffusion.frame_view import FrameView
from workbench.widgets.flow_layout import FlowLayout

MAX_BRANCHES = 4  # drawn two to a row under the samplers; a fifth replaces the oldest
FIRST_COLOR = 4  # branches take the palette after the four sampler slots


class BranchBar(QtWidgets.QWidget):
    """Which run, the call (the timeline's), the sampler, NFE, η and (on a class-conditional model) the class
    and guidance scale of a branch; emits :attr:`requested`."""

    requested = QtCore.Signal()
    cleared = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        row = FlowLayout(self)  # wraps in a narrow window instead of widening the panel
        row.setContentsMargins(0, 2, 0, 2)
        self.of = QtWidgets.QComboBox()
        self.of.setToolTip("The run to branch: its state at the timeline's model call is continued")
        self.at = QtWidgets.QLabel("")
        self.at.setToolTip("The model call the branch starts at (move the timeline to choose it) and its noise level")
        self.sampler = QtWidgets.QComboBox()
        self.sampler.setToolTip("The sampler the branch continues with, on its own grid restricted to σ ≤ the call's σ")
        for entry in SAMPLERS:
            self.sampler.addItem(entry.label, entry.name)
        self.sampler.setCurrentIndex(self.sampler.findData("heun"))
        self.nfe = QtWidgets.QSpinBox()
        self.nfe.setRange(0, int(BRANCH_NFE.maximum))
        self.nfe.setSpecialValueText("calls left")
        self.nfe.setToolTip("Model calls the branch may spend from its call on (\"calls left\": as many as the run "
                            "had left)")
        self.eta_label = QtWidgets.QLabel("η")
        self.eta = QtWidgets.QDoubleSpinBox()
        self.eta.setRange(0.0, 1.0)
        self.eta.setSingleStep(0.1)
        self.eta.setToolTip("The branch sampler's η: 0 deterministic, 1 the DDPM posterior")
        self.guide_label = QtWidgets.QLabel("guided to")
        self.guide = QtWidgets.QComboBox()
        self.guide.setToolTip("On a class-conditional model: continue with classifier-free guidance towards this "
                              "class (\"unguided\": the run's model)")
        self.w_label = QtWidgets.QLabel("w")
        self.w = QtWidgets.QDoubleSpinBox()
        self.w.setRange(float(BRANCH_GUIDANCE.minimum), float(BRANCH_GUIDANCE.maximum))
        self.w.setSingleStep(0.5)
        self.w.setValue(3.0)
        self.w.setToolTip("The branch's guidance scale w in D_u + w (D_c − D_u): 0 the unconditional model, 1 the "
                          "conditional one, above 1 guided past it")
        self.button = QtWidgets.QPushButton("Branch from here")
        self.button.setToolTip("Continue the chosen run from this model call with the sampler, NFE, η and guidance "
                               "beside it; the branch is drawn under the samplers (Compare) and listed in Reverse "
                               "process")
        self.clear = QtWidgets.QPushButton("Clear branches")
        self.clear.setToolTip("Remove every branch")
        self.clear.setEnabled(False)
        for widget in (QtWidgets.QLabel("Branch"), self.of, self.at, QtWidgets.QLabel("into"), self.sampler,
                       QtWidgets.QLabel("NFE"), self.nfe, self.eta_label, self.eta, self.guide_label, self.guide,
                       self.w_label, self.w, self.button, self.clear):
            row.addWidget(widget)
        self.sampler.currentIndexChanged.connect(self._sampler_changed)
        self.guide.currentIndexChanged.connect(self._guide_changed)
        self.button.clicked.connect(self.requested)
        self.clear.clicked.connect(self.cleared)
        self._sampler_changed()
        self.set_classes([])

    def _sampler_changed(self) -> None:
        takes = self.sampler.currentData() in ETA_SAMPLERS
        self.eta_label.setVisible(takes)
        self.eta.setVisible(takes)

    def _guide_changed(self) -> None:
        guided = self.guide.currentData() is not None
        self.w_label.setVisible(guided)
        self.w.setVisible(guided)

    def set_classes(self, names: list[str]) -> None:
        """The model's classes (none: the guidance controls are hidden)."""
        self.guide.clear()
        self.guide.addItem("unguided", None)
        for k, name in enumerate(names):
            self.guide.addItem(name, k)
        self.guide_label.setVisible(bool(names))
        self.guide.setVisible(bool(names))
        self._guide_changed()

    def set_runs(self, runs: list[Any]) -> None:
        current = self.of.currentData()
        self.of.clear()
        for run in runs:
            self.of.addItem(run.label, run.name)
        index = self.of.findData(current)
        self.of.setCurrentIndex(max(index, 0))
        self.button.setEnabled(bool(runs))

    def request(self, call: int) -> BranchRequest:
        name = self.sampler.currentData()
        settings = {"eta": self.eta.value()} if name in ETA_SAMPLERS else {}
        label = self.guide.currentData()
        return BranchRequest(call, (name, settings), self.nfe.value() or None, self.of.currentData(),
                             None if label is None else self.w.value(), label)


class Branches(QtCore.QObject):
    """The branches of the shown comparison: the bar, a view per branch, the branch job. Emits
    :attr:`changed` when a branch is added or the branches are cleared."""

    changed = QtCore.Signal()

    def __init__(self, slot: JobSlot, show_message, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.slot = slot
        self.show_message = show_message
        self.bar = BranchBar()
        self.views = [FrameView(compact=True) for _ in range(MAX_BRANCHES)]
        for view in self.views:
            view.hide()
        self.runs: list[Any] = []  # engines BranchRun, oldest first
        self.outcome: Any = None
        self.index = 0
        self.bar.requested.connect(self.start)
        self.bar.cleared.connect(self.clear)

    def place(self, grid: QtWidgets.QGridLayout, first_row: int) -> None:
        """Put the views into ``grid`` from row ``first_row``, two to a row."""
        self.grid, self.first_row = grid, first_row
        for k, view in enumerate(self.views):
            grid.addWidget(view, first_row + k // 2, k % 2)

    def set_outcome(self, outcome: Any) -> None:
        """A new comparison is shown: its runs can be branched; the old branches go."""
        self.outcome = outcome
        self.bar.set_runs(outcome.result.runs if outcome is not None else [])
        self.bar.set_classes(source_classes(outcome.source) if outcome is not None else [])
        self.slot.cancel()
        self.clear()

    def follow(self, name: str) -> None:
        """Offer the run shown large (Reverse process) for branching, when it is a run, not a branch."""
        index = self.bar.of.findData(name)
        if index >= 0:
            self.bar.of.setCurrentIndex(index)

    def clear(self) -> None:
        self.runs = []
        self._draw()

    def parent_run(self) -> Any:
        if self.outcome is None:
            return None
        return next((r for r in self.outcome.result.runs if r.name == self.bar.of.currentData()), None)

    def call(self) -> int:
        """The branch call (1-based): the timeline's, within the chosen run's calls."""
        run = self.parent_run()
        return 1 if run is None else min(self.index, len(run.frames) - 1) + 1

    def show_call(self, index: int) -> None:
        self.index = index
        run = self.parent_run()
        if run is not None:
            sigma = float(run.frames.sigma[self.call() - 1])
            self.bar.at.setText(f"at call {self.call()} (σ = {'∞' if math.isinf(sigma) else f'{sigma:.3g}'})")
        for view in self.views:
            if view.run is not None:
                view.show_call(index)

    def start(self) -> None:
        if self.outcome is None:
            return
        request = self.bar.request(self.call())
        handle = self.slot.start("Branching", branch_job, self.outcome, request)
        handle.succeeded.connect(self._add)

    def _add(self, run: Any) -> None:
        if len(self.runs) == MAX_BRANCHES:
            self.show_message(f"At most {MAX_BRANCHES} branches are drawn: {self.runs[0].label} was replaced")
            self.runs.pop(0)
        self.runs.append(run)
        self._draw()

    def _draw(self) -> None:
        result = self.outcome.result if self.outcome is not None else None
        for k, view in enumerate(self.views):
            run = self.runs[k] if k < len(self.runs) else None
            view.setVisible(run is not None)
            if result is not None:
                view.set_reference(result.reference if result.kind == "points" else None)
            view.set_run(run, result.kind if result is not None else "points", FIRST_COLOR + k,
                         result.field_axis if result is not None else None)
            if run is not None:
                view.show_call(self.index)
        for row in range(0, MAX_BRANCHES, 2):  # a row of branches is as tall as a row of samplers
            self.grid.setRowStretch(self.first_row + row // 2, int(len(self.runs) > row))
        self.bar.clear.setEnabled(bool(self.runs))
        self.changed.emit()

    def parameters(self) -> list[dict[str, Any]]:
        """What reproduces each branch (the sidecar's ``branches``)."""
        return [{"of": r.parent, "at_call": r.call, "sampler": r.sampler, "settings": r.settings, "nfe": r.nfe,
                 **({} if r.guidance is None else {"guidance": r.guidance, "class": r.guide_class})} for r in self.runs]

    def figures(self) -> list[Figure]:
        return [Figure(f"Branch: {run.label}", view, lambda run=run: arrays([run]))
                for run, view in zip(self.runs, self.views)]


def arrays(runs: list[Any]) -> dict[str, np.ndarray]:
    """Each branch's samples, frames (the whole branched path) and where it starts, by its name."""
    out: dict[str, np.ndarray] = {}
    for r in runs:
        out.update({f"{r.name}_samples": r.samples, f"{r.name}_x": r.frames.x, f"{r.name}_x0": r.frames.x0,
                    f"{r.name}_sigma": r.frames.sigma, f"{r.name}_grid": np.asarray(r.grid),
                    f"{r.name}_at_call": np.array([r.call])})
    return out
