"""The editable list of optimizer configurations (one SPEC line each) with presets and a form editor; the
optimizers and wrappers, their defaults and descriptions come from the engine's catalogue."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from PySide6 import QtCore, QtGui, QtWidgets

from engines.optim.catalogue import OPTIMIZERS, WRAPPERS, WrapperEntry
from tasks.optimizer import DEFAULT_SPECS
from workbench.panels.optimizer.param_form import ParamForm
from workbench.panels.optimizer.style import color

MAX_CONFIGS = 8


@dataclass(frozen=True)
class Preset:
    title: str
    specs: tuple[str, ...]
    noise: float = 0.0
    tip: str = ""


PRESETS = (
    Preset("SGD, momentum, Adam, Lion", DEFAULT_SPECS, tip="The first-launch comparison"),
    Preset("momentum vs Nesterov", ("sgd:lr=0.0005", "momentum:lr=0.0005,momentum=0.9",
                                    "nesterov:lr=0.0005,momentum=0.9"),
           tip="Heavy ball overshoots the valley; Nesterov looks ahead and damps the oscillation"),
    Preset("Adam vs AdamW vs Lion", ("adam:lr=0.05", "adamw:lr=0.05,weight_decay=0.5", "lion:lr=0.01"),
           tip="Decoupled weight decay pulls AdamW towards the origin; Lion moves by the sign of its momentum"),
    Preset("Lookahead on/off", ("adam:lr=0.05", "adam:lr=0.05+lookahead:k=5,alpha=0.5@adam + lookahead"),
           tip="Lookahead (k=5, α=0.5) pulls slow weights towards the fast ones every k steps"),
    Preset("noise (Langevin)", ("sgd:lr=0.001", "momentum:lr=0.001,momentum=0.9"), noise=20.0,
           tip="Gaussian gradient noise σ=20: SGD becomes Langevin dynamics sampling ∝ exp(−L/T), T = lr·σ²/2"),
)


class WrapperRow(QtWidgets.QWidget):
    """A check box for one wrapper and, when checked, the form of its parameters."""

    changed = QtCore.Signal()

    def __init__(self, entry: WrapperEntry) -> None:
        super().__init__()
        self.name, self.step_keys = entry.name, entry.step_keys
        self.check = QtWidgets.QCheckBox(entry.label)
        self.check.setToolTip(_tip(entry.label, entry.description, entry.citation))
        self.form = ParamForm()
        self.form.set_params(entry.defaults())
        self.points = QtWidgets.QLineEdit("100=1,400=0.1")
        self.points.setToolTip("step=factor points of the piecewise-linear lr multiplier, e.g. 100=1,400=0.1 "
                               "(warm up over 100 steps, fall to 0.1 by step 400)")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        body = self.points if entry.step_keys else self.form
        body.setContentsMargins(18, 0, 0, 0)
        layout.addWidget(body)
        body.setVisible(False)
        self.check.toggled.connect(body.setVisible)
        self.check.toggled.connect(lambda _on: self.changed.emit())
        self.form.changed.connect(self.changed)
        self.points.editingFinished.connect(self.changed)

    def params(self) -> dict[str, Any]:
        if not self.step_keys:
            return self.form.values()
        out: dict[str, Any] = {}
        for item in self.points.text().split(","):
            key, _, value = item.partition("=")
            if key.strip().isdigit():
                try:
                    out[key.strip()] = float(value)
                except ValueError:
                    continue
        return out

    def set_params(self, params: dict[str, Any]) -> None:
        if self.step_keys:
            self.points.setText(",".join(f"{k}={float(v):g}" for k, v in params.items()))
        else:
            self.form.set_values(params)


class ConfigList(QtWidgets.QGroupBox):
    """Emits :attr:`changed` whenever the list of SPEC lines changes (see :meth:`specs`)."""

    changed = QtCore.Signal()
    preset_applied = QtCore.Signal(object)  # Preset

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Optimizers", parent)
        self.list = QtWidgets.QListWidget()
        self.list.setToolTip("One configuration per line, drawn in its colour. Select one to edit it below.")
        self.list.setMinimumHeight(96)
        self.presets = QtWidgets.QComboBox()
        self.presets.addItem("Presets…")
        for preset in PRESETS:
            self.presets.addItem(preset.title, preset)
            self.presets.setItemData(self.presets.count() - 1, preset.tip, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.presets.setToolTip("Replace the list by a classic comparison")
        self.add_button = QtWidgets.QToolButton(text="Add")
        self.add_button.setToolTip("Add a configuration (plain SGD; edit it below)")
        self.dup_button = QtWidgets.QToolButton(text="Duplicate")
        self.dup_button.setToolTip("Copy the selected configuration")
        self.remove_button = QtWidgets.QToolButton(text="Remove")
        self.remove_button.setToolTip("Remove the selected configuration")
        buttons = QtWidgets.QHBoxLayout()
        for w in (self.add_button, self.dup_button, self.remove_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        self.spec_edit = QtWidgets.QLineEdit()
        self.spec_edit.setToolTip("The configuration as one SPEC line, e.g. adam:lr=0.01,betas=0.9/0.999"
                                  "+lookahead:k=5,alpha=0.5@label — press Enter to apply")
        self.error = QtWidgets.QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #ff6b6b;")
        self.error.hide()
        self.optimizer = QtWidgets.QComboBox()
        self.optimizer.setToolTip("The base optimizer")
        for entry in OPTIMIZERS:
            self.optimizer.addItem(entry.label, entry.name)
            self.optimizer.setItemData(self.optimizer.count() - 1, _tip(entry.label, entry.description, entry.citation),
                                       QtCore.Qt.ItemDataRole.ToolTipRole)
        self.hyper = ParamForm()
        self.wrapper_box = QtWidgets.QWidget()
        self.wrapper_layout = QtWidgets.QVBoxLayout(self.wrapper_box)
        self.wrapper_layout.setContentsMargins(0, 0, 0, 0)
        self.wrappers: list[WrapperRow] = []
        for wrapper in WRAPPERS:
            row = WrapperRow(wrapper)
            row.changed.connect(self._form_edited)
            self.wrapper_layout.addWidget(row)
            self.wrappers.append(row)
        self.editor = QtWidgets.QWidget()
        form = QtWidgets.QVBoxLayout(self.editor)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self.spec_edit)
        form.addWidget(self.error)
        form.addWidget(self.optimizer)
        form.addWidget(self.hyper)
        wrappers_label = QtWidgets.QLabel("Derived-optimizer wrappers (applied in this order):")
        wrappers_label.setWordWrap(True)
        form.addWidget(wrappers_label)
        form.addWidget(self.wrapper_box)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.presets)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.editor)
        self._label: Optional[str] = None  # the selected spec's "@label", kept across form edits
        self._specs: list[str] = []
        self.set_specs(list(DEFAULT_SPECS), emit=False)
        self.presets.activated.connect(self._preset_chosen)
        self.add_button.clicked.connect(lambda: self._insert("sgd:lr=0.001"))
        self.dup_button.clicked.connect(self._duplicate)
        self.remove_button.clicked.connect(self._remove)
        self.list.currentRowChanged.connect(self._selected)
        self.spec_edit.returnPressed.connect(self._spec_typed)
        self.optimizer.activated.connect(lambda _i: self._form_edited(new_optimizer=True))
        self.hyper.changed.connect(self._form_edited)

    # ------------------------------------------------------------------ list
    def specs(self) -> list[str]:
        return list(self._specs)

    def set_specs(self, specs: list[str], emit: bool = True) -> None:
        self._specs = list(specs)[:MAX_CONFIGS]
        self._refresh(select=0)
        if emit:
            self.changed.emit()

    def _refresh(self, select: int) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for i, text in enumerate(self._specs):
            pix = QtGui.QPixmap(14, 14)
            pix.fill(color(i))
            item = QtWidgets.QListWidgetItem(QtGui.QIcon(pix), text)
            item.setToolTip(text)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.list.setCurrentRow(min(select, len(self._specs) - 1))
        self._selected(self.list.currentRow())
        self.add_button.setEnabled(len(self._specs) < MAX_CONFIGS)
        self.dup_button.setEnabled(0 < len(self._specs) < MAX_CONFIGS)
        self.remove_button.setEnabled(len(self._specs) > 1)

    def _insert(self, text: str) -> None:
        if len(self._specs) >= MAX_CONFIGS:
            return
        self._specs.append(text)
        self._refresh(select=len(self._specs) - 1)
        self.changed.emit()

    def _duplicate(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self._insert(self._specs[row])

    def _remove(self) -> None:
        row = self.list.currentRow()
        if row >= 0 and len(self._specs) > 1:
            del self._specs[row]
            self._refresh(select=max(0, row - 1))
            self.changed.emit()

    def _preset_chosen(self, index: int) -> None:
        preset: Optional[Preset] = self.presets.itemData(index)
        self.presets.setCurrentIndex(0)
        if preset is None:
            return
        self.set_specs(list(preset.specs), emit=False)
        self.preset_applied.emit(preset)
        self.changed.emit()

    # ------------------------------------------------------------------ editor
    def _selected(self, row: int) -> None:
        if row < 0 or row >= len(self._specs):
            return
        self.spec_edit.setText(self._specs[row])
        self.error.hide()
        self.spec_edit.setStyleSheet("")
        self._load_form(self._specs[row])

    def _load_form(self, text: str) -> None:
        from engines.optim.spec import parse_spec

        spec = parse_spec(text)
        self.optimizer.setCurrentIndex(max(0, self.optimizer.findData(spec.name)))
        defaults = OPTIMIZERS[spec.name].defaults()
        self.hyper.set_params(defaults, {k: f"{k} in the SPEC line (default {v})" for k, v in defaults.items()})
        self.hyper.set_values(spec.hyper)
        given = {w.name: w.params for w in spec.wrappers}
        for row in self.wrappers:
            row.blockSignals(True)
            row.check.setChecked(row.name in given)
            if row.name in given:
                row.set_params(given[row.name])
            row.blockSignals(False)
        self._label = spec.label

    def _spec_typed(self) -> None:
        from engines.errors import InputError
        from engines.optim.spec import format_spec, parse_spec

        try:
            text = format_spec(parse_spec(self.spec_edit.text()))
        except InputError as exc:
            self.error.setText(str(exc))
            self.error.show()
            self.spec_edit.setStyleSheet("QLineEdit { border: 1px solid #ff6b6b; }")
            return
        self._replace_current(text)

    def _form_edited(self, new_optimizer: bool = False) -> None:
        from engines.errors import InputError
        from engines.optim.spec import OptimizerSpec, WrapperSpec, format_spec, parse_spec

        row = self.list.currentRow()
        if row < 0:
            return
        name = self.optimizer.currentData()
        defaults = OPTIMIZERS[name].defaults()
        if new_optimizer:
            self.hyper.set_params(defaults)
        hyper = {k: v for k, v in self.hyper.values().items() if k in defaults and v != defaults[k]}
        wrappers = tuple(WrapperSpec(r.name, r.params()) for r in self.wrappers if r.check.isChecked())
        label = None if new_optimizer else self._label
        text = format_spec(OptimizerSpec(name, hyper, wrappers, label))
        try:
            parse_spec(text)  # a value out of its range is said under the form; the list keeps its last good line
        except InputError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.error.hide()
        self._replace_current(text)

    def _replace_current(self, text: str) -> None:
        row = self.list.currentRow()
        if row < 0 or text == self._specs[row]:
            return
        self._specs[row] = text
        self._refresh(select=row)
        self.changed.emit()


def _tip(label: str, description: str, citation: str) -> str:
    return f"{label}: {description}" + (f" ({citation})" if citation else "")
