"""Files go to the panel they belong to: a checkpoint by the format its JSON declares (read without torch
or weights), other kinds to every panel that takes them; the window asks when several panels could."""
import json
from types import SimpleNamespace

import pytest
from PySide6 import QtCore, QtWidgets

from engines import formats
from tasks.bundled import bundled_path
from tests import fake_panel
from workbench.file_kinds import panels_for
from workbench.panel_info import PanelInfo
from workbench.panels import panel_modules
from workbench.settings import Settings

INFOS = [m.INFO for m in panel_modules()]


def names(path, kind):
    return [info.name for info in panels_for(path, kind, INFOS)]


def test_checkpoints_go_to_their_own_panel_first(tmp_path):
    assert names(bundled_path("latent", "vae"), "checkpoint") == ["latent", "optimizer"]
    assert names(bundled_path("diffusion", "moons"), "checkpoint") == ["diffusion", "optimizer"]
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"format": formats.TRAINING_RUN}))
    assert names(run, "checkpoint") == ["optimizer"]
    bare = tmp_path / "digits_mlp.pt"
    bare.write_bytes(b"not read")
    assert names(bare, "checkpoint") == ["optimizer"]
    unet = tmp_path / "unet"
    unet.mkdir()
    (unet / "config.json").write_text(json.dumps({"_class_name": "UNet2DModel"}))
    assert names(unet, "checkpoint") == ["diffusion"]


def test_undeclared_or_unreadable_checkpoints_go_to_every_panel_that_takes_checkpoints(tmp_path):
    every = [info.name for info in INFOS if "checkpoint" in info.accepts]
    broken = tmp_path / "x.safetensors"
    broken.write_bytes(b"\x00" * 4)
    (tmp_path / "x.json").write_text("{not json")
    assert names(broken, "checkpoint") == every
    foreign = tmp_path / "y.json"
    foreign.write_text(json.dumps({"format": "someone-else"}))
    assert names(foreign, "checkpoint") == every


def test_other_kinds_go_to_every_panel_that_takes_them(tmp_path):
    assert names(tmp_path / "points.npz", "dataset") == ["latent", "diffusion", "cluster"]
    assert names(tmp_path / "text.txt", "corpus") == ["segment"]


@pytest.fixture
def two_panel_window(qtbot, monkeypatch, tmp_path):
    """A window whose panels both open latent checkpoints and datasets: "home" owns the format."""
    def module(name, title, fmts):
        class Panel(fake_panel.FakePanel):
            info = PanelInfo(name, title, accepts=("checkpoint", "dataset"), formats=fmts)

        return SimpleNamespace(INFO=Panel.info, create=Panel)

    modules = [module("landscape", "Landscape", (formats.TRAINING_RUN, formats.LATENT)),
               module("home", "Home", (formats.LATENT,))]
    settings = Settings(QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.Format.IniFormat))
    w = fake_panel.shell_window(qtbot, monkeypatch, settings, modules)
    yield w
    w.jobs.shutdown(5000)


def test_the_window_asks_offering_the_checkpoints_own_panel_first(two_panel_window, monkeypatch, tmp_path):
    w = two_panel_window
    asked = []

    def answer(parent, title, label, items, current, editable):
        asked.append((list(items), current))
        return items[current], True

    monkeypatch.setattr(QtWidgets.QInputDialog, "getItem", staticmethod(answer))
    w.show_panel("landscape")  # the landscape panel in front must not take the checkpoint by default
    vae = bundled_path("latent", "vae")
    assert w.open_path(vae)
    assert asked == [(["Home", "Landscape"], 0)]
    assert w.panels["home"].opened == [vae] and w.current_panel().info.name == "home"

    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"format": formats.TRAINING_RUN}))
    assert w.open_path(run, "checkpoint")  # only one panel opens training runs: no question
    assert len(asked) == 1 and w.panels["landscape"].opened == [run]

    data = tmp_path / "points.npz"
    data.write_bytes(b"")
    assert w.open_path(data)  # a dataset: the panel in front is offered first
    assert asked[-1] == (["Landscape", "Home"], 0) and w.panels["landscape"].opened[-1] == data

    monkeypatch.setattr(QtWidgets.QInputDialog, "getItem", staticmethod(lambda *a: ("", False)))
    assert not w.open_path(vae)  # the question cancelled: nothing opens
    assert w.panels["home"].opened == [vae]


def test_telling_what_a_checkpoint_is_loads_no_torch():
    """The window routes a file on its GUI thread: reading the declaration must not import torch."""
    import subprocess
    import sys

    code = ("import sys\nfrom engines.formats import what_it_is\nfrom tasks.bundled import bundled_path\n"
            "assert what_it_is(bundled_path('latent', 'vae')) == 'workbench-latent'\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
