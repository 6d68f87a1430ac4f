"""Run settings: steps, gradient noise, seed, start points, and the display toggles."""
from __future__ import annotations

from typing import Optional

from PySide6 import QtCore, QtWidgets

from tasks.optimizer import RUN_OPTIONS
from workbench.widgets.option_form import OptionForm


class RunControls(QtWidgets.QGroupBox):
    """Emits :attr:`changed` when a setting that needs a new run changes."""

    changed = QtCore.Signal()
    clear_starts = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Run", parent)
        self.settings = OptionForm(RUN_OPTIONS)  # steps, gradient noise σ, noise seed
        self.steps = self.settings.editors["steps"]
        self.noise = self.settings.editors["noise"]
        self.seed = self.settings.editors["seed"]
        self.starts_label = QtWidgets.QLabel()
        self.starts_label.setWordWrap(True)
        self.starts_label.setToolTip("Click on the surface to add a start point")
        self.clear_button = QtWidgets.QPushButton("Default starts")
        self.clear_button.setToolTip("Forget the clicked start points and use the surface's own")
        self.log_scale = QtWidgets.QCheckBox("Log colour scale")
        self.log_scale.setChecked(True)
        self.log_scale.setToolTip("Colour the surface by log₁₀(loss − min) and draw the loss plot on a log axis")
        self.equal_axes = QtWidgets.QCheckBox("Equal axes")
        self.equal_axes.setChecked(True)
        self.equal_axes.setToolTip("One unit is as long on x as on y, so angles and the shape of the valleys are "
                                   "true (on for surfaces whose x and y ranges are equally wide)")
        self.ode = QtWidgets.QCheckBox("Continuous-time curves")
        self.ode.setToolTip("Overlay, dashed, the ODE each SGD / momentum configuration discretises: gradient "
                            "flow θ' = −∇L, or the heavy ball θ'' + λθ' = −∇L (Su Jianlin, dynamics view)")
        form = QtWidgets.QFormLayout(self)
        form.addRow(self.settings)
        form.addRow(self.starts_label)
        form.addRow(self.clear_button)
        form.addRow(self.log_scale)
        form.addRow(self.equal_axes)
        form.addRow(self.ode)
        self.settings.changed.connect(self.changed)
        self.clear_button.clicked.connect(self.clear_starts)
        self.show_start_count(None)

    def show_start_count(self, count: Optional[int]) -> None:
        if count is None:
            self.starts_label.setText("Starts: the surface's own. Click the surface to add one.")
        else:
            self.starts_label.setText(f"Starts: {count}. Click the surface to add more.")
        self.clear_button.setEnabled(count is not None)
