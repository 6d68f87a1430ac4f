"""Fixtures for the optimizer panel's tests: a panel on its own JobManager (``panel``), and one whose
first-launch job has drawn (``started``, playback paused)."""
import pytest
from PySide6 import QtCore

from workbench.jobs import JobManager
from workbench.panel import PanelContext
from workbench.settings import Settings

TIMEOUT_MS = 90_000


@pytest.fixture
def panel(qtbot, tmp_path):
    import workbench.panels.optimizer as optimizer

    jobs = JobManager()
    settings = Settings(QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.Format.IniFormat))
    messages: list[str] = []
    context = PanelContext(jobs, settings, lambda: "cpu", messages.append)
    widget = optimizer.create(context)
    widget.messages = messages
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    yield widget
    jobs.shutdown(10_000)


@pytest.fixture
def started(qtbot, panel):
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    panel.playback.pause()
    return panel
