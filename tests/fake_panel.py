"""A minimal panel package for testing the shell without the real panels' engines."""
from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

from PySide6 import QtWidgets

from engines.errors import InputError
from workbench.panel import Panel
from workbench.panel_info import PanelInfo

INFO = PanelInfo(name="fake", title="Fake", accepts=("dataset",), ideas=(("An idea", "https://example.org/"),))


def slow_job(reporter, seconds: float = 30.0) -> str:
    """Cooperates: checks for cancellation every 5 ms."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        reporter.progress(None, "working")
        time.sleep(0.005)
    return "finished"


class FakePanel(Panel):
    info = INFO

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.opened: list[Path] = []
        self.received: list[tuple[str, object]] = []
        QtWidgets.QVBoxLayout(self).addWidget(QtWidgets.QLabel("fake"))

    def open_path(self, kind, path):
        if path.name.startswith("bad"):
            raise InputError(f"{path.name} is not a dataset")
        self.opened.append(path)

    def receive(self, kind, payload):
        if kind != "points":
            return super().receive(kind, payload)
        self.received.append((kind, payload))


def create(context):
    return FakePanel(context)


module = SimpleNamespace(INFO=INFO, create=create)


def shell_window(qtbot, monkeypatch, settings, modules):
    """A shown main window whose panels are ``modules`` (panel packages or stand-ins with INFO and create),
    built and ready for the test; the caller shuts its jobs down."""
    import workbench.main_window as main_window

    monkeypatch.setattr(main_window, "panel_modules", lambda: list(modules))
    window = main_window.MainWindow(settings, device="cpu")
    qtbot.addWidget(window)
    window.show()
    window.build_panels()
    qtbot.waitUntil(lambda: not window.starting, timeout=120_000)  # the shell's own start-up jobs are done
    return window
