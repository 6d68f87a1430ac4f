"""Marking a view out of date: dimmed, with the reason said, until it is drawn again."""
from __future__ import annotations

from PySide6 import QtWidgets

DIMMED = 0.3


class Staleness:
    """Whether ``view`` still shows what its controls say. :meth:`mark` dims it and puts the reason in
    ``status`` (when given) and the view's tooltip; :meth:`clear` (call it when the view is drawn anew)
    undoes both."""

    def __init__(self, view: QtWidgets.QWidget, status: QtWidgets.QLabel | None = None) -> None:
        self.view = view
        self.status = status
        self.reason: str | None = None
        self._effect = QtWidgets.QGraphicsOpacityEffect(view)
        self._effect.setOpacity(1.0)
        self._effect.setEnabled(False)
        view.setGraphicsEffect(self._effect)

    @property
    def stale(self) -> bool:
        return self.reason is not None

    def mark(self, reason: str) -> None:
        self.reason = reason
        self._effect.setOpacity(DIMMED)
        self._effect.setEnabled(True)
        self.view.setToolTip(f"Out of date: {reason}")
        if self.status is not None:
            self.status.setText(f"Out of date: {reason}")

    def clear(self) -> None:
        self.reason = None
        self._effect.setEnabled(False)
        self.view.setToolTip("")
