"""The scrolling column of controls on the left of a panel."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

SIDEBAR_WIDTH = 320


def sidebar(content: QtWidgets.QWidget, width: int = SIDEBAR_WIDTH) -> QtWidgets.QScrollArea:
    """``content`` in a vertically scrolling area about ``width`` pixels wide."""
    scroll = QtWidgets.QScrollArea()
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setMinimumWidth(width)
    scroll.setMaximumWidth(width + 80)
    return scroll
