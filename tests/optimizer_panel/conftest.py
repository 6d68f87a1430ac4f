"""Fixtures for the optimizer panel's tests: a panel on its own JobManager (``panel``), and one whose
first-launch job has drawn (``started``, playback paused)."""
import pytest

TIMEOUT_MS = 90_000


@pytest.fixture
def panel(qtbot, make_panel):
    import workbench.panels.optimizer as optimizer

    return make_panel(optimizer)


@pytest.fixture
def started(qtbot, panel):
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    panel.playback.pause()
    return panel
