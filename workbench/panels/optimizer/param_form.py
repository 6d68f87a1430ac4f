"""A form of typed parameters built from a dict of defaults (floats, ints, bools, tuples, text)."""
from __future__ import annotations

from typing import Any, Mapping

from PySide6 import QtCore, QtWidgets

from engines.optim.parameter_labels import label as parameter_label


def format_value(value: Any) -> str:
    """Text for a parameter value: floats as %g, tuples joined with '/' (the SPEC grammar's form)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (tuple, list)):
        return "/".join(format_value(v) for v in value)
    if isinstance(value, Mapping):
        return ";".join(f"{format_value(k)}:{format_value(v)}" for k, v in value.items())
    return str(value)


def parse_value(text: str, like: Any) -> Any:
    """Parse ``text`` into the type of the default ``like``; ValueError with a short message if it fails."""
    text = text.strip()
    if isinstance(like, bool):
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"expected true or false, got {text!r}")
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    if isinstance(like, (tuple, list)):
        parts = [p for p in text.split("/") if p.strip()]
        sample = like[0] if len(like) else 0.0
        return tuple(parse_value(p, sample) for p in parts)
    return text


class ParamForm(QtWidgets.QWidget):
    """One row per parameter; :attr:`changed` fires after a valid edit, invalid text turns the field red."""

    changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QtWidgets.QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._defaults: dict[str, Any] = {}
        self._editors: dict[str, QtWidgets.QWidget] = {}

    def set_params(self, defaults: Mapping[str, Any], tooltips: Mapping[str, str] | None = None) -> None:
        """Rebuild the rows for ``defaults`` (name -> default value)."""
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self._defaults = dict(defaults)
        self._editors = {}
        for name, value in self._defaults.items():
            tip = (tooltips or {}).get(name, f"{name} in the SPEC line (default {format_value(value)})")
            if isinstance(value, bool):
                editor: QtWidgets.QWidget = QtWidgets.QCheckBox()
                editor.setChecked(value)
                editor.toggled.connect(lambda _on: self.changed.emit())
            else:
                editor = QtWidgets.QLineEdit(format_value(value))
                editor.editingFinished.connect(lambda name=name: self._edited(name))
            editor.setToolTip(tip)
            label = QtWidgets.QLabel(parameter_label(name))
            label.setToolTip(tip)
            self._layout.addRow(label, editor)
            self._editors[name] = editor

    def values(self) -> dict[str, Any]:
        """The typed values; fields with invalid text give their defaults."""
        out: dict[str, Any] = {}
        for name, editor in self._editors.items():
            if isinstance(editor, QtWidgets.QCheckBox):
                out[name] = editor.isChecked()
                continue
            try:
                out[name] = parse_value(editor.text(), self._defaults[name])
            except ValueError:
                out[name] = self._defaults[name]
        return out

    def set_values(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            editor = self._editors.get(name)
            if editor is None:
                continue
            editor.blockSignals(True)
            if isinstance(editor, QtWidgets.QCheckBox):
                editor.setChecked(bool(value))
            else:
                editor.setText(format_value(value))
                editor.setStyleSheet("")
            editor.blockSignals(False)

    def _edited(self, name: str) -> None:
        editor = self._editors[name]
        assert isinstance(editor, QtWidgets.QLineEdit)
        try:
            parse_value(editor.text(), self._defaults[name])
        except ValueError as exc:
            editor.setStyleSheet("QLineEdit { background: #5a1e1e; }")
            editor.setToolTip(f"{parameter_label(name)}: {exc}")
            return
        editor.setStyleSheet("")
        self.changed.emit()
