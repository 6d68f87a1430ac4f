"""A message box for errors: the readable message, details behind a collapsible part."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class ErrorBox(QtWidgets.QMessageBox):
    """A job's error: the readable message, with details and traceback behind "Show Details…"."""

    def __init__(self, title: str, message: str, details: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(QtWidgets.QMessageBox.Icon.Warning, title, message, QtWidgets.QMessageBox.StandardButton.Ok, parent)
        if details:
            self.setDetailedText(details)
        self.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
