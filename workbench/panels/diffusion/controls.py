"""The sidebar: model source, samplers to compare, NFE / samples / seed, the EDM σ schedule, training."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from workbench.panels.diffusion.style import color
from workbench.panels.diffusion.work import DEFAULT_SAMPLERS, MIXTURES, SAMPLER_LABELS, TRAIN_SETS

SLOTS = 4


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
        for name in MIXTURES:
            self.source.addItem(f"Exact mixture: {name.replace('_', ' ')}", f"mixture:{name}")
        self.source.addItem("Bundled DDPM: moons", "bundled:moons")
        self.source.addItem("Bundled DDPM: digits", "bundled:digits")
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
            for name, label in SAMPLER_LABELS.items():
                combo.addItem(label, name)
            combo.setCurrentIndex(list(SAMPLER_LABELS).index(DEFAULT_SAMPLERS[i]))
            grid.addWidget(check, i, 0)
            grid.addWidget(combo, i, 1)
            self.slots.append((check, combo))
            check.toggled.connect(self.changed)
            combo.currentIndexChanged.connect(self.changed)
        grid.setColumnStretch(1, 1)
        settings = QtWidgets.QFormLayout()
        self.nfe = self._spin(1, 1000, 20, "Model calls each sampler may spend (Heun: 2N−1 ≤ NFE)")
        self.samples = self._spin(16, 20000, 1000, "Samples drawn (the same initial noise for every sampler)")
        self.seed = self._spin(0, 2**31 - 1, 0, "Seed of the initial noise and of the samplers' own noise")
        self.eta = self._dspin(0.0, 1.0, 0.0, 0.1, "DDIM's η: 0 deterministic, 1 the DDPM posterior")
        settings.addRow("NFE", self.nfe)
        settings.addRow("Samples", self.samples)
        settings.addRow("Seed", self.seed)
        settings.addRow("DDIM η", self.eta)
        grid.addLayout(settings, SLOTS, 0, 1, 2)
        column.addWidget(samplers)

        schedule = QtWidgets.QGroupBox("EDM σ schedule (Euler, Heun, DPM++, SDE)")
        sf = QtWidgets.QFormLayout(schedule)
        self.rho = self._dspin(0.5, 20.0, 7.0, 0.5, "ρ: larger puts more steps at small σ")
        self.sigma_min = self._dspin(0.0, 10.0, 0.0, 0.001, "σ_min (0: the model's)", decimals=4)
        self.sigma_max = self._dspin(0.0, 500.0, 0.0, 1.0, "σ_max (0: the model's, at most 80)", decimals=2)
        for w in (self.sigma_min, self.sigma_max):
            w.setSpecialValueText("model's")  # shown at 0, the minimum: use the model's own σ range
        sf.addRow("ρ", self.rho)
        sf.addRow("σ_min", self.sigma_min)
        sf.addRow("σ_max", self.sigma_max)
        column.addWidget(schedule)

        train = QtWidgets.QGroupBox("Train a model")
        tf = QtWidgets.QFormLayout(train)
        self.dataset = QtWidgets.QComboBox()
        for name in TRAIN_SETS:
            self.dataset.addItem(name.replace("_", " "), name)
        self.objective = QtWidgets.QComboBox()
        for name, label in (("ddpm", "DDPM (ε, linear)"), ("edm", "EDM (preconditioned)"), ("flow", "Flow matching")):
            self.objective.addItem(label, name)
        self.steps = self._spin(50, 100000, 2000, "Optimizer steps")
        self.steps.setSingleStep(500)
        self.train_button = QtWidgets.QPushButton("Train")
        self.save_button = QtWidgets.QPushButton("Save checkpoint…")
        self.save_button.setEnabled(False)
        tf.addRow("Data", self.dataset)
        tf.addRow("Objective", self.objective)
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
        for w in (self.nfe, self.samples, self.seed, self.eta, self.rho, self.sigma_min, self.sigma_max):
            w.valueChanged.connect(self.changed)

    def _spin(self, lo: int, hi: int, value: int, tip: str) -> QtWidgets.QSpinBox:
        w = QtWidgets.QSpinBox()
        w.setRange(lo, hi)
        w.setValue(value)
        w.setToolTip(tip)
        w.setKeyboardTracking(False)
        return w

    def _dspin(self, lo: float, hi: float, value: float, step: float, tip: str, decimals: int = 2) -> QtWidgets.QDoubleSpinBox:
        w = QtWidgets.QDoubleSpinBox()
        w.setDecimals(decimals)
        w.setRange(lo, hi)
        w.setSingleStep(step)
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

    def samplers(self) -> list[tuple[str, dict]]:
        """The checked samplers with their settings, in slot order (duplicates kept once)."""
        out, seen = [], set()
        for check, combo in self.slots:
            name = combo.currentData()
            if not check.isChecked() or name in seen:
                continue
            seen.add(name)
            out.append((name, self.settings_for(name)))
        return out

    def settings_for(self, name: str) -> dict:
        s: dict = {}
        if name == "ddim":
            s["eta"] = self.eta.value()
        if name in ("euler", "heun", "dpmpp_2m", "euler_maruyama", "langevin", "pf_ode"):
            if self.sigma_min.value() > 0:
                s["sigma_min"] = self.sigma_min.value()
            if self.sigma_max.value() > 0:
                s["sigma_max"] = self.sigma_max.value()
        if name in ("euler", "heun", "dpmpp_2m", "euler_maruyama"):
            s["rho"] = self.rho.value()
        return s
