"""Offscreen rendering for commands that write figures: a QApplication on the offscreen platform."""
from __future__ import annotations

import os

FIGURE_SIZE = (1000, 800)  # every figure a `run` command writes: logical pixels ...
FIGURE_SCALE = 2.0  # ... times this in the PNG


def offscreen_app():
    """The running QApplication, or a new one on the offscreen platform (no display needed), with the
    offscreen plugin's size-hint warning silenced."""
    from PySide6 import QtWidgets

    from workbench.qt_messages import quiet_offscreen

    quiet_offscreen()
    if QtWidgets.QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QtWidgets.QApplication.instance() or QtWidgets.QApplication([])


def settle(widget) -> None:
    """Show ``widget`` and let it lay out and paint before it is grabbed or exported."""
    app = offscreen_app()
    widget.show()
    app.processEvents()
