"""The Qt binding in use keeps Python's reference count of None (PySide6 6.12.0 does not, which is fatal
on Python < 3.12 once a panel has drawn enough: "Fatal Python error: none_dealloc")."""
import sys

from PySide6 import QtWidgets


def test_void_methods_do_not_leak_references_to_none(qtbot):
    widget = QtWidgets.QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(1000):
        widget.setWindowTitle("x")
    assert before - sys.getrefcount(None) < 100
