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


def beside_sidebar(panel: QtWidgets.QWidget, side: QtWidgets.QWidget, main: QtWidgets.QWidget) -> QtWidgets.QSplitter:
    """Lay ``panel`` out as ``side`` (a :func:`sidebar`) and ``main`` in a splitter; ``main`` takes the
    extra room and cannot be collapsed."""
    split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
    split.addWidget(side)
    split.addWidget(main)
    split.setStretchFactor(1, 1)
    split.setCollapsible(1, False)
    layout = QtWidgets.QHBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(split)
    return split
