"""Test set-up: offscreen Qt, and settings/logs in a throw-away folder so tests never touch the user's."""
import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_home = tempfile.mkdtemp(prefix="workbench-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_home, "config")
os.environ["XDG_STATE_HOME"] = os.path.join(_home, "state")
os.environ["XDG_CACHE_HOME"] = os.path.join(_home, "cache")


import pytest  # noqa: E402 - after the environment above, which Qt reads at import


@pytest.fixture(autouse=True)
def _no_gc_freeze(monkeypatch):
    """The window freezes the objects alive after its first draw (gc.freeze); the suite builds many
    windows in one process, whose reference cycles a freeze would keep forever. Tests of the freeze patch
    gc.freeze themselves."""
    import gc

    monkeypatch.setattr(gc, "freeze", lambda: None)


@pytest.fixture(autouse=True)
def _collect_qt_garbage(request):
    """After a test with widgets (once qtbot has closed them): collect their reference cycles here, on the
    main thread. Left to the collector, a later test's job thread may run it and destroy Qt objects there
    while the main thread deletes others: the two deadlock on a Qt mutex and the interpreter lock (seen
    once, in a resegmentation job of tests/segment/test_panel.py)."""
    yield
    if "qtbot" in request.fixturenames:
        import gc

        gc.collect()


@pytest.fixture
def make_panel(qtbot, tmp_path):
    """``make_panel(module)``: a shown panel of a panel package on its own JobManager and settings; its
    status messages (and data it tries to send to other panels) collect in ``panel.messages``. Jobs are
    shut down after the test."""
    from PySide6 import QtCore

    from workbench.jobs import JobManager
    from workbench.panel import PanelContext
    from workbench.settings import Settings

    managers = []

    def make(module, size=(1300, 850)):
        jobs = JobManager()
        managers.append(jobs)
        settings = Settings(QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat))
        messages: list[str] = []

        def send_to(name, kind, payload):  # a panel on its own has no other panel to send to
            messages.append(f"no {name} panel to send {kind} to")
            return False

        widget = module.create(PanelContext(jobs, settings, lambda: "cpu", messages.append, send_to))
        widget.messages = messages
        qtbot.addWidget(widget)
        widget.resize(*size)
        widget.show()
        return widget

    yield make
    for jobs in managers:
        jobs.shutdown(10_000)
