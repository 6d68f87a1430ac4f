"""Choose the loss surface: a built-in test function with its parameters, or a typed formula f(x, y)."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from workbench.panels.optimizer.param_form import ParamForm
from workbench.panels.optimizer.work import SurfaceChoice

EXPRESSION = "formula f(x, y)…"
DEFAULT_SURFACE = "rosenbrock"
DESCRIPTIONS = {
    "rosenbrock": "(a − x)² + b(y − x²)²: a curved, narrow valley; minimum (a, a²)",
    "beale": "three squared terms; sharp ridges, minimum (3, 0.5)",
    "rastrigin": "a bowl covered by a lattice of local minima; global minimum (0, 0)",
    "himmelblau": "four minima of value 0",
    "booth": "a tilted quadratic bowl; minimum (1, 3)",
    "styblinski_tang": "quartic with four basins; minimum (−2.9035, −2.9035)",
    "saddle": "x² − y²: a saddle point, no minimum",
    "monkey_saddle": "x³ − 3xy²: three descending valleys, no minimum",
    "quadratic": "½θᵀHθ with condition number kappa, rotated by angle (Distill's bowl)",
}
EXPRESSION_HELP = ("A formula in x and y: numbers, + − * / **, pi, e and sin cos tan exp log sqrt abs tanh "
                   "sinh cosh atan min max. Example: sin(x)*cos(y) + 0.1*(x**2 + y**2)")


class SurfacePicker(QtWidgets.QGroupBox):
    """Emits :attr:`changed` when the user picks another surface, edits a parameter or a valid formula."""

    changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Surface", parent)
        self.combo = QtWidgets.QComboBox()
        self.combo.addItem(DEFAULT_SURFACE)  # the full list arrives with the engine (engine_ready)
        self.combo.setToolTip("The loss surface the optimizers walk on")
        self.combo.setEnabled(False)
        self._ready = False
        self.params = ParamForm()
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

    def engine_ready(self) -> None:
        """Fill in the surfaces and their parameters once the engine has been imported (by a job)."""
        from engines.optim import SURFACES

        if self._ready:
            return
        self._ready = True
        current, values = self.combo.currentText(), self.params.values()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItems(list(SURFACES) + [EXPRESSION])
        for i, name in enumerate(SURFACES):
            self.combo.setItemData(i, DESCRIPTIONS.get(name, name), QtCore.Qt.ItemDataRole.ToolTipRole)
        self.combo.setItemData(len(SURFACES), EXPRESSION_HELP, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentText(current)
        self.combo.blockSignals(False)
        self.combo.setEnabled(True)
        self._picked(current, emit=False)
        self.params.set_values(values)

    def choice(self) -> SurfaceChoice:
        """The surface as chosen now (the last valid formula while a new one is being typed)."""
        name = self.combo.currentText()
        if name == EXPRESSION:
            return SurfaceChoice(name="expression", expression=self._valid_expression)
        params = tuple((k, float(v)) for k, v in self.params.values().items())
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
        self.expression.setVisible(is_expr)
        self.params.setVisible(not is_expr)
        self.error.hide()
        if is_expr:
            self.params.set_params({})
            self.expression.setFocus()
            if not self._valid_expression:
                return  # nothing to run until a formula is entered
        elif self._ready:
            self.params.set_params(default_params(name))
        if emit:
            self.changed.emit()

    def apply_expression(self) -> bool:
        """Check the typed formula; show the problem inline, or accept it and emit :attr:`changed`."""
        from engines.errors import InputError
        from engines.optim import compile_expression

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


def default_params(name: str) -> dict[str, float]:
    """The parameters a built-in surface takes, with their defaults (imports the engine)."""
    from engines.optim import get_surface

    return dict(get_surface(name).params)
