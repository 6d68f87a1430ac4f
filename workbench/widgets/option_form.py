"""A form generated from catalogue options (:class:`engines.catalogue.Option`): one labelled row each.

Floats get a QDoubleSpinBox, ints a QSpinBox, choices a QComboBox, booleans a QCheckBox; ranges, defaults,
tooltips and units come from the option. An option whose default is None and that has a ``none_label``
shows that label at the bottom of its range and reads back as None ("the model's own"). A choice listed in
its option's ``choice_labels`` shows its readable label and reads back as its value.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6 import QtCore, QtWidgets

from engines.catalogue import Option

FLOAT_SPAN = 1e6  # range of an unbounded float spin box


class OptionForm(QtWidgets.QWidget):
    """Rows of option editors; ``changed`` fires when the user changes any value."""

    changed = QtCore.Signal()

    def __init__(self, options: Sequence[Option], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.options = {o.name: o for o in options}
        self.layout_ = QtWidgets.QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.editors: dict[str, QtWidgets.QWidget] = {}
        for option in options:
            editor = _editor(option)
            editor.setToolTip(_tooltip(option))
            _changed_signal(editor).connect(self.changed)
            self.editors[option.name] = editor
            self.layout_.addRow(option.label, editor)

    def values(self, names: Iterable[str] | None = None) -> dict[str, Any]:
        """The current values (of ``names``, else of every option); None for "the model's own"."""
        return {n: _read(self.options[n], self.editors[n]) for n in (names if names is not None else self.options)}

    def set_values(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            editor = self.editors[name]
            editor.blockSignals(True)
            _write(self.options[name], editor, value)
            editor.blockSignals(False)

    def show_only(self, names: Iterable[str]) -> None:
        """Show the rows of ``names`` and hide the others (a sidebar shows only what applies)."""
        keep = set(names)
        for name, editor in self.editors.items():
            self.layout_.setRowVisible(editor, name in keep)


def _editor(option: Option) -> QtWidgets.QWidget:
    if option.kind == "bool":
        box = QtWidgets.QCheckBox()
        box.setChecked(bool(option.default))
        return box
    if option.kind == "choice":
        combo = QtWidgets.QComboBox()
        for choice, label in zip(option.choices, option.choice_labels or option.choices):
            combo.addItem(label, choice)
        if option.default is not None:
            _write(option, combo, option.default)
        return combo
    if option.kind == "text":
        line = QtWidgets.QLineEdit("" if option.default is None else str(option.default))
        return line
    integer = option.kind == "int"
    spin = QtWidgets.QSpinBox() if integer else QtWidgets.QDoubleSpinBox()
    lo = option.minimum if option.minimum is not None else (-2**31 + 1 if integer else -FLOAT_SPAN)
    hi = option.maximum if option.maximum is not None else (2**31 - 1 if integer else FLOAT_SPAN)
    if not integer:
        spin.setDecimals(option.decimals)
    spin.setRange(int(lo) if integer else lo, int(hi) if integer else hi)
    step = option.step if option.step is not None else (1 if integer else _float_step(lo, hi))
    spin.setSingleStep(int(step) if integer else step)
    if option.unit:
        spin.setSuffix(f" {option.unit}")
    if option.default is None and option.none_label:
        spin.setSpecialValueText(option.none_label)  # shown at the minimum, read back as None
        spin.setValue(spin.minimum())
    elif option.default is not None:
        spin.setValue(option.default)
    spin.setKeyboardTracking(False)
    return spin


def _float_step(lo: float, hi: float) -> float:
    span = hi - lo
    if span <= 0 or span >= FLOAT_SPAN:
        return 0.1
    return float(f"{span / 100:.1g}")


def _read(option: Option, editor: QtWidgets.QWidget) -> Any:
    if isinstance(editor, QtWidgets.QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QtWidgets.QComboBox):
        return editor.currentData()
    if isinstance(editor, QtWidgets.QLineEdit):
        return editor.text()
    if option.default is None and option.none_label and editor.value() == editor.minimum():
        return None
    return editor.value()


def _write(option: Option, editor: QtWidgets.QWidget, value: Any) -> None:
    if isinstance(editor, QtWidgets.QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, QtWidgets.QComboBox):
        index = editor.findData(str(value))
        if index >= 0:  # an unknown value leaves the choice as it was
            editor.setCurrentIndex(index)
    elif isinstance(editor, QtWidgets.QLineEdit):
        editor.setText("" if value is None else str(value))
    else:
        editor.setValue(editor.minimum() if value is None else value)


def _changed_signal(editor: QtWidgets.QWidget):
    if isinstance(editor, QtWidgets.QCheckBox):
        return editor.toggled
    if isinstance(editor, QtWidgets.QComboBox):
        return editor.currentIndexChanged
    if isinstance(editor, QtWidgets.QLineEdit):
        return editor.editingFinished
    return editor.valueChanged


def _tooltip(option: Option) -> str:
    parts = [option.help or option.label]
    if option.kind in ("int", "float") and (option.minimum is not None or option.maximum is not None):
        parts.append(f"({option.range_text})")
    if option.none_label:
        parts.append(f"lowest value: {option.none_label}")
    return " ".join(parts)
