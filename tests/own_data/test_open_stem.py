"""File > Open (and Open recent) take a checkpoint by the stem ``train --out`` took, and refuse an ambiguous one
with the candidates."""
from types import SimpleNamespace

from PySide6 import QtCore

from tests import fake_panel
from workbench.panel_info import PanelInfo
from workbench.settings import Settings


def test_the_window_opens_a_checkpoint_by_its_stem(qtbot, monkeypatch, tmp_path):
    class Taker(fake_panel.FakePanel):
        info = PanelInfo("fake", "Fake", accepts=("checkpoint",))

    settings = Settings(QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat))
    window = fake_panel.shell_window(qtbot, monkeypatch, settings, [SimpleNamespace(INFO=Taker.info, create=Taker)])
    try:
        (tmp_path / "x.safetensors").write_bytes(b"")
        (tmp_path / "x.json").write_text("{}")
        assert window.open_path(tmp_path / "x")
        assert window.panels["fake"].opened == [tmp_path / "x.safetensors"]
        (tmp_path / "x.pt").write_bytes(b"")
        assert not window.open_path(tmp_path / "x")
        assert window.last_error.text().endswith("names 2 checkpoints: x.safetensors, x.pt; give the one you mean "
                                                 "with its suffix")
    finally:
        window.jobs.shutdown(5000)
