"""The main window: panels plug in, files route, errors show, settings persist, closing stops jobs."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6 import QtCore

from tests import fake_panel
from workbench.jobs import JobError
from workbench.settings import Settings


@pytest.fixture
def settings(tmp_path):
    return Settings(QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat))


@pytest.fixture
def window(qtbot, monkeypatch, settings):
    w = fake_panel.shell_window(qtbot, monkeypatch, settings, [fake_panel.module])
    yield w
    w.jobs.shutdown(5000)


def test_panels_become_tabs_and_menus_exist(window):
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Fake"]
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&View", "&Help"]
    file_actions = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    for expected in ("Open corpus…", "Open checkpoint…", "Open dataset…", "Export figure…", "Export data…", "Quit"):
        assert expected in file_actions
    opens = {a.text(): a.isEnabled() for a in window.menuBar().actions()[0].menu().actions()}
    assert opens["Open dataset…"] and not opens["Open corpus…"]  # only what a registered panel takes


def test_every_file_kind_gets_a_menu_entry_and_routes(qtbot, monkeypatch, settings, tmp_path):
    """A fourth kind of file is one table entry: the File menu offers it and files of it route."""
    from workbench import file_kinds

    from types import SimpleNamespace

    from workbench.panel_info import PanelInfo

    audio = file_kinds.FileKind("recording", "Recordings", (".wav",), "Ctrl+Alt+Shift+O")
    monkeypatch.setattr(file_kinds, "FILE_KINDS", (*file_kinds.FILE_KINDS, audio))

    class Listener(fake_panel.FakePanel):
        info = PanelInfo("fake", "Fake", accepts=("recording",))

    w = fake_panel.shell_window(qtbot, monkeypatch, settings, [SimpleNamespace(INFO=Listener.info, create=Listener)])
    opens = {a.text(): a for a in w.menuBar().actions()[0].menu().actions()}
    assert opens["Open recording…"].isEnabled() and not opens["Open dataset…"].isEnabled()
    assert opens["Open recording…"].shortcut().toString() == "Ctrl+Alt+Shift+O"
    sound = tmp_path / "take.wav"
    sound.write_bytes(b"")
    assert w.open_path(sound)
    assert w.panels["fake"].opened == [sound]
    w.jobs.shutdown(5000)


def test_status_bar_shows_the_device(qtbot, window):
    qtbot.waitUntil(lambda: window.device_label.text().startswith("CPU:"), timeout=60000)
    assert "threads" in window.device_label.text()


def test_files_route_to_the_panel_that_takes_them(window, tmp_path, settings):
    data = tmp_path / "points.npy"
    data.write_bytes(b"")
    assert window.open_path(data)
    assert window.panels["fake"].opened == [data]
    assert settings.recent_files() == [str(data.resolve())]


def test_unusable_file_shows_a_message_not_a_crash(window, tmp_path):
    bad = tmp_path / "bad.npy"
    bad.write_bytes(b"")
    assert not window.open_path(bad)
    assert window.last_error.text() == "bad.npy is not a dataset"
    assert not window.open_path(tmp_path / "vanished.npy")
    assert "does not exist" in window.last_error.text()
    unknown = tmp_path / "notes.docx"
    unknown.write_bytes(b"")
    assert not window.open_path(unknown)


def test_panels_hand_data_to_each_other_through_the_window(window):
    context = window.panels["fake"].context
    assert context.send_to("fake", "points", [1, 2])
    assert window.panels["fake"].received == [("points", [1, 2])]
    assert not context.send_to("fake", "sounds", None)
    assert window.last_error.text() == "the Fake panel does not take sounds"
    assert not context.send_to("nowhere", "points", None)
    assert window.last_error.text() == "there is no nowhere panel in this window"
    assert window.panels["fake"].received == [("points", [1, 2])]


def test_job_errors_show_message_with_details(qtbot, window):
    from tests.test_jobs import failing_job

    handle = window.jobs.slot("fake").start("Surface", failing_job)
    qtbot.waitUntil(lambda: window.last_error is not None and window.last_error.isVisible(), timeout=5000)
    assert window.last_error.text() == "ValueError: the surface is not finite anywhere"
    assert "Traceback" in window.last_error.detailedText()
    assert not handle.running


def test_job_bar_tracks_and_cancels(qtbot, window):
    handle = window.jobs.slot("fake").start("Slow work", fake_panel.slow_job, 30.0)
    qtbot.waitUntil(lambda: window.job_bar.isVisible() and "Slow work" in window.job_bar.message.text(), timeout=5000)
    with qtbot.waitSignal(handle.cancelled, timeout=2000):
        window.job_bar.cancel_button.click()
    qtbot.waitUntil(lambda: not window.job_bar.isVisible(), timeout=2000)


def test_geometry_and_device_persist(qtbot, window, settings):
    window.resize(900, 700)
    window.set_device("cpu")
    qtbot.waitUntil(lambda: settings.device() == "cpu", timeout=60000)  # saved once the probe found it
    window.close()
    assert settings.device() == "cpu"
    assert settings.geometry() is not None


def test_an_unavailable_device_is_refused_and_never_saved(qtbot, window, settings, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    qtbot.waitUntil(lambda: window.device_label.text().startswith("CPU:"), timeout=60000)
    before = settings.device()
    window.set_device("cuda")
    qtbot.waitUntil(lambda: window.last_error is not None and window.last_error.isVisible(), timeout=60000)
    assert "CUDA" in window.last_error.text()
    assert window.device == "cpu" and settings.device() == before
    assert window._device_actions["cpu"].isChecked() and not window._device_actions["cuda"].isChecked()
    assert window.device_label.text().startswith("CPU:")


def test_a_saved_device_this_machine_lacks_falls_back_at_launch(qtbot, settings, monkeypatch):
    import torch

    from workbench import main_window

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    settings.set_device("cuda")
    w = main_window.MainWindow(settings, device=None)
    qtbot.addWidget(w)
    w.probe_device()
    qtbot.waitUntil(lambda: w.device_label.text().startswith("CPU:"), timeout=60000)
    assert w.device == "auto" and w._device_actions["auto"].isChecked()
    assert "not available" in w.statusBar().currentMessage()


def test_show_error_helper(window):
    window.show_error("Oops", JobError("short", "long details"))
    assert window.last_error.detailedText() == "long details"


CLOSE_WITH_JOBS = textwrap.dedent(
    """
    import sys, time
    from PySide6 import QtCore, QtWidgets
    from tests import fake_panel
    import workbench.main_window as mw
    from workbench.settings import Settings
    mw.panel_modules = lambda: [fake_panel.module]
    app = QtWidgets.QApplication([])
    w = mw.MainWindow(Settings(QtCore.QSettings(sys.argv[1], QtCore.QSettings.Format.IniFormat)), device="cpu")
    w.show(); w.build_panels()
    w.jobs.slot("a").start("slow", fake_panel.slow_job, 60.0)
    w.jobs.slot("b").start("slow", fake_panel.slow_job, 60.0)
    QtCore.QTimer.singleShot(500, w.close)
    sys.exit(app.exec())
    """
)


def test_closing_with_jobs_running_exits_zero(tmp_path):
    proc = subprocess.run([sys.executable, "-c", CLOSE_WITH_JOBS, str(tmp_path / "s.ini")],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[1])
    assert proc.returncode == 0, proc.stderr
    assert "QThread: Destroyed" not in proc.stderr


def test_the_first_window_fits_the_screen(qtbot):
    from PySide6 import QtGui

    from workbench.main_window import FIRST_SIZE, first_size

    screen = QtGui.QGuiApplication.primaryScreen()
    free = screen.availableGeometry().size()
    size = first_size(screen)
    assert size.width() == min(FIRST_SIZE.width(), free.width())
    assert size.height() == min(FIRST_SIZE.height(), free.height())
    assert first_size(None) == FIRST_SIZE


def test_job_bar_counts_every_job_and_cancels_the_front_panels(qtbot, window):
    bar = window.job_bar
    bar.set_owner("fake")
    other = window.jobs.slot("elsewhere").start("Other work", fake_panel.slow_job, 30.0)
    mine = window.jobs.slot("fake").start("Slow work", fake_panel.slow_job, 30.0)
    qtbot.waitUntil(lambda: bar.isVisible() and "Slow work" in bar.message.text(), timeout=5000)
    qtbot.waitUntil(lambda: bar.others.text() == f"+{len(window.jobs.running()) - 1} more", timeout=5000)
    assert "elsewhere: Other work" in bar.toolTip()
    newer = window.jobs.slot("elsewhere", "b").start("Newer elsewhere", fake_panel.slow_job, 30.0)
    qtbot.waitUntil(lambda: "Newer elsewhere" in bar.toolTip(), timeout=5000)
    assert "Slow work" in bar.message.text()  # the front panel's job stays in view
    with qtbot.waitSignal(mine.cancelled, timeout=5000):
        bar.cancel()
    assert other.running and newer.running  # other panels' jobs go on
    qtbot.waitUntil(lambda: "Newer elsewhere" in bar.message.text(), timeout=5000)
    bar.cancel()  # the front panel runs nothing now: Cancel stops every job
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=5000)
    assert not other.running and not newer.running


def test_objects_alive_after_the_first_draw_leave_the_collectors_scans(qtbot, monkeypatch, settings):
    import gc

    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    w = fake_panel.shell_window(qtbot, monkeypatch, settings, [fake_panel.module])  # its first draw is immediate
    assert frozen == [True]
    w.panel("fake").first_job_done.emit()  # only the first panel's first draw freezes
    assert frozen == [True]
    w.jobs.shutdown(5000)


def test_a_failure_its_owner_reports_is_not_shown_twice(qtbot, window):
    from tests.test_jobs import failing_job

    handle = window.jobs.slot("fake").start("Export", failing_job)
    handle.owner_reports_failure = True
    with qtbot.waitSignal(handle.done, timeout=5000):
        pass
    assert window.last_error is None
