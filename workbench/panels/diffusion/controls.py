"""The sidebar: model source, samplers to compare, NFE / samples / seed, the samplers' settings, training.

Menus and setting forms come from the engine's catalogue (:mod:`engines.diffusion.catalogue`): the
settings form holds every option any sampler takes and shows those of the checked samplers; the training
form shows the chosen objective's options.
"""
from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from engines.catalogue import Entry, union_options
from engines.diffusion.catalogue import OBJECTIVES, SAMPLERS, TRAINING_SETS
from tasks.diffusion import DEFAULT_NFE, DEFAULT_SAMPLERS, DEFAULT_SAMPLES, source_choices
from workbench.panels.diffusion.style import color
from workbench.widgets.option_form import OptionForm

SLOTS = 4
TRAIN_STEPS = 2000  # the panel's default: shorter than the command's, the panel trains while you watch


class Controls(QtWidgets.QWidget):
    """Emits :attr:`changed` when a sampling setting changes, :attr:`source_changed` for the model."""

    changed = QtCore.Signal()
    source_changed = QtCore.Signal()
    open_requested = QtCore.Signal()
    train_requested = QtCore.Signal()
    save_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)

        model = QtWidgets.QGroupBox("Model")
        form = QtWidgets.QVBoxLayout(model)
        self.source = QtWidgets.QComboBox()
        self.source.setToolTip("What denoises: an exact Gaussian mixture (closed-form score, no training), "
                               "a bundled checkpoint, or one you trained or opened")
        for label, spec in source_choices():
            self.source.addItem(label, spec)
        self.open_button = QtWidgets.QPushButton("Open checkpoint or diffusers folder…")
        form.addWidget(self.source)
        form.addWidget(self.open_button)
        column.addWidget(model)

        samplers = QtWidgets.QGroupBox("Samplers (same noise, same NFE)")
        grid = QtWidgets.QGridLayout(samplers)
        self.slots: list[tuple[QtWidgets.QCheckBox, QtWidgets.QComboBox]] = []
        for i in range(SLOTS):
            check = QtWidgets.QCheckBox()
            check.setChecked(True)
            check.setStyleSheet(f"QCheckBox::indicator:checked {{ background: {color(i).name()}; }}")
            combo = QtWidgets.QComboBox()
            for sampler in SAMPLERS:
                combo.addItem(sampler.label, sampler.name)
                kind = "stochastic" if sampler.stochastic else "deterministic"
                order = f", order {sampler.order}" if sampler.order else ""
                combo.setItemData(combo.count() - 1, f"{_tooltip(sampler)}; {kind}{order}",
                                  QtCore.Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(combo.findData(DEFAULT_SAMPLERS[i]))
            grid.addWidget(check, i, 0)
            grid.addWidget(combo, i, 1)
            self.slots.append((check, combo))
            check.toggled.connect(self._samplers_changed)
            combo.currentIndexChanged.connect(self._samplers_changed)
        grid.setColumnStretch(1, 1)
        counts = QtWidgets.QFormLayout()
        self.nfe = self._spin(1, 1000, DEFAULT_NFE, "Model calls each sampler may spend (Heun: 2N−1 ≤ NFE)")
        self.samples = self._spin(16, 20000, DEFAULT_SAMPLES, "Samples drawn (the same initial noise for every sampler)")
        self.seed = self._spin(0, 2**31 - 1, 0, "Seed of the initial noise and of the samplers' own noise")
        counts.addRow("NFE", self.nfe)
        counts.addRow("Samples", self.samples)
        counts.addRow("Seed", self.seed)
        grid.addLayout(counts, SLOTS, 0, 1, 2)
        column.addWidget(samplers)

        self.settings_box = QtWidgets.QGroupBox("Sampler settings")
        self.settings_box.setToolTip("The settings the checked samplers take (each sampler uses those it takes)")
        box = QtWidgets.QVBoxLayout(self.settings_box)
        self.settings = OptionForm(union_options(SAMPLERS))
        box.addWidget(self.settings)
        column.addWidget(self.settings_box)

        train = QtWidgets.QGroupBox("Train a model")
        tf = QtWidgets.QFormLayout(train)
        self.dataset = QtWidgets.QComboBox()
        for entry in TRAINING_SETS:
            self.dataset.addItem(entry.label, entry.name)
        self.objective = QtWidgets.QComboBox()
        for entry in OBJECTIVES:
            self.objective.addItem(entry.label, entry.name)
            self.objective.setItemData(self.objective.count() - 1, _tooltip(entry), QtCore.Qt.ItemDataRole.ToolTipRole)
        self.objective_settings = OptionForm(union_options(OBJECTIVES))
        self.steps = self._spin(50, 100000, TRAIN_STEPS, "Optimizer steps")
        self.steps.setSingleStep(500)
        self.train_button = QtWidgets.QPushButton("Train")
        self.train_button.setToolTip("Train a model on the data with the objective; press again to stop: a stopped "
                                     "run keeps the weights of its last preview")
        self.save_button = QtWidgets.QPushButton("Save checkpoint…")
        self.save_button.setEnabled(False)
        tf.addRow("Data", self.dataset)
        tf.addRow("Objective", self.objective)
        tf.addRow(self.objective_settings)
        tf.addRow("Steps", self.steps)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.save_button)
        tf.addRow(buttons)
        column.addWidget(train)
        column.addStretch(1)

        self.source.currentIndexChanged.connect(self.source_changed)
        self.open_button.clicked.connect(self.open_requested)
        self.train_button.clicked.connect(self.train_requested)
        self.save_button.clicked.connect(self.save_requested)
        self.objective.currentIndexChanged.connect(self._objective_changed)
        self.settings.changed.connect(self.changed)
        for w in (self.nfe, self.samples, self.seed):
            w.valueChanged.connect(self.changed)
        self._show_settings()
        self._objective_changed()

    def _spin(self, lo: int, hi: int, value: int, tip: str) -> QtWidgets.QSpinBox:
        w = QtWidgets.QSpinBox()
        w.setRange(lo, hi)
        w.setValue(value)
        w.setToolTip(tip)
        w.setKeyboardTracking(False)
        return w

    def source_spec(self) -> str:
        return str(self.source.currentData())

    def add_source(self, label: str, spec: str) -> None:
        """Add (or select) a source such as an opened checkpoint or a trained model."""
        index = self.source.findData(spec)
        if index < 0:
            self.source.insertItem(0, label, spec)
            index = 0
        self.source.blockSignals(True)
        self.source.setCurrentIndex(index)
        self.source.blockSignals(False)

    def add_dataset(self, label: str, value: str) -> None:
        """Add (or select) a training data file."""
        if self.dataset.findData(value) < 0:
            self.dataset.insertItem(0, label, value)
        self.dataset.setCurrentIndex(self.dataset.findData(value))

    def _checked(self) -> list[str]:
        """The checked samplers' names, in slot order, each once."""
        names = [combo.currentData() for check, combo in self.slots if check.isChecked()]
        return list(dict.fromkeys(names))

    def samplers(self) -> list[tuple[str, dict[str, Any]]]:
        """The checked samplers with the settings each takes (None, "the model's", left out)."""
        values = self.settings.values()
        return [(name, {o.name: values[o.name] for o in SAMPLERS[name].options if values[o.name] is not None})
                for name in self._checked()]

    def _samplers_changed(self) -> None:
        self._show_settings()
        self.changed.emit()

    def _show_settings(self) -> None:
        names = {o.name for name in self._checked() for o in SAMPLERS[name].options}
        self.settings.show_only(names)
        self.settings_box.setVisible(bool(names))

    def set_training(self, running: bool) -> None:
        """The Train button stops a running training."""
        self.train_button.setText("Stop (keeps the weights)" if running else "Train")

    def _objective_changed(self) -> None:
        self.objective_settings.show_only(o.name for o in OBJECTIVES[self.objective.currentData()].options)

    def train_settings(self) -> dict[str, Any]:
        """The chosen objective's settings (DDPM: prediction and schedule)."""
        names = [o.name for o in OBJECTIVES[self.objective.currentData()].options]
        return self.objective_settings.values(names)


def _tooltip(entry: Entry) -> str:
    return f"{entry.description} ({entry.citation})" if entry.citation else entry.description
