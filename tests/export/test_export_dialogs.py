"""The File-menu actions, with the modal dialogs replaced by scripted answers."""
import json
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from workbench.export import dialogs
from workbench.settings import Settings


@pytest.fixture
def settings(tmp_path_factory, qapp) -> Settings:
    ini = tmp_path_factory.mktemp("config") / "settings.ini"
    return Settings(QtCore.QSettings(str(ini), QtCore.QSettings.Format.IniFormat))


@pytest.fixture
def answers(monkeypatch):
    """Scripted answers: ``answers.save`` is the path the save dialog returns (None: cancel)."""

    class Answers:
        def __init__(self) -> None:
            self.save: Path | None = None
            self.scale = 2.0
            self.filters: list[str] = []
            self.errors: list[str] = []

    answers = Answers()

    def get_save_file_name(parent, caption, suggested, filters):
        answers.filters = filters.split(";;")
        return (str(answers.save), answers.filters[0]) if answers.save else ("", "")

    def exec_options(dialog):
        dialog.scale.setValue(answers.scale)
        return QtWidgets.QDialog.DialogCode.Accepted

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", staticmethod(get_save_file_name))
    monkeypatch.setattr(dialogs.FigureOptionsDialog, "exec", exec_options)
    monkeypatch.setattr(QtWidgets.QMessageBox, "critical",
                        staticmethod(lambda parent, title, text: answers.errors.append(text)))
    return answers


def _sidecar(path: Path) -> dict:
    return json.loads(path.with_name(path.name + ".json").read_text())


def test_export_figure_png_and_svg(tmp_path, panel, settings, answers):
    answers.save = tmp_path / "loss"  # no suffix: the chosen filter's (PNG) is added
    path = dialogs.export_figure(None, panel, settings)
    assert path == tmp_path / "loss.png"
    assert iio.imread(path).shape[:2] == (486, 642)
    assert _sidecar(path)["seed"] == 7
    assert settings.last_dir("export") == str(tmp_path)
    answers.save = tmp_path / "loss.svg"
    assert dialogs.export_figure(None, panel, settings) == answers.save
    assert _sidecar(answers.save)["files"][0]["name"] == "loss.svg"


def test_export_data_csv_and_npz(tmp_path, panel, settings, answers):
    answers.save = tmp_path / "loss.csv"
    assert dialogs.export_data(None, panel, settings) == answers.save
    assert answers.filters == [dialogs.CSV, dialogs.NPZ]
    table = np.genfromtxt(answers.save, delimiter=",", names=True)
    x, y = panel.figures()[0].data().values()
    np.testing.assert_array_equal(table["x"], x)
    np.testing.assert_array_equal(table["y"], y)
    answers.save = tmp_path / "loss.npz"
    dialogs.export_data(None, panel, settings)
    with np.load(answers.save) as loaded:
        np.testing.assert_array_equal(loaded["y"], y)
    assert answers.save.with_name("loss.npz.json").exists()


def test_export_animation_gif(tmp_path, panel, settings, answers, monkeypatch):
    monkeypatch.setattr(dialogs, "mp4_available", lambda: False)
    answers.save = tmp_path / "steps.gif"
    assert dialogs.export_animation(None, panel, settings) == answers.save
    assert answers.filters == [dialogs.GIF]  # no MP4 choice without an encoder
    assert iio.imread(answers.save, index=None).shape[0] == panel.frame_count
    assert _sidecar(answers.save)["checkpoint_sha256"] == "ab" * 32


def test_cancelled_animation_keeps_the_old_file(tmp_path, panel, settings, answers, monkeypatch):
    answers.save = tmp_path / "steps.gif"
    answers.save.write_bytes(b"old")
    panel.frame_count = 12
    # the user presses Cancel as soon as the progress dialog is up
    monkeypatch.setattr(QtWidgets.QProgressDialog, "setMinimumDuration",
                        lambda self, ms: QtCore.QTimer.singleShot(0, self.canceled.emit))
    assert dialogs.export_animation(None, panel, settings) is None
    assert answers.save.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [answers.save]
    assert answers.errors == []


def test_failures_are_reported_not_raised(tmp_path, panel, settings, answers):
    answers.save = tmp_path / "missing-dir" / "loss.png"
    assert dialogs.export_figure(None, panel, settings) is None
    assert len(answers.errors) == 1 and "loss.png" in answers.errors[0]
    panel.frame_count = 0  # an animation with no frames yet
    answers.save = tmp_path / "steps.gif"
    assert dialogs.export_animation(None, panel, settings) is None
    assert "no frames" in answers.errors[1]


def test_save_dialog_cancel_writes_nothing(tmp_path, panel, settings, answers):
    answers.save = None
    assert dialogs.export_figure(None, panel, settings) is None
    assert dialogs.export_data(None, panel, settings) is None
    assert [p.name for p in tmp_path.iterdir()] == []


def test_copy_figure(panel, qapp):
    assert dialogs.copy_figure(panel)
    assert not QtWidgets.QApplication.clipboard().image().isNull()


def test_the_figure_in_view_is_the_one_copied_and_offered_first(qtbot, panel, plot_widget, answers):
    import pyqtgraph as pg
    from PySide6 import QtGui

    from workbench.export.figure import render_image
    from workbench.panel import Figure

    tabs = QtWidgets.QTabWidget()
    qtbot.addWidget(tabs)
    first, second = pg.PlotWidget(title="First"), pg.PlotWidget(title="Second")
    second.plot([0, 1, 2], [2, 0, 1])
    tabs.addTab(first, "first")
    tabs.addTab(second, "second")
    tabs.resize(400, 300)
    tabs.show()
    qtbot.waitExposed(tabs)
    figures = [Figure("First", first, dict), Figure("Second", second, dict)]
    panel.figures = lambda: figures
    for index in (1, 0):
        tabs.setCurrentIndex(index)
        assert dialogs.in_view(figures) == index
        assert dialogs.FigureOptionsDialog(figures).figure() is figures[index]
        assert dialogs.copy_figure(panel)
        copied = QtWidgets.QApplication.clipboard().image()
        for k, figure in enumerate(figures):  # the titles differ, so only the shown figure's pixels match
            rendered = render_image(figure.widget, figure.widget.devicePixelRatioF())
            fmt = QtGui.QImage.Format.Format_RGBA8888
            assert (rendered.convertToFormat(fmt) == copied.convertToFormat(fmt)) == (k == index)
