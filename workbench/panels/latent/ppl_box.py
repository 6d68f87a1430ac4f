"""The Path length box: how many random prior pairs and which distance the perceptual path length uses."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from tasks.latent import DISTANCE, PAIRS, PANEL_PAIRS
from workbench.widgets.option_form import OptionForm


class PathLengthBox(QtWidgets.QGroupBox):
    """Emits ``compute_clicked``; :meth:`values` gives ``pairs`` and ``distance``."""

    compute_clicked = QtCore.Signal()

    def __init__(self) -> None:
        super().__init__("Path length")
        layout = QtWidgets.QVBoxLayout(self)
        self.form = OptionForm((PAIRS, DISTANCE))
        self.form.set_values({"pairs": PANEL_PAIRS})
        self.button = QtWidgets.QPushButton("Compute")
        self.button.clicked.connect(self.compute_clicked)
        layout.addWidget(self.form)
        layout.addWidget(self.button)

    def values(self) -> dict:
        return self.form.values()
