"""Choose the loss surface: a built-in test function with its parameters, or a typed formula f(x, y); the
surfaces and their parameters come from the engine's catalogue."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from engines.catalogue import union_options
from engines.optim.catalogue import EXPRESSION_HELP, SURFACES
from tasks.optimizer import DEFAULT_SURFACE, EXPRESSION as FORMULA, SurfaceChoice
from workbench.widgets.option_form import OptionForm

EXPRESSION = "formula f(x, y)…"


class SurfacePicker(QtWidgets.QGroupBox):
    """Emits :attr:`changed` when the user picks another surface, edits a parameter or a valid formula."""

    changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Surface", parent)
        self.combo = QtWidgets.QComboBox()
        for entry in SURFACES:
            self.combo.addItem(entry.name)
            tip = f"{entry.label}: {entry.description}" + (f" ({entry.citation})" if entry.citation else "")
            self.combo.setItemData(self.combo.count() - 1, tip, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.combo.addItem(EXPRESSION)
        self.combo.setItemData(self.combo.count() - 1, EXPRESSION_HELP, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentText(DEFAULT_SURFACE)
        self.combo.setToolTip("The loss surface the optimizers walk on")
        self.params = OptionForm(union_options(SURFACES))
        self.expression = QtWidgets.QLineEdit()
        self.expression.setPlaceholderText("e.g. sin(x)*cos(y) + 0.1*(x**2 + y**2)")
        self.expression.setToolTip(EXPRESSION_HELP)
        self.error = QtWidgets.QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #ff6b6b;")
        self.error.hide()
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.combo)
        layout.addWidget(self.params)
        layout.addWidget(self.expression)
        layout.addWidget(self.error)
        self._valid_expression = ""
        self.combo.currentTextChanged.connect(self._picked)
        self.params.changed.connect(self.changed)
        self.expression.returnPressed.connect(self.apply_expression)
        self._picked(self.combo.currentText(), emit=False)

    def choice(self) -> SurfaceChoice:
        """The surface as chosen now (the last valid formula while a new one is being typed)."""
        name = self.combo.currentText()
        if name == EXPRESSION:
            return SurfaceChoice(name=FORMULA, expression=self._valid_expression)
        names = [o.name for o in SURFACES[name].options]
        params = tuple((k, float(v)) for k, v in self.params.values(names).items())
        return SurfaceChoice(name=name, params=params)

    def set_choice(self, choice: SurfaceChoice) -> None:
        """Show ``choice`` and emit :attr:`changed` once."""
        if choice.expression:
            self.expression.setText(choice.expression)
            self._valid_expression = choice.expression
        self.combo.blockSignals(True)
        self.combo.setCurrentText(EXPRESSION if choice.expression else choice.name)
        self.combo.blockSignals(False)
        self._picked(self.combo.currentText(), emit=False)
        if not choice.expression:
            self.params.set_values(dict(choice.params))
        self.changed.emit()

    def _picked(self, name: str, emit: bool = True) -> None:
        is_expr = name == EXPRESSION
        options = () if is_expr else SURFACES[name].options
        self.expression.setVisible(is_expr)
        self.params.set_values({o.name: o.default for o in options})  # a surface starts from its defaults
        self.params.show_only(o.name for o in options)
        self.params.setVisible(bool(options))
        self.error.hide()
        if is_expr:
            self.expression.setFocus()
            if not self._valid_expression:
                return  # nothing to run until a formula is entered
        if emit:
            self.changed.emit()

    def apply_expression(self) -> bool:
        """Check the typed formula; show the problem inline, or accept it and emit :attr:`changed`."""
        from engines.errors import InputError
        from engines.optim.expression import compile_expression

        text = self.expression.text().strip()
        try:
            if not text:
                raise InputError("type a formula in x and y")
            compile_expression(text)
        except InputError as exc:
            self.show_error(str(exc))
            return False
        self.error.hide()
        self.expression.setStyleSheet("")
        self._valid_expression = text
        self.changed.emit()
        return True

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.expression.setStyleSheet("QLineEdit { border: 1px solid #ff6b6b; }")
